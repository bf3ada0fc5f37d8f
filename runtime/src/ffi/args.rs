//! Decoding of arguments by dispatch kind, with errors that name the
//! function, the parameter and what was received.

use perry_stack_schema::api::HandleKind;

use super::handle::{HandleError, HandleRegistry};
use super::host::host;
use super::nanbox::{Decoded, JsValue};
use super::string::StringHeader;
use super::typed::TypedHandle;

/// A rejected argument. Its text is the rejection message of the promise.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{function}: invalid argument `{parameter}`: expected {expected}, received {received}")]
pub struct ArgumentError {
    /// The qualified function, `compose.down`.
    pub function: &'static str,
    pub parameter: &'static str,
    pub expected: String,
    pub received: String,
}

/// Where an argument sits, for error messages.
#[derive(Clone, Copy, Debug)]
pub struct ArgumentSite {
    pub function: &'static str,
    pub parameter: &'static str,
}

impl ArgumentSite {
    pub const fn new(function: &'static str, parameter: &'static str) -> ArgumentSite {
        ArgumentSite { function, parameter }
    }

    /// Turns an absent required argument into an error.
    pub fn required<T>(self, value: Option<T>) -> Result<T, ArgumentError> {
        value.ok_or_else(|| self.error("a value", "nothing (the argument is missing)"))
    }

    /// Decodes a handle of the kind of `H` from its NaN-boxed value.
    pub fn handle<H: TypedHandle>(self, value: JsValue, optional: bool) -> Result<Option<H>, ArgumentError> {
        if optional && value.is_undefined() {
            return Ok(None);
        }
        match HandleRegistry::global().check(value, H::KIND) {
            Ok(handle) => Ok(Some(H::from_checked(handle))),
            Err(error) => Err(self.handle_error(H::KIND, error)),
        }
    }

    /// Decodes a `JsvalI64` slot: the host JSON-stringifies the value and
    /// serde deserializes it; `0` and undefined are an absent argument.
    ///
    /// # Safety
    /// `slot` holds the bits of a value of the running Perry program.
    pub unsafe fn structured<T: serde::de::DeserializeOwned>(self, slot: i64, optional: bool) -> Result<Option<T>, ArgumentError> {
        let value = JsValue::from_bits(slot as u64);
        if slot == 0 || value.is_undefined() {
            return if optional { Ok(None) } else { Err(self.error("an object or array", "undefined")) };
        }
        if !matches!(value.decode(), Decoded::Pointer(_)) {
            return Err(self.error("an object or array", value.describe()));
        }

        let functions = host().map_err(|error| self.error("an object or array", error.to_string()))?;
        // SAFETY: the host table holds valid function pointers.
        let json = unsafe { (functions.json_stringify)(value.to_bits()) };
        // SAFETY: the host returns null or a live string.
        let text = unsafe { StringHeader::as_str(json) }
            .map_err(|error| self.error("an object or array that JSON.stringify accepts", error.to_string()))?;

        serde_json::from_str(text).map(Some).map_err(|error| {
            let received = match json_path(text, error.line(), error.column()) {
                Some(path) => format!("invalid JSON value: {error}, at `{path}`"),
                None => format!("invalid JSON value: {error}"),
            };
            self.error("a value of the declared shape", received)
        })
    }
    pub fn error(self, expected: impl Into<String>, received: impl Into<String>) -> ArgumentError {
        ArgumentError { function: self.function, parameter: self.parameter, expected: expected.into(), received: received.into() }
    }

    pub fn handle_error(self, kind: HandleKind, error: HandleError) -> ArgumentError {
        self.error(format!("a {}", kind.type_name()), error.to_string())
    }

    /// Decodes an `F64` number slot; `None` for undefined.
    pub fn number(self, slot: f64, optional: bool) -> Result<Option<f64>, ArgumentError> {
        let value = JsValue::from_f64_slot(slot);
        match value.decode() {
            Decoded::Number(number) => Ok(Some(number)),
            Decoded::Int32(number) => Ok(Some(f64::from(number))),
            Decoded::Undefined if optional => Ok(None),
            _ => Err(self.error("a number", value.describe())),
        }
    }

    /// Decodes an `F64` boolean slot; a number is an error.
    pub fn boolean(self, slot: f64, optional: bool) -> Result<Option<bool>, ArgumentError> {
        let value = JsValue::from_f64_slot(slot);
        match value.decode() {
            Decoded::Bool(flag) => Ok(Some(flag)),
            Decoded::Undefined if optional => Ok(None),
            _ => Err(self.error("a boolean", value.describe())),
        }
    }

    /// Decodes a `StrPtr` slot; `0` is an absent argument.
    ///
    /// # Safety
    /// A non-zero `slot` is a live `StringHeader*`, as the compiler passes
    /// for a string argument.
    pub unsafe fn string(self, slot: i64, optional: bool) -> Result<Option<String>, ArgumentError> {
        if slot == 0 {
            return if optional { Ok(None) } else { Err(self.error("a string", "nothing (the argument is missing)")) };
        }
        let header = slot as usize as *const StringHeader;
        // SAFETY: forwarded from the caller.
        match unsafe { StringHeader::as_str(header) } {
            Ok(text) => Ok(Some(text.to_owned())),
            Err(error) => Err(self.error("a string", error.to_string())),
        }
    }

