//! Builds the [`Node`] tree from the events of `saphyr-parser`.
//!
//! `saphyr-parser` reports every event with a character range, which keeps
//! positions on valid values too; the tree builder on top of it resolves
//! scalars, expands aliases, applies merge keys and rejects duplicate keys.

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::node::{Node, Value};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// The maximum number of nodes that aliases may add to a document in total.
/// A compose file repeats a few blocks of tens of nodes, while an alias bomb
/// (`a: [*b, *b, ...]` nested a few levels) reaches billions, so a limit far
/// above real files stops bombs before any memory is spent on them.
pub const MAX_ALIAS_EXPANSION: usize = 100_000;

/// The maximum depth of nested collections, which keeps the recursive builder
/// far from the end of the stack.
pub const MAX_NESTING: usize = 256;

/// The deepest flow nesting (`[[[...`) that `saphyr-parser` scans: it counts
/// flow levels in a `u8` and stops with "recursion limit exceeded" beyond it.
const MAX_FLOW_NESTING: usize = u8::MAX as usize;

/// Parses the first and only YAML document of `source`. An empty source is a
/// `Null` node; a second document is an error, for formats that read one
/// document per file.
pub fn parse(source: &str, file: &Path) -> Result<Node, Diagnostics> {
    let mut documents = parse_stream(source, file, true)?;
    Ok(documents.pop().unwrap_or_else(|| Node::new(Value::Null, Positions::new(source).span_at_start())))
}

/// Parses every YAML document of `source`, in order, each node keeping its
/// position in the whole text. An empty document (`---` followed by nothing)
/// is left out, so an empty source gives no document. Anchors belong to their
/// document, while the alias limit counts across the whole source.
pub fn parse_documents(source: &str, file: &Path) -> Result<Vec<Node>, Diagnostics> {
    parse_stream(source, file, false)
}

fn parse_stream(source: &str, file: &Path, single: bool) -> Result<Vec<Node>, Diagnostics> {
    // The scanner takes a NUL for the end of the input and reports a
    // misleading error, so the character is found first.
    if let Some(offset) = source.find('\0') {
        let before = &source[..offset];
        let line = before.matches('\n').count() as u32 + 1;
        let column = before.rsplit('\n').next().unwrap_or_default().chars().count() as u32 + 1;
        let span = Span { start: offset, end: offset + 1, line, column, file: 0 };
        let diagnostic = Diagnostic::error(code::YAML_SYNTAX, messages::yaml_syntax("a NUL character (U+0000) is not allowed"), file, span)
            .with_help(messages::YAML_NUL_HELP);
        return Err(Diagnostics(vec![diagnostic]));
    }
    let mut builder = Builder {
        parser: Parser::new_from_str(source),
        source,
        positions: Positions::new(source),
        file,
        anchors: HashMap::new(),
        expanded: 0,
        errors: Diagnostics::default(),
    };
    match builder.documents(single) {
        Ok(documents) if !builder.errors.has_errors() => Ok(documents),
        Ok(_) => Err(builder.errors),
        Err(fatal) => {
            builder.errors.push(fatal);
            Err(builder.errors)
        }
    }
}

type Spanned<'input> = (Event<'input>, saphyr_parser::Span);

struct Builder<'input, 'file> {
    parser: Parser<'input, saphyr_parser::StrInput<'input>>,
    source: &'input str,
    positions: Positions,
    file: &'file Path,
    /// Anchored nodes with their node counts and heights.
    anchors: HashMap<usize, Anchored>,
    expanded: usize,
    /// Errors that do not stop the build, such as duplicate keys.
    errors: Diagnostics,
}

/// An anchored node with what an alias to it adds: its node count, and its
/// height (0 for a scalar), which decides how deep the alias reaches.
struct Anchored {
    node: Node,
    size: usize,
    height: usize,
}

/// One entry of a mapping before merge keys are applied.
enum Entry {
    Explicit(Node, Node),
    Merge(Vec<(Node, Node)>),
}

