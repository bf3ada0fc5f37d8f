//! NaN-boxing: the 64-bit values that cross Perry's ABI.
//!
//! A value is an ordinary `f64` unless its top 16 bits carry one of the tags
//! below. Numbers whose bits would collide with a tag (NaNs with a payload)
//! are boxed as the canonical quiet NaN, so encoding never forges a tag.

use super::string::StringHeader;

/// Tag of undefined, null, false and true; the low bits select which.
pub const TAG_SPECIAL: u16 = 0x7FFC;
/// Tag of a pointer to an object, array, promise or opaque handle.
pub const TAG_POINTER: u16 = 0x7FFD;
/// Tag of an `i32` stored in the low 32 bits.
pub const TAG_INT32: u16 = 0x7FFE;
/// Tag of a heap string, a `StringHeader*` in the low 48 bits.
pub const TAG_HEAP_STRING: u16 = 0x7FFF;
/// Tag of a string of up to five bytes stored in the value itself.
pub const TAG_SHORT_STRING: u16 = 0x7FF9;
/// Tag of a bigint.
pub const TAG_BIGINT: u16 = 0x7FFA;

pub const UNDEFINED_BITS: u64 = 0x7FFC_0000_0000_0001;
pub const NULL_BITS: u64 = 0x7FFC_0000_0000_0002;
pub const FALSE_BITS: u64 = 0x7FFC_0000_0000_0003;
pub const TRUE_BITS: u64 = 0x7FFC_0000_0000_0004;

/// Mask of the 48-bit payload of pointer, string and bigint values.
pub const PAYLOAD_MASK: u64 = 0x0000_FFFF_FFFF_FFFF;
const CANONICAL_NAN_BITS: u64 = 0x7FF8_0000_0000_0000;
/// Maximum length in bytes of a short inline string.
pub const SHORT_STRING_MAX_LEN: usize = 5;

/// A NaN-boxed value, exactly as it is passed in an `F64` slot (as a
/// `double`) or a `JsvalI64` slot (as an `int64_t`).
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsValue(u64);

/// A [`JsValue`] decoded by its tag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decoded {
    Undefined,
    Null,
    Bool(bool),
    /// The 48-bit payload of a pointer-tagged value.
    Pointer(u64),
    Int32(i32),
    HeapString(*const StringHeader),
    ShortString(ShortString),
    /// The 48-bit payload of a bigint value.
    BigInt(u64),
    Number(f64),
}

/// The bytes of a short inline string: byte `i` sits in bits `8*i..8*i+8`.
///
/// NOTE: the ABI fixes bits 0-39 for the bytes but not their order; first
/// byte lowest is assumed here and not yet checked against Perry's runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortString {
    len: u8,
    bytes: [u8; SHORT_STRING_MAX_LEN],
}

impl ShortString {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl JsValue {
    pub const UNDEFINED: JsValue = JsValue(UNDEFINED_BITS);
    pub const NULL: JsValue = JsValue(NULL_BITS);

    pub const fn from_bits(bits: u64) -> JsValue {
        JsValue(bits)
    }

    pub const fn to_bits(self) -> u64 {
        self.0
    }

    /// Reinterprets a `double` argument of an `F64` slot.
    pub fn from_f64_slot(value: f64) -> JsValue {
        JsValue(value.to_bits())
    }

    /// The `double` to place in an `F64` slot or return with kind `F64`.
    pub fn to_f64_slot(self) -> f64 {
        f64::from_bits(self.0)
    }

    pub fn bool(value: bool) -> JsValue {
        JsValue(if value { TRUE_BITS } else { FALSE_BITS })
    }

    /// Boxes a number; a NaN whose bits carry a tag becomes the canonical NaN.
    pub fn number(value: f64) -> JsValue {
        let bits = value.to_bits();
        if value.is_nan() && is_tagged(bits) {
            return JsValue(CANONICAL_NAN_BITS);
        }
        JsValue(bits)
    }

    pub fn int32(value: i32) -> JsValue {
        JsValue(tagged(TAG_INT32, u64::from(value as u32)))
    }

    /// Boxes a pointer payload; returns `None` when it does not fit 48 bits.
    pub fn pointer(payload: u64) -> Option<JsValue> {
        (payload & !PAYLOAD_MASK == 0).then(|| JsValue(tagged(TAG_POINTER, payload)))
    }

