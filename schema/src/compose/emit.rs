//! The normalized model as YAML, in long forms with a fixed key order.
//!
//! The model's `Serialize` output is collected into a small tree and written
//! in block style. Keys keep the order of the model's fields, and maps are
//! `BTreeMap`s, so the output is the same on every run. Strings are quoted
//! whenever the YAML 1.2 core schema (or a YAML 1.1 reader) would read them as
//! something else, and `$` in values is written as `$$`, so loading the output
//! again yields the same model.

use std::fmt;

use serde::ser::{self, Serialize};

use crate::compose::model::Project;
use crate::yaml::{resolve_plain, Value};

/// Writes `project` as a compose file.
pub fn to_yaml(project: &Project) -> String {
    let tree = project.serialize(TreeSerializer { escape_dollar: true }).expect("the compose model serializes to a YAML tree");
    let mut output = String::new();
    write_block(&mut output, &tree, 0);
    output
}

/// A YAML value before it is written out.
#[derive(Clone, Debug, PartialEq)]
enum Tree {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    String(String),
    Sequence(Vec<Tree>),
    Mapping(Vec<(Tree, Tree)>),
}

/// Writes a mapping or sequence at `indent`; scalars become one line.
fn write_block(output: &mut String, tree: &Tree, indent: usize) {
    let pad = " ".repeat(indent);
    match tree {
        Tree::Mapping(entries) if !entries.is_empty() => {
            for (key, value) in entries {
                output.push_str(&pad);
                output.push_str(&scalar(key));
                output.push(':');
                write_value(output, value, indent + 2);
            }
        }
        Tree::Sequence(items) if !items.is_empty() => {
            for item in items {
                output.push_str(&pad);
                output.push('-');
                match item {
                    Tree::Mapping(entries) if !entries.is_empty() => {
                        // The first key goes on the line of the dash.
                        let mut nested = String::new();
                        write_block(&mut nested, item, indent + 2);
                        output.push(' ');
                        output.push_str(&nested[indent + 2..]);
                    }
                    _ => write_value(output, item, indent + 2),
                }
            }
        }
        _ => {
            output.push_str(&pad);
            output.push_str(&scalar(tree));
            output.push('\n');
        }
    }
}

/// Writes the value of a mapping entry or sequence item after its `:` or `-`.
fn write_value(output: &mut String, value: &Tree, indent: usize) {
    match value {
        Tree::Mapping(entries) if !entries.is_empty() => {
            output.push('\n');
            write_block(output, value, indent);
        }
        Tree::Sequence(items) if !items.is_empty() => {
            output.push('\n');
            write_block(output, value, indent);
        }
        _ => {
            output.push(' ');
            output.push_str(&scalar(value));
            output.push('\n');
        }
    }
}

fn scalar(tree: &Tree) -> String {
    match tree {
        Tree::Null => "null".to_owned(),
        Tree::Bool(value) => value.to_string(),
        Tree::Int(value) => value.to_string(),
        Tree::Float(value) => crate::yaml::format_float(*value),
        Tree::String(text) if is_plain_safe(text) => text.clone(),
        Tree::String(text) => quote(text),
        Tree::Mapping(_) => "{}".to_owned(),
        Tree::Sequence(_) => "[]".to_owned(),
    }
}

/// Words that YAML 1.1 readers take for booleans; quoting them keeps the
/// output portable to tools other than this loader.
const YAML_1_1_WORDS: &[&str] = &["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"];

fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    let allowed = |char: char| char.is_alphanumeric() || " _-./=+:@,()%^~".contains(char);
    (first.is_alphanumeric() || "_/.".contains(first))
        && text.chars().all(allowed)
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !YAML_1_1_WORDS.contains(&text)
        && !looks_numeric(text)
        && matches!(resolve_plain(text), Value::String(_))
}

/// Returns whether a reader could take `text` for a number where this loader's
/// YAML 1.2 core schema reads a string: integers too large for 64 bits,
/// YAML 1.1 digit groups (`1_000`), base-60 numbers (`1:20`) and
/// `0b`/`0x`/`0o` prefixes with digit groups. Quoting these costs nothing and
/// keeps every value of a string map a string for such readers.
fn looks_numeric(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let decimal = unsigned.starts_with(|first: char| first.is_ascii_digit()) && unsigned.chars().all(|char| char.is_ascii_digit() || "_:.".contains(char));
    let prefixed = ["0b", "0x", "0o"].iter().any(|prefix| {
        unsigned.strip_prefix(prefix).is_some_and(|digits| !digits.is_empty() && digits.chars().all(|char| char.is_ascii_hexdigit() || char == '_'))
    });
    decimal || prefixed
}

fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for char in text.chars() {
        match char {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            char if char.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(char))),
            char => quoted.push(char),
        }
    }
    quoted.push('"');
    quoted
}

#[derive(Debug)]
struct EmitError(String);

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EmitError {}

impl ser::Error for EmitError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        EmitError(message.to_string())
    }
}

/// Collects a `Serialize` value into a [`Tree`]. Values have `$` doubled so
/// that interpolation reads them back unchanged; keys are never interpolated
/// and stay as they are.
#[derive(Clone, Copy)]
struct TreeSerializer {
    escape_dollar: bool,
}

struct SequenceBuilder {
    serializer: TreeSerializer,
    items: Vec<Tree>,
}

struct MappingBuilder {
    serializer: TreeSerializer,
    entries: Vec<(Tree, Tree)>,
    pending_key: Option<Tree>,
}

