//! A test host with Perry's string, promise and JSON layouts: strings are
//! real `StringHeader` allocations, objects are JSON texts behind
//! pointer-tagged ids, and promise settlements queue for a main-thread pump.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use perry_stack::ffi::host::{install, HostFunctions, PromiseId};
use perry_stack::ffi::{Decoded, JsValue, OwnedString, StringHeader};

/// How a promise ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    Resolved(u64),
    Rejected(u64),
}

struct Task {
    callback: unsafe extern "C" fn(*mut c_void),
    data: usize,
}

#[derive(Default)]
struct State {
    next_id: u64,
    promises: BTreeMap<PromiseId, Option<Settled>>,
    objects: BTreeMap<u64, String>,
    queue: Vec<Task>,
}

static STATE: Mutex<State> = Mutex::new(State { next_id: 0, promises: BTreeMap::new(), objects: BTreeMap::new(), queue: Vec::new() });
const OBJECT_BASE: u64 = 1 << 40;

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

unsafe extern "C" fn string_from_bytes(bytes: *const u8, len: u32) -> *mut StringHeader {
    // SAFETY: the caller passes `len` readable bytes of UTF-8.
    let text = unsafe { std::str::from_utf8(std::slice::from_raw_parts(bytes, len as usize)) }.unwrap();
    OwnedString::new(text).unwrap().into_raw()
}

unsafe extern "C" fn promise_new() -> PromiseId {
    let mut state = state();
    state.next_id += 1;
    let id = state.next_id;
    state.promises.insert(id, None);
    id
}

unsafe extern "C" fn promise_resolve(promise: PromiseId, value: u64) {
    settle(promise, Settled::Resolved(value));
}

unsafe extern "C" fn promise_reject(promise: PromiseId, reason: u64) {
    settle(promise, Settled::Rejected(reason));
}

fn settle(promise: PromiseId, settled: Settled) {
    let mut state = state();
    let slot = state.promises.get_mut(&promise).expect("settled a promise the host never created");
    assert!(slot.is_none(), "promise {promise} settled twice");
    *slot = Some(settled);
}

unsafe extern "C" fn json_stringify(value: u64) -> *mut StringHeader {
    let payload = JsValue::from_bits(value).payload();
    match state().objects.get(&payload) {
        Some(text) => OwnedString::new(text).unwrap().into_raw(),
        None => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn json_parse(json: *const StringHeader) -> u64 {
    // SAFETY: the FFI passes a string this host created.
    let text = unsafe { StringHeader::as_str(json) }.unwrap().to_owned();
    object(&text).to_bits()
}

unsafe extern "C" fn run_on_main(callback: unsafe extern "C" fn(*mut c_void), data: *mut c_void) {
    state().queue.push(Task { callback, data: data as usize });
}

/// Installs this host once per process.
pub fn install_host() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        install(HostFunctions { string_from_bytes, promise_new, promise_resolve, promise_reject, json_stringify, json_parse, run_on_main })
            .expect("host installed once");
    });
}

/// Creates an object of the running program from its JSON text.
pub fn object(json: &str) -> JsValue {
    let mut state = state();
    state.next_id += 1;
    let id = OBJECT_BASE + state.next_id;
    state.objects.insert(id, json.to_owned());
    JsValue::pointer(id).unwrap()
}

/// Reads back an object created by `json_parse`.
pub fn object_json(value: u64) -> String {
    let payload = JsValue::from_bits(value).payload();
    state().objects.get(&payload).cloned().unwrap_or_else(|| panic!("0x{value:016x} is not an object of this host"))
}

/// Reads a string value.
pub fn string(value: u64) -> String {
    match JsValue::from_bits(value).decode() {
        // SAFETY: heap strings of this host are live `OwnedString`s.
        Decoded::HeapString(header) => unsafe { StringHeader::as_str(header) }.unwrap().to_owned(),
        other => panic!("expected a string, got {other:?}"),
    }
}

/// Runs queued main-thread tasks until `promise` settles.
pub fn wait(promise: i64) -> Settled {
    assert_ne!(promise, 0, "the stub returned no promise");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let tasks = std::mem::take(&mut state().queue);
        for task in tasks {
            // SAFETY: the FFI queued this callback with its own data.
            unsafe { (task.callback)(task.data as *mut c_void) };
        }
        if let Some(Some(settled)) = state().promises.get(&(promise as u64)) {
            return settled.clone();
        }
        assert!(Instant::now() < deadline, "promise {promise} did not settle within 10 s");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Waits for a rejection and returns its message.
pub fn rejection(promise: i64) -> String {
    match wait(promise) {
        Settled::Rejected(reason) => string(reason),
        Settled::Resolved(value) => panic!("expected a rejection, resolved with {:?}", JsValue::from_bits(value)),
    }
}

/// Waits for a resolution and returns its value.
pub fn resolution(promise: i64) -> JsValue {
    match wait(promise) {
        Settled::Resolved(value) => JsValue::from_bits(value),
        Settled::Rejected(reason) => panic!("expected a resolution, rejected with {:?}", string(reason)),
    }
}