    /// Boxes a heap string; returns `None` when the address does not fit 48 bits.
    pub fn heap_string(header: *const StringHeader) -> Option<JsValue> {
        let address = header as usize as u64;
        (address & !PAYLOAD_MASK == 0).then(|| JsValue(tagged(TAG_HEAP_STRING, address)))
    }

    /// Boxes up to five bytes inline; returns `None` for longer input.
    pub fn short_string(bytes: &[u8]) -> Option<JsValue> {
        if bytes.len() > SHORT_STRING_MAX_LEN {
            return None;
        }
        let mut payload = (bytes.len() as u64) << 40;
        for (i, byte) in bytes.iter().enumerate() {
            payload |= u64::from(*byte) << (8 * i);
        }
        Some(JsValue(tagged(TAG_SHORT_STRING, payload)))
    }

    pub fn bigint(payload: u64) -> Option<JsValue> {
        (payload & !PAYLOAD_MASK == 0).then(|| JsValue(tagged(TAG_BIGINT, payload)))
    }

    pub fn tag(self) -> u16 {
        (self.0 >> 48) as u16
    }

    pub fn payload(self) -> u64 {
        self.0 & PAYLOAD_MASK
    }

    pub fn is_undefined(self) -> bool {
        self.0 == UNDEFINED_BITS
    }

    /// Decodes the value by its tag. Bit patterns outside the table,
    /// including special values other than the four listed, are numbers.
    pub fn decode(self) -> Decoded {
        match self.tag() {
            TAG_SPECIAL => match self.0 {
                UNDEFINED_BITS => Decoded::Undefined,
                NULL_BITS => Decoded::Null,
                FALSE_BITS => Decoded::Bool(false),
                TRUE_BITS => Decoded::Bool(true),
                _ => Decoded::Number(f64::from_bits(self.0)),
            },
            TAG_POINTER => Decoded::Pointer(self.payload()),
            TAG_INT32 => Decoded::Int32(self.0 as u32 as i32),
            TAG_HEAP_STRING => Decoded::HeapString(self.payload() as usize as *const StringHeader),
            TAG_SHORT_STRING => self.decode_short_string(),
            TAG_BIGINT => Decoded::BigInt(self.payload()),
            _ => Decoded::Number(f64::from_bits(self.0)),
        }
    }

    fn decode_short_string(self) -> Decoded {
        let len = ((self.0 >> 40) & 0xFF) as u8;
        if usize::from(len) > SHORT_STRING_MAX_LEN {
            return Decoded::Number(f64::from_bits(self.0));
        }
        let mut bytes = [0u8; SHORT_STRING_MAX_LEN];
        for (i, byte) in bytes.iter_mut().enumerate().take(usize::from(len)) {
            *byte = (self.0 >> (8 * i)) as u8;
        }
        Decoded::ShortString(ShortString { len, bytes })
    }

    /// Describes the value for error messages: `undefined`, `a string`,
    /// `the number 3`, and so on.
    pub fn describe(self) -> String {
        match self.decode() {
            Decoded::Undefined => "undefined".to_owned(),
            Decoded::Null => "null".to_owned(),
            Decoded::Bool(value) => format!("the boolean {value}"),
            Decoded::Pointer(payload) => format!("a pointer-tagged value 0x{payload:012x}"),
            Decoded::Int32(value) => format!("the number {value}"),
            Decoded::HeapString(_) | Decoded::ShortString(_) => "a string".to_owned(),
            Decoded::BigInt(_) => "a bigint".to_owned(),
            Decoded::Number(value) => format!("the number {value}"),
        }
    }
}

impl std::fmt::Debug for JsValue {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "JsValue(0x{:016x} = {:?})", self.0, self.decode())
    }
}

fn tagged(tag: u16, payload: u64) -> u64 {
    (u64::from(tag) << 48) | payload
}

fn is_tagged(bits: u64) -> bool {
    matches!(
        (bits >> 48) as u16,
        TAG_SPECIAL | TAG_POINTER | TAG_INT32 | TAG_HEAP_STRING | TAG_SHORT_STRING | TAG_BIGINT
    )
}

#[cfg(test)]
#[path = "nanbox_tests.rs"]
mod tests;