impl<'input> Builder<'input, '_> {
    fn next(&mut self) -> Result<Spanned<'input>, Diagnostic> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(error)) => Err(self.scan_error(&error)),
            None => Err(Diagnostic::error(
                code::YAML_SYNTAX,
                messages::yaml_syntax("unexpected end of input"),
                self.file,
                self.positions.span_at_end(),
            )),
        }
    }

    fn scan_error(&self, error: &ScanError) -> Diagnostic {
        let marker = error.marker();
        let span = self.positions.span(marker, marker);
        if error.info() == "recursion limit exceeded" {
            return Diagnostic::error(code::YAML_NESTING_LIMIT, messages::nesting_limit(MAX_FLOW_NESTING), self.file, span);
        }
        Diagnostic::error(code::YAML_SYNTAX, messages::yaml_syntax(error.info()), self.file, span)
            .with_help(messages::yaml_syntax_help(error.info()))
    }

    /// Builds the documents of the stream. With `single`, a second document
    /// is an error and the first is kept even when empty.
    fn documents(&mut self, single: bool) -> Result<Vec<Node>, Diagnostic> {
        let mut documents = Vec::new();
        let mut seen = false;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) if single && seen => {
                    let span = self.positions.span(&span.start, &span.end);
                    return Err(Diagnostic::error(code::YAML_MULTIPLE_DOCUMENTS, messages::MULTIPLE_DOCUMENTS, self.file, span)
                        .with_help(messages::MULTIPLE_DOCUMENTS_HELP));
                }
                Event::DocumentStart(_) => {
                    seen = true;
                    self.anchors.clear();
                    let (event, span) = self.next()?;
                    let root = self.node(event, span, 0)?;
                    if single || !self.is_empty_document(&root) {
                        documents.push(root);
                    }
                }
                _ => {
                    let span = self.positions.span(&span.start, &span.end);
                    return Err(Diagnostic::error(code::YAML_SYNTAX, messages::yaml_syntax("unexpected event"), self.file, span));
                }
            }
        }
        Ok(documents)
    }

    /// Tells whether `root` is a document with no content. The parser reports
    /// one as a plain null scalar that is empty or sits on the next token.
    fn is_empty_document(&self, root: &Node) -> bool {
        let written = self.source.get(root.span.start..root.span.end).unwrap_or_default();
        matches!(root.value, Value::Null) && root.tag.is_none() && (written.is_empty() || root.text.as_deref() != Some(written))
    }

    fn node(&mut self, event: Event<'input>, span: saphyr_parser::Span, depth: usize) -> Result<Node, Diagnostic> {
        let start = self.positions.span(&span.start, &span.end);
        if depth > MAX_NESTING {
            return Err(Diagnostic::error(code::YAML_NESTING_LIMIT, messages::nesting_limit(MAX_NESTING), self.file, start));
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let node = scalar(&text, style, tag.as_deref(), start);
                Ok(self.anchor(anchor, node, 1))
            }
            Event::Alias(anchor) => self.alias(anchor, start, depth),
            Event::SequenceStart(anchor, tag) => {
                let mut items = Vec::new();
                let mut size = 1;
                loop {
                    let (event, span) = self.next()?;
                    if let Event::SequenceEnd = event {
                        break;
                    }
                    let item = self.node(event, span, depth + 1)?;
                    size += count(&item);
                    items.push(item);
                }
                let span = extend(start, items.last().map(|item| item.span));
                let node = Node { value: Value::Sequence(items), span, tag: tag_name(tag.as_deref()), text: None };
                Ok(self.anchor(anchor, node, size))
            }
            Event::MappingStart(anchor, tag) => {
                let entries = self.entries(depth)?;
                let entries = self.merge(entries);
                let size = 1 + entries.iter().map(|(key, value)| count(key) + count(value)).sum::<usize>();
                let span = extend(start, entries.last().map(|(_, value)| value.span));
                let node = Node { value: Value::Mapping(entries), span, tag: tag_name(tag.as_deref()), text: None };
                Ok(self.anchor(anchor, node, size))
            }
            _ => Err(Diagnostic::error(code::YAML_SYNTAX, messages::yaml_syntax("unexpected event"), self.file, start)),
        }
    }

    fn entries(&mut self, depth: usize) -> Result<Vec<Entry>, Diagnostic> {
        let mut entries = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if let Event::MappingEnd = event {
                break;
            }
            let is_merge = matches!(&event, Event::Scalar(text, ScalarStyle::Plain, _, None) if text == "<<");
            let key = self.node(event, span, depth + 1)?;
            let (event, span) = self.next()?;
            let value = self.node(event, span, depth + 1)?;
            if is_merge {
                entries.push(Entry::Merge(self.merge_sources(value)));
            } else {
                entries.push(Entry::Explicit(key, value));
            }
        }
        Ok(entries)
    }

    /// The entries that a `<<` value brings in: one mapping, or a sequence of
    /// mappings where earlier mappings win over later ones.
    fn merge_sources(&mut self, value: Node) -> Vec<(Node, Node)> {
        let mut merged: Vec<(Node, Node)> = Vec::new();
        let sources = match value.value {
            Value::Mapping(entries) => vec![entries],
            Value::Sequence(items) => {
                let mut sources = Vec::new();
                for item in items {
                    match item.value {
                        Value::Mapping(entries) => sources.push(entries),
                        _ => self.errors.push(Diagnostic::error(code::YAML_MERGE, messages::merge_value(item.kind()), self.file, item.span)),
                    }
                }
                sources
            }
            _ => {
                self.errors.push(Diagnostic::error(code::YAML_MERGE, messages::merge_value(value.kind()), self.file, value.span));
                Vec::new()
            }
        };
        for entries in sources {
            for (key, value) in entries {
                if !merged.iter().any(|(existing, _)| same_key(existing, &key)) {
                    merged.push((key, value));
                }
            }
        }
        merged
    }

    /// Applies merge keys: explicit keys win wherever they appear, merged
    /// entries take the place of their `<<`. Duplicate explicit keys are errors.
    fn merge(&mut self, entries: Vec<Entry>) -> Vec<(Node, Node)> {
        let mut explicit: HashMap<String, Span> = HashMap::new();
        for entry in &entries {
            let Entry::Explicit(key, _) = entry else { continue };
            let Some(identity) = key_identity(key) else { continue };
            if let Some(first) = explicit.get(&identity) {
                let name = key.scalar_text().unwrap_or_else(|| identity.clone());
                self.errors.push(
                    Diagnostic::error(code::YAML_DUPLICATE_KEY, messages::duplicate_key(&name), self.file, key.span)
                        .with_label(*first, messages::DUPLICATE_KEY_FIRST)
                        .with_help(messages::DUPLICATE_KEY_HELP),
                );
            } else {
                explicit.insert(identity, key.span);
            }
        }

        let mut result: Vec<(Node, Node)> = Vec::new();
        for entry in entries {
            match entry {
                Entry::Explicit(key, value) => result.push((key, value)),
                Entry::Merge(merged) => {
                    for (key, value) in merged {
                        let shadowed = key_identity(&key).is_some_and(|identity| explicit.contains_key(&identity));
                        if !shadowed && !result.iter().any(|(existing, _)| same_key(existing, &key)) {
                            result.push((key, value));
                        }
                    }
                }
            }
        }
        result
    }

    fn anchor(&mut self, anchor: usize, node: Node, size: usize) -> Node {
        if anchor != 0 {
            let height = height(&node);
            self.anchors.insert(anchor, Anchored { node: node.clone(), size, height });
        }
        node
    }

    /// Copies the anchored node to `depth`. The copy must stay within the
    /// nesting limit too: aliases of aliases would otherwise build a tree
    /// deep enough to overflow the stack of every recursive walk over it.
    fn alias(&mut self, anchor: usize, span: Span, depth: usize) -> Result<Node, Diagnostic> {
        let Some(Anchored { node, size, height }) = self.anchors.get(&anchor) else {
            return Err(Diagnostic::error(code::YAML_SYNTAX, messages::UNKNOWN_ANCHOR, self.file, span));
        };
        if depth + height > MAX_NESTING {
            return Err(Diagnostic::error(code::YAML_NESTING_LIMIT, messages::nesting_limit(MAX_NESTING), self.file, span)
                .with_help(messages::ALIAS_NESTING_HELP));
        }
        self.expanded = self.expanded.saturating_add(*size);
        if self.expanded > MAX_ALIAS_EXPANSION {
            return Err(Diagnostic::error(code::YAML_ALIAS_LIMIT, messages::alias_limit(MAX_ALIAS_EXPANSION), self.file, span)
                .with_help(messages::ALIAS_LIMIT_HELP));
        }
        Ok(node.clone())
    }
}

