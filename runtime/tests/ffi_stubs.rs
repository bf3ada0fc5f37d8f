//! Calls the generated `extern "C"` stubs the way the dispatch rows say,
//! against a test host with Perry's layouts and a fake implementation.

#[path = "ffi/fake.rs"]
mod fake;
#[path = "ffi/host.rs"]
mod host;

use std::sync::{Arc, Once};

use perry_stack::ffi::handle::Handle;
use perry_stack::ffi::*;
use perry_stack::schema::api::HandleKind;

fn setup() {
    static SETUP: Once = Once::new();
    SETUP.call_once(|| {
        host::install_host();
        assert!(install_api(Arc::new(fake::Fake)));
    });
}

const ABSENT: i64 = 0;

fn undefined() -> f64 {
    JsValue::UNDEFINED.to_f64_slot()
}

/// Brings up a one-service stack named `name` and returns its handle value.
fn up(name: &str) -> JsValue {
    let spec = host::object(&format!(r#"{{"name": "{name}", "services": {{"web": {{"image": "nginx"}}}}}}"#));
    // SAFETY: arguments as the dispatch row for compose.up lowers them.
    let promise = unsafe { perry_stack_compose_up(spec.to_bits() as i64, ABSENT) };
    host::resolution(promise)
}

fn receiver(value: JsValue) -> i64 {
    (value.to_bits() & 0x0000_FFFF_FFFF_FFFF) as i64
}

#[test]
fn up_resolves_with_pointer_tagged_handle() {
    setup();
    let stack = up("tagged");
    assert!(matches!(stack.decode(), Decoded::Pointer(_)), "{stack:?}");
    assert!(fake::recorded("compose.up name=tagged options=None"));
}

#[test]
fn up_passes_options_object() {
    setup();
    let spec = host::object(r#"{"name": "opts", "services": {}}"#);
    let options = host::object(r#"{"services": ["web"], "wait": true}"#);
    // SAFETY: as the dispatch row lowers the arguments.
    let promise = unsafe { perry_stack_compose_up(spec.to_bits() as i64, options.to_bits() as i64) };
    host::resolution(promise);
    assert!(fake::recorded(
        r#"compose.up name=opts options=Some(UpOptions { services: Some(["web"]), wait: Some(true), remove_orphans: None })"#
    ));
}

#[test]
fn handle_survives_round_trip_to_ps() {
    setup();
    let stack = up("roundtrip");
    // SAFETY: a handle in an F64 slot.
    let promise = unsafe { perry_stack_compose_ps(stack.to_f64_slot()) };
    let listed = host::object_json(host::resolution(promise).to_bits());
    assert!(listed.contains(r#""name":"roundtrip-web-1""#), "{listed}");
}

#[test]
fn receiver_form_reaches_same_implementation() {
    setup();
    let stack = up("method");
    // SAFETY: the receiver reduced to its low 48 bits.
    let promise = unsafe { perry_stack_compose_stack_ps(receiver(stack)) };
    let listed = host::object_json(host::resolution(promise).to_bits());
    assert!(listed.contains(r#""service":"web""#), "{listed}");
}

#[test]
fn void_promise_resolves_undefined() {
    setup();
    let stack = up("void");
    // SAFETY: receiver form with the optional options omitted.
    let promise = unsafe { perry_stack_compose_stack_down(receiver(stack), ABSENT) };
    assert_eq!(host::resolution(promise), JsValue::UNDEFINED);
}

#[test]
fn released_handle_is_rejected() {
    setup();
    let stack = up("released");
    // SAFETY: handle in an F64 slot, options omitted.
    host::resolution(unsafe { perry_stack_compose_down(stack.to_f64_slot(), ABSENT) });
    // SAFETY: as above.
    let message = host::rejection(unsafe { perry_stack_compose_ps(stack.to_f64_slot()) });
    assert_eq!(message, "compose.ps: invalid argument `stack`: expected a StackHandle, received a StackHandle that was released");
}

#[test]
fn stack_handle_where_graph_expected() {
    setup();
    let stack = up("wrongkind");
    // SAFETY: handle in an F64 slot.
    let message = host::rejection(unsafe { perry_stack_workloads_status(stack.to_f64_slot()) });
    assert_eq!(
        message,
        "workloads.status: invalid argument `graph`: expected a GraphHandle, received a StackHandle (a stack handle)"
    );
}

#[test]
fn forged_number_is_rejected() {
    setup();
    let forged = Handle { kind: HandleKind::Stack, generation: 77, index: 4000 }.to_js();
    // SAFETY: a forged handle in an F64 slot.
    let message = host::rejection(unsafe { perry_stack_compose_ps(forged.to_f64_slot()) });
    assert!(message.starts_with("compose.ps: invalid argument `stack`: expected a StackHandle, received a pointer-tagged value"), "{message}");

    // SAFETY: a plain number in an F64 slot.
    let message = host::rejection(unsafe { perry_stack_compose_ps(12345.0) });
    assert_eq!(message, "compose.ps: invalid argument `stack`: expected a StackHandle, received the number 12345");
}

#[test]
fn undefined_handle_is_rejected() {
    setup();
    // SAFETY: a missing trailing argument arrives as undefined.
    let message = host::rejection(unsafe { perry_stack_compose_ps(undefined()) });
    assert_eq!(message, "compose.ps: invalid argument `stack`: expected a StackHandle, received undefined");
}

#[test]
fn string_as_handle_is_rejected() {
    setup();
    let text = OwnedString::new("demo").unwrap();
    let value = JsValue::heap_string(text.as_ptr()).unwrap();
    // SAFETY: a string in an F64 slot.
    let message = host::rejection(unsafe { perry_stack_compose_ps(value.to_f64_slot()) });
    assert_eq!(message, "compose.ps: invalid argument `stack`: expected a StackHandle, received a string");
}

#[test]
fn missing_required_object_is_rejected() {
    setup();
    // SAFETY: both arguments omitted.
    let message = host::rejection(unsafe { perry_stack_compose_up(ABSENT, ABSENT) });
    assert_eq!(message, "compose.up: invalid argument `spec`: expected an object or array, received undefined");
}

#[test]
fn unknown_option_field_is_rejected() {
    setup();
    let spec = host::object(r#"{"services": {}}"#);
    let options = host::object(r#"{"detach": true}"#);
    // SAFETY: as the dispatch row lowers the arguments.
    let message = host::rejection(unsafe { perry_stack_compose_up(spec.to_bits() as i64, options.to_bits() as i64) });
    assert!(message.starts_with("compose.up: invalid argument `options`: expected a value of the declared shape"), "{message}");
    assert!(message.contains("unknown field `detach`"), "{message}");
    assert!(message.ends_with(", at `detach`"), "{message}");
}

#[test]
fn misspelled_spec_key_names_its_path() {
    setup();
    let spec = host::object(r#"{"services": {"web": {"image": "busybox", "helthcheck": {"test": "true"}}}}"#);
    // SAFETY: as the dispatch row lowers the arguments.
    let message = host::rejection(unsafe { perry_stack_compose_up(spec.to_bits() as i64, 0) });
    assert!(message.starts_with("compose.up: invalid argument `spec`: expected a value of the declared shape"), "{message}");
    assert!(message.contains("unknown field `helthcheck`"), "{message}");
    assert!(message.ends_with(", at `services.web.helthcheck`"), "{message}");
}

#[test]
fn omitted_optional_arrives_as_none() {
    setup();
    let registered = HandleRegistry::global().insert(HandleKind::Container, ()).unwrap();
    // SAFETY: receiver form, options omitted.
    host::resolution(unsafe { perry_stack_container_container_stop(receiver(registered.to_js()), ABSENT) });
    assert!(fake::recorded("container.stop options=None"));
}

#[test]
fn array_argument_arrives_as_json() {
    setup();
    let names = host::object(r#"["podman", "docker"]"#);
    // SAFETY: a JsvalI64 slot.
    host::resolution(unsafe { perry_stack_container_set_backends(names.to_bits() as i64) });
    assert!(fake::recorded(r#"container.setBackends ["podman", "docker"]"#));
}

#[test]
fn boolean_result_is_boxed() {
    setup();
    let name = OwnedString::new("present").unwrap();
    // SAFETY: a StrPtr slot.
    let value = host::resolution(unsafe { perry_stack_container_remove_if_exists(name.as_ptr() as i64) });
    assert_eq!(value, JsValue::bool(true));
}

#[test]
fn panic_becomes_rejection() {
    setup();
    let graph = HandleRegistry::global().insert(HandleKind::Graph, ()).unwrap();
    // SAFETY: a handle in an F64 slot.
    let message = host::rejection(unsafe { perry_stack_workloads_status(graph.to_js().to_f64_slot()) });
    assert_eq!(message, "workloads.status panicked: status exploded");
}

#[test]
fn unsupported_function_rejects() {
    setup();
    // SAFETY: no arguments.
    let message = host::rejection(unsafe { perry_stack_container_list_images() });
    assert_eq!(message, "list_images: not supported yet: not in the fake");
}

#[test]
fn sync_string_result() {
    setup();
    // SAFETY: no arguments; Str return kind.
    let header = unsafe { perry_stack_container_get_backend() };
    // SAFETY: the host created this string.
    let text = unsafe { StringHeader::as_str(header as usize as *const StringHeader) }.unwrap();
    assert_eq!(text, "fake");
}

#[test]
fn sync_json_result_and_literal_check() {
    setup();
    let tier = OwnedString::new("hardened").unwrap();
    // SAFETY: StrPtr and F64 slots.
    let value = unsafe { perry_stack_workloads_policy(tier.as_ptr() as i64, undefined()) };
    let json = host::object_json(value.to_bits());
    assert_eq!(json, r#"{"tier":"hardened"}"#);

    let bad = OwnedString::new("paranoid").unwrap();
    // SAFETY: as above; the error is logged and undefined returned.
    let value = unsafe { perry_stack_workloads_policy(bad.as_ptr() as i64, undefined()) };
    assert_eq!(JsValue::from_f64_slot(value), JsValue::UNDEFINED);
}

#[test]
fn number_where_boolean_expected_is_rejected_sync() {
    setup();
    let tier = OwnedString::new("default").unwrap();
    // SAFETY: a number in a boolean F64 slot.
    let value = unsafe { perry_stack_workloads_policy(tier.as_ptr() as i64, 1.0) };
    assert_eq!(JsValue::from_f64_slot(value), JsValue::UNDEFINED);
}
