use serde::Serialize;

use crate::diag::Span;

/// A YAML node with its position and tag.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// A tag such as `!reset`, if the node carries one.
    pub tag: Option<String>,
    /// The text of a plain scalar as written, kept for scalars that resolved
    /// to something other than a string (`0123`, `true`, `1.50`). Compose
    /// needs it where a value is a string in the end, such as environment
    /// values. `None` for strings, collections and built nodes.
    pub text: Option<String>,
}

/// The value of a node after YAML 1.2 core-schema resolution.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Sequence(Vec<Node>),
    /// Keys in source order; duplicate keys were rejected by the parser.
    Mapping(Vec<(Node, Node)>),
}

impl Node {
    /// A node without tag or source text, for values built in code.
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span, tag: None, text: None }
    }

    /// Marks every node of the tree, keys included, as coming from the file
    /// with index `file` in the project's file list.
    pub fn set_file(&mut self, file: u32) {
        self.span.file = file;
        match &mut self.value {
            Value::Sequence(items) => items.iter_mut().for_each(|item| item.set_file(file)),
            Value::Mapping(entries) => {
                for (key, value) in entries {
                    key.set_file(file);
                    value.set_file(file);
                }
            }
            _ => {}
        }
    }

    /// The string of a `String` value.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The text of a scalar as compose reads it where a string is expected:
    /// strings as they are, other scalars as written in the file (or in their
    /// canonical form for built nodes). `None` for null and collections.
    pub fn scalar_text(&self) -> Option<String> {
        if let Some(text) = &self.text {
            return Some(text.clone());
        }
        match &self.value {
            Value::String(text) => Some(text.clone()),
            Value::Bool(value) => Some(value.to_string()),
            Value::Int(value) => Some(value.to_string()),
            Value::Float(value) => Some(format_float(*value)),
            Value::Null | Value::Sequence(_) | Value::Mapping(_) => None,
        }
    }

    /// The kind of value, as used in "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a sequence",
            Value::Mapping(_) => "a mapping",
        }
    }

    /// The value of `key` in a mapping whose keys are strings.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Mapping(entries) => {
                entries.iter().find(|(name, _)| name.as_str() == Some(key)).map(|(_, value)| value)
            }
            _ => None,
        }
    }
}

/// Writes a float the way YAML 1.2 reads it back (`.inf`, `.nan`, `1.0`).
pub(crate) fn format_float(value: f64) -> String {
    if value.is_nan() {
        ".nan".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { ".inf".to_owned() } else { "-.inf".to_owned() }
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.1}")
    } else {
        value.to_string()
    }
}

impl Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};

        match &self.value {
            Value::Null => serializer.serialize_none(),
            Value::Bool(value) => serializer.serialize_bool(*value),
            Value::Int(value) => serializer.serialize_i64(*value),
            Value::Float(value) => serializer.serialize_f64(*value),
            Value::String(value) => serializer.serialize_str(value),
            Value::Sequence(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Mapping(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// Any YAML value: the model keeps such nodes without reading them.
impl schemars::JsonSchema for Node {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AnyValue".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!(true)
    }
}
