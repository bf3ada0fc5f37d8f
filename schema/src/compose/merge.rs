//! Merging of several compose files (`-f a.yaml -f b.yaml`) into one tree,
//! with the Compose Specification's rules:
//! - mappings merge key by key, and a later scalar replaces an earlier one;
//! - `command`, `entrypoint` and `healthcheck.test` of a service are replaced;
//! - `environment`, `labels` and the other `list_or_dict` values merge by
//!   name, whichever of the two syntaxes each file uses;
//! - `depends_on` and service `networks` merge by name;
//! - `ports` merge by their full key (`host_ip:published:target/protocol`),
//!   `volumes` by target: a later entry replaces the earlier one with its key;
//! - `logging` of a service is replaced when the two files name different
//!   drivers, so that options of one driver never reach another;
//! - `dns`, `dns_search`, `tmpfs` and `extra_hosts` append whether each file
//!   writes a string, a list or (`extra_hosts`) a mapping;
//! - other sequences append, leaving out scalars already present;
//! - `!override` replaces the earlier value instead of merging, and `!reset`
//!   removes it (in the first file too).
//!
//! Each node keeps the [`Span`](crate::diag::Span) of its own file, so later
//! errors point into the file that wrote the value.

use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics};
use crate::yaml::{Node, Value};

const RESET: &str = "!reset";
const OVERRIDE: &str = "!override";

/// Merges the interpolated roots of the files in order and resolves `!reset`
/// and `!override`. `files[i]` is the path of `roots[i]`, for diagnostics.
pub fn merge_files(roots: Vec<Node>, files: &[std::path::PathBuf]) -> (Node, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut roots = roots.into_iter();
    let Some(mut merged) = roots.next() else {
        return (Node::new(Value::Null, Default::default()), diagnostics);
    };
    let mut path = Vec::new();
    check_tags(&merged, files, &mut path, &mut diagnostics);
    strip_reset(&mut merged);
    for root in roots {
        check_tags(&root, files, &mut path, &mut diagnostics);
        merged = merge(merged, root, &mut path);
    }
    clear_override(&mut merged);
    (merged, diagnostics)
}

/// Merges `overlay` onto `base`; `path` contains the keys from the root.
fn merge(base: Node, overlay: Node, path: &mut Vec<String>) -> Node {
    if overlay.tag.as_deref() == Some(OVERRIDE) {
        let mut overlay = overlay;
        strip_reset(&mut overlay);
        return overlay;
    }
    let rule = rule(path);
    match rule {
        Rule::Replace => return without_resets(overlay),
        Rule::ByName => {
            if let (Some(base), Some(overlay)) = (as_named_mapping(&base, path), as_named_mapping(&overlay, path)) {
                return merge_structure(base, overlay, path);
            }
        }
        Rule::Keyed(key) => {
            if let (Value::Sequence(base_items), Value::Sequence(_)) = (&base.value, &overlay.value) {
                let mut items = base_items.clone();
                let Value::Sequence(overlay_items) = without_resets(overlay).value else { unreachable!() };
                for item in overlay_items {
                    let item_key = key(&item);
                    match items.iter_mut().find(|existing| item_key.is_some() && key(existing) == item_key) {
                        Some(existing) => *existing = item,
                        None => items.push(item),
                    }
                }
                return Node { value: Value::Sequence(items), ..base };
            }
        }
        Rule::Logging => {
            let driver = |node: &Node| node.get("driver").and_then(Node::scalar_text);
            if let (Some(earlier), Some(later)) = (driver(&base), driver(&overlay))
                && earlier != later
            {
                return without_resets(overlay);
            }
        }
        Rule::Sequence => {
            if let (Some(base), Some(overlay)) = (as_sequence(&base), as_sequence(&overlay)) {
                return merge_structure(base, overlay, path);
            }
        }
        Rule::Default => {}
    }
    merge_structure(base, overlay, path)
}

