use super::*;

#[derive(Debug, PartialEq)]
struct Stack(&'static str);

#[test]
fn payload_round_trip() {
    let handle = Handle { kind: HandleKind::Graph, generation: 0xABCDE, index: 0x123456 };
    assert_eq!(handle.payload(), 0x3ABC_DE12_3456);
    assert_eq!(Handle::from_payload(handle.payload()), Some(handle));
}

#[test]
fn handle_is_pointer_tagged() {
    let handle = Handle { kind: HandleKind::Stack, generation: 1, index: 2 };
    assert_eq!(handle.to_js().tag(), crate::ffi::nanbox::TAG_POINTER);
}

#[test]
fn insert_then_get() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Stack, Stack("web")).unwrap();
    let stack = registry.get::<Stack>(handle.to_js(), HandleKind::Stack).unwrap();
    assert_eq!(*stack, Stack("web"));
}

#[test]
fn wrong_kind_is_rejected() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Stack, Stack("web")).unwrap();
    let error = registry.get::<Stack>(handle.to_js(), HandleKind::Graph).unwrap_err();
    assert_eq!(error, HandleError::WrongKind { found: HandleKind::Stack });
    assert_eq!(error.to_string(), "a StackHandle (a stack handle)");
}

#[test]
fn released_handle_is_rejected() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Stack, Stack("web")).unwrap();
    registry.release(handle.to_js(), HandleKind::Stack).unwrap();
    let error = registry.get::<Stack>(handle.to_js(), HandleKind::Stack).unwrap_err();
    assert_eq!(error, HandleError::Released(HandleKind::Stack));
    assert_eq!(error.to_string(), "a StackHandle that was released");
}

#[test]
fn stale_handle_after_reuse_is_rejected() {
    let registry = HandleRegistry::new();
    let old = registry.insert(HandleKind::Stack, Stack("old")).unwrap();
    registry.release(old.to_js(), HandleKind::Stack).unwrap();
    let new = registry.insert(HandleKind::Stack, Stack("new")).unwrap();
    assert_eq!(new.index, old.index);
    assert_ne!(new.generation, old.generation);
    assert_eq!(registry.get::<Stack>(old.to_js(), HandleKind::Stack).unwrap_err(), HandleError::Released(HandleKind::Stack));
    assert_eq!(*registry.get::<Stack>(new.to_js(), HandleKind::Stack).unwrap(), Stack("new"));
}

#[test]
fn double_release_is_rejected() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Graph, Stack("g")).unwrap();
    registry.release(handle.to_js(), HandleKind::Graph).unwrap();
    assert_eq!(registry.release(handle.to_js(), HandleKind::Graph), Err(HandleError::Released(HandleKind::Graph)));
}

#[test]
fn forged_index_is_rejected() {
    let registry = HandleRegistry::new();
    let forged = Handle { kind: HandleKind::Stack, generation: 0, index: 999 };
    let error = registry.get::<Stack>(forged.to_js(), HandleKind::Stack).unwrap_err();
    assert_eq!(error, HandleError::Forged(forged.payload()));
    assert!(error.to_string().contains("never issued"), "{error}");
}

#[test]
fn forged_future_generation_is_rejected() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Stack, Stack("web")).unwrap();
    let forged = Handle { generation: handle.generation + 5, ..handle };
    assert_eq!(registry.get::<Stack>(forged.to_js(), HandleKind::Stack).unwrap_err(), HandleError::Forged(forged.payload()));
}

#[test]
fn unknown_kind_bits_are_forged() {
    let registry = HandleRegistry::new();
    let value = JsValue::pointer(0xF000_0000_0001).unwrap();
    assert_eq!(registry.get::<Stack>(value, HandleKind::Stack).unwrap_err(), HandleError::Forged(0xF000_0000_0001));
}

#[test]
fn non_handles_are_described() {
    let registry = HandleRegistry::new();
    let cases = [
        (JsValue::UNDEFINED, "undefined"),
        (JsValue::NULL, "null"),
        (JsValue::number(42.0), "the number 42"),
        (JsValue::bool(true), "the boolean true"),
        (JsValue::short_string(b"web").unwrap(), "a string"),
    ];
    for (value, expected) in cases {
        let error = registry.get::<Stack>(value, HandleKind::Stack).unwrap_err();
        assert_eq!(error, HandleError::NotAHandle(expected.to_owned()));
    }
}

#[test]
fn wrong_rust_type_is_rejected() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Stack, Stack("web")).unwrap();
    assert!(registry.get::<u32>(handle.to_js(), HandleKind::Stack).is_err());
}

#[test]
fn receiver_low_bits_rebuild_the_handle() {
    let registry = HandleRegistry::new();
    let handle = registry.insert(HandleKind::Stack, Stack("web")).unwrap();
    let low_bits = (handle.to_js().to_bits() & PAYLOAD_MASK) as i64;
    let stack = registry.get::<Stack>(receiver_value(low_bits), HandleKind::Stack).unwrap();
    assert_eq!(*stack, Stack("web"));
}

#[test]
fn concurrent_inserts_get_distinct_handles() {
    let registry = Arc::new(HandleRegistry::new());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let registry = registry.clone();
            std::thread::spawn(move || {
                (0..100).map(|_| registry.insert(HandleKind::Container, Stack("c")).unwrap().payload()).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut payloads: Vec<u64> = threads.into_iter().flat_map(|thread| thread.join().unwrap()).collect();
    payloads.sort_unstable();
    payloads.dedup();
    assert_eq!(payloads.len(), 800);
}
