use super::*;

#[test]
fn special_values_have_fixed_bits() {
    assert_eq!(JsValue::UNDEFINED.to_bits(), 0x7FFC_0000_0000_0001);
    assert_eq!(JsValue::NULL.to_bits(), 0x7FFC_0000_0000_0002);
    assert_eq!(JsValue::bool(false).to_bits(), 0x7FFC_0000_0000_0003);
    assert_eq!(JsValue::bool(true).to_bits(), 0x7FFC_0000_0000_0004);
}

#[test]
fn special_values_decode() {
    assert_eq!(JsValue::from_bits(UNDEFINED_BITS).decode(), Decoded::Undefined);
    assert_eq!(JsValue::from_bits(NULL_BITS).decode(), Decoded::Null);
    assert_eq!(JsValue::from_bits(FALSE_BITS).decode(), Decoded::Bool(false));
    assert_eq!(JsValue::from_bits(TRUE_BITS).decode(), Decoded::Bool(true));
}

#[test]
fn unlisted_special_bits_are_numbers() {
    let value = JsValue::from_bits(0x7FFC_0000_0000_0005);
    match value.decode() {
        Decoded::Number(number) => assert!(number.is_nan()),
        other => panic!("expected a number, got {other:?}"),
    }
}

#[test]
fn pointer_round_trip() {
    let value = JsValue::pointer(0x0000_1234_5678_9ABC).unwrap();
    assert_eq!(value.to_bits(), 0x7FFD_1234_5678_9ABC);
    assert_eq!(value.decode(), Decoded::Pointer(0x1234_5678_9ABC));
}

#[test]
fn pointer_wider_than_48_bits_is_rejected() {
    assert_eq!(JsValue::pointer(1 << 48), None);
}

#[test]
fn int32_round_trip() {
    for number in [0, 1, -1, i32::MIN, i32::MAX] {
        let value = JsValue::int32(number);
        assert_eq!(value.tag(), TAG_INT32);
        assert_eq!(value.decode(), Decoded::Int32(number));
    }
}

#[test]
fn heap_string_round_trip() {
    let header = 0x7F00_1000usize as *const StringHeader;
    let value = JsValue::heap_string(header).unwrap();
    assert_eq!(value.to_bits(), 0x7FFF_0000_7F00_1000);
    assert_eq!(value.decode(), Decoded::HeapString(header));
}

#[test]
fn short_string_round_trip() {
    for text in ["", "a", "ab", "hello"] {
        let value = JsValue::short_string(text.as_bytes()).unwrap();
        assert_eq!(value.tag(), TAG_SHORT_STRING);
        match value.decode() {
            Decoded::ShortString(short) => assert_eq!(short.as_bytes(), text.as_bytes()),
            other => panic!("expected a short string, got {other:?}"),
        }
    }
}

#[test]
fn short_string_layout() {
    let value = JsValue::short_string(b"ab").unwrap();
    assert_eq!(value.to_bits(), 0x7FF9_0200_0000_6261);
}

#[test]
fn short_string_too_long() {
    assert_eq!(JsValue::short_string(b"sixsix"), None);
}

#[test]
fn short_string_bad_length_is_number() {
    let value = JsValue::from_bits(0x7FF9_0600_0000_0000);
    assert!(matches!(value.decode(), Decoded::Number(_)));
}

#[test]
fn bigint_round_trip() {
    let value = JsValue::bigint(42).unwrap();
    assert_eq!(value.to_bits(), 0x7FFA_0000_0000_002A);
    assert_eq!(value.decode(), Decoded::BigInt(42));
}

#[test]
fn numbers_pass_through() {
    for number in [0.0, -0.0, 1.5, -3.25, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE] {
        let value = JsValue::number(number);
        assert_eq!(value.to_bits(), number.to_bits());
        assert_eq!(value.decode(), Decoded::Number(number));
    }
}

#[test]
fn canonical_nan_stays_a_number() {
    let value = JsValue::number(f64::NAN);
    assert!(matches!(value.decode(), Decoded::Number(number) if number.is_nan()));
}

#[test]
fn tagged_nan_cannot_forge_a_tag() {
    let forged = f64::from_bits(0x7FFD_0000_0000_0001);
    let value = JsValue::number(forged);
    assert_eq!(value.to_bits(), 0x7FF8_0000_0000_0000);
    assert!(matches!(value.decode(), Decoded::Number(number) if number.is_nan()));
}

#[test]
fn f64_slot_keeps_bits() {
    let value = JsValue::pointer(7).unwrap();
    assert_eq!(JsValue::from_f64_slot(value.to_f64_slot()), value);
}

#[test]
fn describe_names_each_kind() {
    assert_eq!(JsValue::UNDEFINED.describe(), "undefined");
    assert_eq!(JsValue::NULL.describe(), "null");
    assert_eq!(JsValue::bool(true).describe(), "the boolean true");
    assert_eq!(JsValue::number(3.5).describe(), "the number 3.5");
    assert_eq!(JsValue::int32(-2).describe(), "the number -2");
    assert_eq!(JsValue::short_string(b"x").unwrap().describe(), "a string");
    assert_eq!(JsValue::bigint(1).unwrap().describe(), "a bigint");
}