impl ser::Serializer for TreeSerializer {
    type Ok = Tree;
    type Error = EmitError;
    type SerializeSeq = SequenceBuilder;
    type SerializeTuple = SequenceBuilder;
    type SerializeTupleStruct = SequenceBuilder;
    type SerializeTupleVariant = SequenceBuilder;
    type SerializeMap = MappingBuilder;
    type SerializeStruct = MappingBuilder;
    type SerializeStructVariant = MappingBuilder;

    fn serialize_bool(self, value: bool) -> Result<Tree, EmitError> {
        Ok(Tree::Bool(value))
    }
    fn serialize_i8(self, value: i8) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_i16(self, value: i16) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_i32(self, value: i32) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_i64(self, value: i64) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_u8(self, value: u8) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_u16(self, value: u16) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_u32(self, value: u32) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_u64(self, value: u64) -> Result<Tree, EmitError> {
        Ok(Tree::Int(value.into()))
    }
    fn serialize_f32(self, value: f32) -> Result<Tree, EmitError> {
        Ok(Tree::Float(value.into()))
    }
    fn serialize_f64(self, value: f64) -> Result<Tree, EmitError> {
        Ok(Tree::Float(value))
    }
    fn serialize_char(self, value: char) -> Result<Tree, EmitError> {
        self.serialize_str(&value.to_string())
    }
    fn serialize_str(self, value: &str) -> Result<Tree, EmitError> {
        let text = if self.escape_dollar { value.replace('$', "$$") } else { value.to_owned() };
        Ok(Tree::String(text))
    }
    fn serialize_bytes(self, _value: &[u8]) -> Result<Tree, EmitError> {
        Err(EmitError("bytes have no YAML form".to_owned()))
    }
    fn serialize_none(self) -> Result<Tree, EmitError> {
        Ok(Tree::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Tree, EmitError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Tree, EmitError> {
        Ok(Tree::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Tree, EmitError> {
        Ok(Tree::Null)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Tree, EmitError> {
        Ok(Tree::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result<Tree, EmitError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Tree, EmitError> {
        Ok(Tree::Mapping(vec![(Tree::String(variant.to_owned()), value.serialize(self)?)]))
    }
    fn serialize_seq(self, length: Option<usize>) -> Result<SequenceBuilder, EmitError> {
        Ok(SequenceBuilder { serializer: self, items: Vec::with_capacity(length.unwrap_or(0)) })
    }
    fn serialize_tuple(self, length: usize) -> Result<SequenceBuilder, EmitError> {
        self.serialize_seq(Some(length))
    }
    fn serialize_tuple_struct(self, _name: &'static str, length: usize) -> Result<SequenceBuilder, EmitError> {
        self.serialize_seq(Some(length))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _length: usize,
    ) -> Result<SequenceBuilder, EmitError> {
        Err(EmitError("tuple variants have no compose form".to_owned()))
    }
    fn serialize_map(self, _length: Option<usize>) -> Result<MappingBuilder, EmitError> {
        Ok(MappingBuilder { serializer: self, entries: Vec::new(), pending_key: None })
    }
    fn serialize_struct(self, _name: &'static str, _length: usize) -> Result<MappingBuilder, EmitError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _length: usize,
    ) -> Result<MappingBuilder, EmitError> {
        Err(EmitError("struct variants have no compose form".to_owned()))
    }
}

impl ser::SerializeSeq for SequenceBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EmitError> {
        self.items.push(value.serialize(self.serializer)?);
        Ok(())
    }
    fn end(self) -> Result<Tree, EmitError> {
        Ok(Tree::Sequence(self.items))
    }
}

impl ser::SerializeTuple for SequenceBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EmitError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Tree, EmitError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SequenceBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EmitError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Tree, EmitError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for SequenceBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EmitError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Tree, EmitError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for MappingBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), EmitError> {
        self.pending_key = Some(key.serialize(TreeSerializer { escape_dollar: false })?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EmitError> {
        let key = self.pending_key.take().ok_or_else(|| EmitError("a map value came without its key".to_owned()))?;
        self.entries.push((key, value.serialize(self.serializer)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, EmitError> {
        Ok(Tree::Mapping(self.entries))
    }
}

impl ser::SerializeStruct for MappingBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), EmitError> {
        self.entries.push((Tree::String(key.to_owned()), value.serialize(self.serializer)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, EmitError> {
        Ok(Tree::Mapping(self.entries))
    }
}

impl ser::SerializeStructVariant for MappingBuilder {
    type Ok = Tree;
    type Error = EmitError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), EmitError> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<Tree, EmitError> {
        ser::SerializeStruct::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_quoted_strings() {
        for text in ["nginx", "nginx:1.25", "/var/lib/data", "a=b", "hello world"] {
            assert!(is_plain_safe(text), "{text} should be plain");
        }
        for text in ["", "yes", "on", "0123", "80", "1.5", "true", "null", "~", "- a", "a: b", "a #b", "*alias", "<<", ":x", "x:", " a"] {
            assert!(!is_plain_safe(text), "{text:?} should be quoted");
        }
    }

    #[test]
    fn numbers_for_other_readers_quoted() {
        for text in ["12345678901234567890123", "1_000", "1:20", "190:20:30.15", "1.2.3", "0b1010", "0x_FF", "0xFFFFFFFFFFFFFFFFFFFF", "1_000.5"] {
            assert!(!is_plain_safe(text), "{text:?} should be quoted");
        }
    }
}