/// Merges mappings key by key and appends sequences; anything else is replaced.
fn merge_structure(base: Node, overlay: Node, path: &mut Vec<String>) -> Node {
    match (base.value, overlay.value) {
        (Value::Mapping(mut entries), Value::Mapping(overlay_entries)) => {
            for (key, value) in overlay_entries {
                let position = entries.iter().position(|(existing, _)| existing.value == key.value);
                if value.tag.as_deref() == Some(RESET) {
                    if let Some(position) = position {
                        entries.remove(position);
                    }
                    continue;
                }
                path.push(key.scalar_text().unwrap_or_default());
                match position {
                    Some(position) => {
                        let (existing_key, existing) = entries.remove(position);
                        let merged = merge(existing, value, path);
                        entries.insert(position, (existing_key, merged));
                    }
                    None => entries.push((key, without_resets(value))),
                }
                path.pop();
            }
            Node { value: Value::Mapping(entries), span: base.span, tag: None, text: None }
        }
        (Value::Sequence(mut items), Value::Sequence(overlay_items)) => {
            // NOTE: docker compose leaves out repeated scalars only in listed
            // sequences (dns, cap_add, expose, ...); this does it in every one.
            for item in overlay_items {
                if item.tag.as_deref() == Some(RESET) {
                    continue;
                }
                let is_scalar = !matches!(item.value, Value::Sequence(_) | Value::Mapping(_));
                if is_scalar && items.iter().any(|existing| existing.value == item.value) {
                    continue;
                }
                items.push(without_resets(item));
            }
            Node { value: Value::Sequence(items), span: base.span, tag: None, text: None }
        }
        (_, value) => without_resets(Node { value, ..overlay }),
    }
}

enum Rule {
    Default,
    Replace,
    /// A list of `NAME=value` strings or a mapping, merged by name.
    ByName,
    /// A sequence whose entries are replaced by later ones with the same key.
    Keyed(fn(&Node) -> Option<String>),
    /// `logging`: merged key by key when both files name the same driver, or
    /// one names none, and replaced when the drivers differ.
    Logging,
    /// A string or a sequence (`dns`, `tmpfs`), or for `extra_hosts` also a
    /// mapping, brought to a sequence so that a later file appends to it.
    Sequence,
}

/// The merge rule for the value at `path`.
fn rule(path: &[String]) -> Rule {
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    match keys.as_slice() {
        ["services", _, "command" | "entrypoint"] | ["services", _, "healthcheck", "test"] => Rule::Replace,
        ["services", _, "environment" | "labels" | "annotations" | "sysctls" | "depends_on" | "networks"]
        | ["services", _, "build", "args" | "labels"]
        | ["services", _, "deploy", "labels"]
        | ["networks" | "volumes" | "secrets" | "configs", _, "labels"] => Rule::ByName,
        ["services", _, "ports"] => Rule::Keyed(port_key),
        ["services", _, "logging"] => Rule::Logging,
        ["services", _, "dns" | "dns_search" | "tmpfs" | "extra_hosts"] | ["services", _, "build", "extra_hosts"] => Rule::Sequence,
        ["services", _, "volumes"] => Rule::Keyed(volume_key),
        _ => Rule::Default,
    }
}

/// The sequence form of a string, a sequence, or an `extra_hosts` mapping
/// (`host: ip` as `host=ip`, one item per address); `None` for anything else.
fn as_sequence(node: &Node) -> Option<Node> {
    let items = match &node.value {
        Value::Sequence(_) => return Some(node.clone()),
        Value::String(_) => vec![node.clone()],
        Value::Mapping(entries) => {
            let mut items = Vec::new();
            for (key, value) in entries {
                let host = key.scalar_text()?;
                let addresses = match &value.value {
                    Value::Sequence(addresses) => addresses.iter().map(|address| (address.scalar_text(), address.span)).collect(),
                    _ => vec![(value.scalar_text(), value.span)],
                };
                for (address, span) in addresses {
                    items.push(Node::new(Value::String(format!("{host}={}", address.unwrap_or_default())), span));
                }
            }
            items
        }
        _ => return None,
    };
    Some(Node { value: Value::Sequence(items), tag: None, text: None, ..node.clone() })
}

/// The mapping form of a `list_or_dict` value, `depends_on` or service
/// `networks`; `None` when the value has neither form, so the default rule
/// applies and later stages report the type error.
fn as_named_mapping(node: &Node, path: &[String]) -> Option<Node> {
    let items = match &node.value {
        Value::Mapping(_) => return Some(node.clone()),
        Value::Null => return Some(Node { value: Value::Mapping(Vec::new()), ..node.clone() }),
        Value::Sequence(items) => items,
        _ => return None,
    };
    let last = path.last().map_or("", String::as_str);
    let mut entries = Vec::new();
    for item in items {
        let text = item.scalar_text()?;
        let (name, value) = match last {
            "depends_on" => (text, condition_started(item)),
            "networks" => (text, Node::new(Value::Null, item.span)),
            _ => match text.split_once('=') {
                Some((name, value)) => (name.to_owned(), Node::new(Value::String(value.to_owned()), item.span)),
                None => (text, Node::new(Value::Null, item.span)),
            },
        };
        let key = Node::new(Value::String(name), item.span);
        entries.retain(|(existing, _): &(Node, Node)| existing.value != key.value);
        entries.push((key, value));
    }
    Some(Node { value: Value::Mapping(entries), span: node.span, tag: node.tag.clone(), text: None })
}