    /// Checks a decoded string against the allowed literals.
    pub fn literal(self, text: Option<String>, allowed: &[&str]) -> Result<Option<String>, ArgumentError> {
        match text {
            Some(text) if !allowed.contains(&text.as_str()) => {
                let expected = allowed.iter().map(|value| format!("\"{value}\"")).collect::<Vec<_>>().join(" | ");
                Err(self.error(expected, format!("\"{text}\"")))
            }
            other => Ok(other),
        }
    }
}

/// Finds the path of keys and indices, `services.web.healthcheck`, that
/// leads to a line and column of JSON text, as serde_json reports an error.
/// `None` at the top level.
///
/// NOTE: an error inside a union member (such as a long-form port) carries
/// the position where serde_json finished the enclosing array or object, so
/// the path stops there, at `services.web.ports` for example.
fn json_path(text: &str, line: usize, column: usize) -> Option<String> {
    enum Frame {
        Object { key: Option<String> },
        Array { index: usize },
    }

    let start = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum::<usize>();
    let end = (start + column).min(text.len());
    let bytes = &text.as_bytes()[..end];
    let mut frames: Vec<Frame> = Vec::new();
    let mut cursor = 0;
    while cursor < bytes.len() {
        match bytes[cursor] {
            b'{' => frames.push(Frame::Object { key: None }),
            b'[' => frames.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                frames.pop();
            }
            b',' => match frames.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key }) => *key = None,
                None => {}
            },
            b'"' => {
                let begin = cursor + 1;
                cursor = begin;
                while cursor < bytes.len() && bytes[cursor] != b'"' {
                    cursor += if bytes[cursor] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key: key @ None }) = frames.last_mut() {
                    let raw = &text[begin..cursor.min(bytes.len())];
                    *key = Some(serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_owned()));
                }
            }
            _ => {}
        }
        cursor += 1;
    }

    let mut path = String::new();
    for frame in &frames {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
            Frame::Object { key: None } => {}
        }
    }
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::string::OwnedString;

    const SITE: ArgumentSite = ArgumentSite { function: "workloads.policy", parameter: "network" };

    fn path_of_error(text: &str) -> Option<String> {
        let error = serde_json::from_str::<crate::ffi::generated::ComposeSpec>(text).unwrap_err();
        json_path(text, error.line(), error.column())
    }

    #[test]
    fn json_path_names_misspelled_key() {
        let text = r#"{"services":{"db":{"image":"x"},"web":{"image":"x","helthcheck":{}}}}"#;
        assert_eq!(path_of_error(text).as_deref(), Some("services.web.helthcheck"));
    }

    #[test]
    fn json_path_stops_at_union_array() {
        let text = r#"{"services":{"web":{"ports":["80",{"target":81,"publised":1}]}}}"#;
        assert_eq!(path_of_error(text).as_deref(), Some("services.web.ports"));
        assert_eq!(json_path(r#"{"a":[1,{"b":[2,3"#, 1, 17).as_deref(), Some("a[1].b[1]"));
    }

    #[test]
    fn json_path_reads_escaped_strings() {
        let text = "{\"services\":{\"web\":{\"healthcheck\":{\"test\":\"a \\\"b\\\"\",\n\"retries\":\"3\"}}}}";
        assert_eq!(path_of_error(text).as_deref(), Some("services.web.healthcheck.retries"));
    }

    #[test]
    fn json_path_is_none_at_top_level() {
        assert_eq!(json_path("\"podman\"", 1, 8), None);
    }

    #[test]
    fn boolean_rejects_number() {
        let error = SITE.boolean(1.0, true).unwrap_err();
        assert_eq!(error.to_string(), "workloads.policy: invalid argument `network`: expected a boolean, received the number 1");
    }

    #[test]
    fn boolean_undefined_when_optional() {
        assert_eq!(SITE.boolean(JsValue::UNDEFINED.to_f64_slot(), true), Ok(None));
        assert!(SITE.boolean(JsValue::UNDEFINED.to_f64_slot(), false).is_err());
    }

    #[test]
    fn number_accepts_int32() {
        assert_eq!(SITE.number(JsValue::int32(7).to_f64_slot(), false), Ok(Some(7.0)));
        assert_eq!(SITE.number(2.5, false), Ok(Some(2.5)));
    }

    #[test]
    fn string_reads_header() {
        let owned = OwnedString::new("podman").unwrap();
        // SAFETY: `owned` is a live heap string.
        let text = unsafe { SITE.string(owned.as_ptr() as i64, false) };
        assert_eq!(text, Ok(Some("podman".to_owned())));
    }

    #[test]
    fn missing_string_names_the_parameter() {
        // SAFETY: zero is the absent argument.
        let error = unsafe { SITE.string(0, false) }.unwrap_err();
        assert!(error.to_string().contains("`network`: expected a string, received nothing"), "{error}");
        // SAFETY: as above.
        assert_eq!(unsafe { SITE.string(0, true) }, Ok(None));
    }

    #[test]
    fn literal_lists_allowed_values() {
        let error = SITE.literal(Some("paranoid".to_owned()), &["default", "isolated"]).unwrap_err();
        assert_eq!(error.expected, "\"default\" | \"isolated\"");
        assert_eq!(error.received, "\"paranoid\"");
    }
}