/// Resolves a scalar with the YAML 1.2 core schema. Quoted and block scalars
/// are strings; so is any scalar tagged `!!str`.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Node {
    let tag = tag_name(tag);
    let forced_string = tag.as_deref() == Some("!!str");
    let value = if style == ScalarStyle::Plain && !forced_string {
        resolve_plain(text)
    } else {
        Value::String(text.to_owned())
    };
    let text = match value {
        Value::String(_) => None,
        _ => Some(text.to_owned()),
    };
    Node { value, span, tag, text }
}

/// The core schema of YAML 1.2 (section 10.3.2): `yes`, `on` and `22:22` stay
/// strings. Integers too large for `i64` also stay strings, so no digit is lost.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(digits) = text.strip_prefix("0x") {
        if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return i64::from_str_radix(digits, 16).map_or_else(|_| Value::String(text.to_owned()), Value::Int);
        }
    }
    if let Some(digits) = text.strip_prefix("0o") {
        if !digits.is_empty() && digits.bytes().all(|byte| (b'0'..=b'7').contains(&byte)) {
            return i64::from_str_radix(digits, 8).map_or_else(|_| Value::String(text.to_owned()), Value::Int);
        }
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse::<i64>().map_or_else(|_| Value::String(text.to_owned()), Value::Int);
    }
    if is_core_float(unsigned) {
        if let Ok(value) = text.parse::<f64>() {
            return Value::Float(value);
        }
    }
    Value::String(text.to_owned())
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` without sign.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            whole.bytes().all(|byte| byte.is_ascii_digit())
                && fraction.bytes().all(|byte| byte.is_ascii_digit())
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|byte| byte.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn tag_name(tag: Option<&Tag>) -> Option<String> {
    let tag = tag?;
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        Some(format!("!!{}", tag.suffix))
    } else {
        Some(format!("{}{}", tag.handle, tag.suffix))
    }
}

/// A comparable identity of a scalar key; collections have none and are
/// never reported as duplicates.
fn key_identity(key: &Node) -> Option<String> {
    match &key.value {
        Value::Null => Some("null".to_owned()),
        Value::Bool(value) => Some(format!("bool:{value}")),
        Value::Int(value) => Some(format!("int:{value}")),
        Value::Float(value) => Some(format!("float:{value}")),
        Value::String(value) => Some(format!("str:{value}")),
        Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

fn same_key(a: &Node, b: &Node) -> bool {
    match (key_identity(a), key_identity(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn count(node: &Node) -> usize {
    match &node.value {
        Value::Sequence(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Mapping(entries) => 1 + entries.iter().map(|(key, value)| count(key) + count(value)).sum::<usize>(),
        _ => 1,
    }
}

/// Counts the collection levels below `node`: 0 for a scalar or an
/// empty collection.
fn height(node: &Node) -> usize {
    match &node.value {
        Value::Sequence(items) => items.iter().map(|item| 1 + height(item)).max().unwrap_or(0),
        Value::Mapping(entries) => entries.iter().map(|(key, value)| 1 + height(key).max(height(value))).max().unwrap_or(0),
        _ => 0,
    }
}

fn extend(start: Span, last: Option<Span>) -> Span {
    match last {
        Some(last) if last.end > start.end => Span { end: last.end, ..start },
        _ => start,
    }
}

/// Converts `saphyr-parser` markers (character index, 0-based column) into
/// byte offsets and 1-based columns.
struct Positions {
    /// The byte offset of each character, or `None` when the source is ASCII
    /// and both are the same.
    byte_offsets: Option<Vec<usize>>,
    len: usize,
    last_line: u32,
}

impl Positions {
    fn new(source: &str) -> Positions {
        let byte_offsets = (!source.is_ascii()).then(|| {
            let mut offsets: Vec<usize> = source.char_indices().map(|(offset, _)| offset).collect();
            offsets.push(source.len());
            offsets
        });
        let last_line = source.lines().count().max(1) as u32;
        Positions { byte_offsets, len: source.len(), last_line }
    }

    fn byte(&self, index: usize) -> usize {
        match &self.byte_offsets {
            Some(offsets) => offsets.get(index).copied().unwrap_or(self.len),
            None => index.min(self.len),
        }
    }

    fn span(&self, start: &saphyr_parser::Marker, end: &saphyr_parser::Marker) -> Span {
        let start_byte = self.byte(start.index());
        Span {
            start: start_byte,
            end: self.byte(end.index()).max(start_byte),
            line: start.line() as u32,
            column: start.col() as u32 + 1,
            file: 0,
        }
    }

    fn span_at_start(&self) -> Span {
        Span { start: 0, end: 0, line: 1, column: 1, file: 0 }
    }

    fn span_at_end(&self) -> Span {
        Span { start: self.len, end: self.len, line: self.last_line, column: 1, file: 0 }
    }
}