/// `{condition: service_started}`, the long form of a `depends_on` list item.
fn condition_started(item: &Node) -> Node {
    let key = Node::new(Value::String("condition".to_owned()), item.span);
    let value = Node::new(Value::String("service_started".to_owned()), item.span);
    Node::new(Value::Mapping(vec![(key, value)]), item.span)
}

/// `host_ip:published:target/protocol` of a long port, or the short syntax as written.
fn port_key(item: &Node) -> Option<String> {
    if let Value::Mapping(_) = item.value {
        let field = |name: &str| item.get(name).and_then(Node::scalar_text).unwrap_or_default();
        let protocol = item.get("protocol").and_then(Node::scalar_text).unwrap_or_else(|| "tcp".to_owned());
        return Some(format!("{}:{}:{}/{protocol}", field("host_ip"), field("published"), field("target")));
    }
    item.scalar_text()
}

/// The container path of a mount: `target` of the long syntax, or the part
/// after the source in `SOURCE:TARGET[:MODE]`.
fn volume_key(item: &Node) -> Option<String> {
    if let Value::Mapping(_) = item.value {
        return item.get("target").and_then(Node::scalar_text);
    }
    let text = item.scalar_text()?;
    let parts: Vec<&str> = text.split(':').collect();
    Some(if parts.len() >= 2 { parts[1] } else { parts[0] }.to_owned())
}

fn without_resets(mut node: Node) -> Node {
    strip_reset(&mut node);
    node
}

/// Removes entries and items tagged `!reset`, at any depth.
fn strip_reset(node: &mut Node) {
    match &mut node.value {
        Value::Mapping(entries) => {
            entries.retain(|(_, value)| value.tag.as_deref() != Some(RESET));
            entries.iter_mut().for_each(|(_, value)| strip_reset(value));
        }
        Value::Sequence(items) => {
            items.retain(|item| item.tag.as_deref() != Some(RESET));
            items.iter_mut().for_each(strip_reset);
        }
        _ => {}
    }
    if node.tag.as_deref() == Some(RESET) {
        node.tag = None;
    }
}

fn clear_override(node: &mut Node) {
    if node.tag.as_deref() == Some(OVERRIDE) {
        node.tag = None;
    }
    match &mut node.value {
        Value::Mapping(entries) => entries.iter_mut().for_each(|(_, value)| clear_override(value)),
        Value::Sequence(items) => items.iter_mut().for_each(clear_override),
        _ => {}
    }
}

/// Reports local tags other than `!reset` and `!override`, which compose does
/// not define. Core-schema tags (`!!str`, `!!int`, ...) are left to the parser.
fn check_tags(node: &Node, files: &[std::path::PathBuf], path: &mut Vec<String>, diagnostics: &mut Diagnostics) {
    if let Some(tag) = node.tag.as_deref().filter(|tag| tag.starts_with('!') && !tag.starts_with("!!") && *tag != RESET && *tag != OVERRIDE) {
        let dotted = dotted(path);
        let file = files.get(node.span.file as usize).or(files.first()).cloned().unwrap_or_default();
        diagnostics.push(
            Diagnostic::error(code::MERGE_TAG, messages::merge_tag(tag, &dotted), &file, node.span)
                .with_path(dotted)
                .with_help(messages::MERGE_TAG_HELP),
        );
    }
    match &node.value {
        Value::Mapping(entries) => {
            for (key, value) in entries {
                path.push(key.scalar_text().unwrap_or_default());
                check_tags(value, files, path, diagnostics);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                let last = path.pop().unwrap_or_default();
                path.push(format!("{last}[{index}]"));
                check_tags(item, files, path, diagnostics);
                path.pop();
                path.push(last);
            }
        }
        _ => {}
    }
}

fn dotted(path: &[String]) -> String {
    path.join(".")
}

/// Merges a service onto the service it `extends`, with the rules that merge
/// files: the extending service's values win, keyed lists merge by key.
pub fn merge_service(base: Node, overlay: Node, name: &str) -> Node {
    let mut path = vec!["services".to_owned(), name.to_owned()];
    let mut merged = merge(base, overlay, &mut path);
    clear_override(&mut merged);
    merged
}
