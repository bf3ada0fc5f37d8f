//! Merging of several compose files (`-f a.yaml -f b.yaml`) into one tree,
//! and of a service onto the service it `extends`, with the rules of the
//! Compose Specification as docker compose v2 applies them:
//! - mappings merge key by key and a later scalar replaces an earlier one,
//!   while a later `null` keeps the earlier value;
//! - `command`, `entrypoint` and `healthcheck.test` are replaced, and a later
//!   `null` removes them;
//! - `build` written as a string is its `context`, so it merges with a mapping;
//! - `environment`, `labels` and the other `list_or_dict` values merge by
//!   name, whichever syntax each file uses, and a later entry replaces the
//!   earlier one with its name;
//! - `depends_on`, service `networks` and `models` merge by name too, each
//!   entry as a mapping; a list item of `depends_on` is
//!   `{condition: service_started, required: true}`;
//! - other sequences append. In those whose entries are unique by a key
//!   (see [`rule`]), a later entry replaces the earlier one with its key
//!   instead, in the earlier one's place;
//! - `dns`, `dns_opt`, `dns_search`, `tmpfs`, `env_file`, `label_file` and
//!   `extra_hosts` written as a string are a one-item list, and
//!   `extra_hosts` as a mapping is one `host=ip` item per address. Later
//!   `extra_hosts` items already present are left out;
//! - `logging` is replaced when the two files name different drivers, so
//!   that options of one driver never reach another;
//! - `ipam.config` of a network merges by `subnet`;
//! - `!override` replaces the earlier value instead of merging, and `!reset`
//!   removes it (in the first file too). A `!reset` list item is left out,
//!   without removing an earlier item.
//!
//! Each node keeps the [`Span`](crate::diag::Span) of its own file, so later
//! errors point into the file that wrote the value.

mod keys;

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
        merged = merge(merged, root, &mut path, Tags::Apply);
    }
    clear_override(&mut merged);
    (merged, diagnostics)
}

/// Merges a service onto the service it `extends` (`base`), with the rules
/// that merge files: the extending service's values win, keyed lists merge
/// by key. The `!reset` and `!override` tags of `overlay` act on `base` and
/// stay in the result, because docker compose applies them to the earlier
/// files' definition of the service too; [`merge_files`] resolves them.
pub fn merge_service(base: Node, overlay: Node, name: &str) -> Node {
    let mut base = base;
    strip_reset(&mut base);
    clear_override(&mut base);
    let mut path = vec!["services".to_owned(), name.to_owned()];
    merge(base, overlay, &mut path, Tags::Keep)
}

/// The treatment of the overlay's `!reset` and `!override` tags once they
/// have acted on the base.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tags {
    /// Removed, as when merging files.
    Apply,
    /// Kept, with a `!reset` entry standing in for what it removed, as when
    /// merging `extends`: the files merged later act on them again.
    Keep,
}

/// Merges `overlay` onto `base`; `path` contains the keys from the root.
fn merge(base: Node, overlay: Node, path: &mut Vec<String>, tags: Tags) -> Node {
    if overlay.tag.as_deref() == Some(OVERRIDE) {
        return carried(overlay, tags);
    }
    let rule = rule(path);
    if overlay.value == Value::Null && !matches!(rule, Rule::Replace) {
        return base;
    }
    match rule {
        Rule::Default => {}
        Rule::Replace => return carried(overlay, tags),
        Rule::Build => {
            if let (Some(base), Some(overlay)) = (as_build(&base), as_build(&overlay)) {
                return merge_structure(base, overlay, path, tags);
            }
        }
        Rule::KeyValue => {
            if let (Some(base), Some(overlay)) = (as_key_values(&base), as_key_values(&overlay)) {
                return merge_key_values(base, overlay, tags);
            }
        }
        Rule::ByName(entry) => {
            if let (Some(base), Some(overlay)) = (as_named_mapping(&base, entry), as_named_mapping(&overlay, entry)) {
                return merge_structure(base, overlay, path, tags);
            }
        }
        Rule::Unique { key, from_string } => {
            if let (Some(base), Some(overlay)) = (as_sequence(&base, from_string), as_sequence(&overlay, from_string)) {
                return merge_unique(base, overlay, key, tags);
            }
        }
        Rule::Ports => {
            if let (Some(base), Some(overlay)) = (as_sequence(&base, false), as_sequence(&overlay, false)) {
                return merge_unique(keys::expand_port_ranges(base), keys::expand_port_ranges(overlay), keys::port, tags);
            }
        }
        Rule::Append { from_string } => {
            if let (Some(base), Some(overlay)) = (as_sequence(&base, from_string), as_sequence(&overlay, from_string)) {
                return merge_structure(base, overlay, path, tags);
            }
        }
        Rule::Hosts => {
            if let (Some(base), Some(overlay)) = (as_hosts(&base), as_hosts(&overlay)) {
                return merge_hosts(base, overlay, tags);
            }
        }
        Rule::Logging => {
            let driver = |node: &Node| node.get("driver").and_then(Node::scalar_text);
            if let (Some(earlier), Some(later)) = (driver(&base), driver(&overlay))
                && earlier != later
            {
                return carried(overlay, tags);
            }
        }
        Rule::Subnets => {
            if let (Value::Sequence(_), Value::Sequence(_)) = (&base.value, &overlay.value) {
                return merge_subnets(base, overlay, path, tags);
            }
        }
    }
    merge_structure(base, overlay, path, tags)
}

/// Merges mappings key by key and appends sequences; anything else is replaced.
fn merge_structure(base: Node, overlay: Node, path: &mut Vec<String>, tags: Tags) -> Node {
    match (base.value, overlay.value) {
        (Value::Mapping(mut entries), Value::Mapping(overlay_entries)) => {
            for (key, value) in overlay_entries {
                let position = entries.iter().position(|(existing, _)| existing.value == key.value);
                if value.tag.as_deref() == Some(RESET) {
                    reset_entry(&mut entries, position, key, value, tags);
                    continue;
                }
                path.push(key.scalar_text().unwrap_or_default());
                match position {
                    Some(position) => {
                        let existing = std::mem::replace(&mut entries[position].1, Node::new(Value::Null, value.span));
                        entries[position].1 = merge(existing, value, path, tags);
                    }
                    None => entries.push((key, carried(value, tags))),
                }
                path.pop();
            }
            Node { value: Value::Mapping(entries), span: base.span, tag: None, text: None }
        }
        (Value::Sequence(mut items), Value::Sequence(overlay_items)) => {
            items.extend(overlay_items.into_iter().filter(|item| !is_reset(item)).map(|item| carried(item, tags)));
            Node { value: Value::Sequence(items), span: base.span, tag: None, text: None }
        }
        (_, value) => carried(Node { value, ..overlay }, tags),
    }
}

/// Removes the entry at `position` for a `!reset` entry of the overlay. When
/// merging `extends`, the `!reset` entry takes its place for the files
/// merged later.
fn reset_entry(entries: &mut Vec<(Node, Node)>, position: Option<usize>, key: Node, value: Node, tags: Tags) {
    if let Some(position) = position {
        entries.remove(position);
    }
    if tags == Tags::Keep {
        entries.insert(position.unwrap_or(entries.len()), (key, value));
    }
}

/// Merges `list_or_dict` values: a later entry replaces the earlier one with
/// its name, and keeps the earlier one's place.
fn merge_key_values(base: Node, overlay: Node, tags: Tags) -> Node {
    let (Value::Mapping(mut entries), Value::Mapping(overlay_entries)) = (base.value, overlay.value) else {
        unreachable!("as_key_values returns mappings")
    };
    for (key, value) in overlay_entries {
        let position = entries.iter().position(|(existing, _)| existing.value == key.value);
        if value.tag.as_deref() == Some(RESET) {
            reset_entry(&mut entries, position, key, value, tags);
            continue;
        }
        let value = carried(value, tags);
        match position {
            Some(position) => entries[position].1 = value,
            None => entries.push((key, value)),
        }
    }
    Node { value: Value::Mapping(entries), span: base.span, tag: None, text: None }
}

/// Appends the overlay's items to a sequence whose items are unique by
/// `key`. An overlay item with the key of a base item replaces that item in
/// its place. Items that repeat a key within one file are kept, so that
/// validation reports them as it does in a single file.
fn merge_unique(base: Node, overlay: Node, key: fn(&Node) -> Option<String>, tags: Tags) -> Node {
    let (Value::Sequence(mut items), Value::Sequence(overlay_items)) = (base.value, overlay.value) else {
        unreachable!("as_sequence returns sequences")
    };
    let base_keys: Vec<Option<String>> = items.iter().map(key).collect();
    let mut replaced = vec![false; items.len()];
    for item in overlay_items.into_iter().filter(|item| !is_reset(item)) {
        let item_key = key(&item);
        let earlier = item_key.as_ref().and_then(|item_key| {
            (0..base_keys.len()).find(|&position| !replaced[position] && base_keys[position].as_ref() == Some(item_key))
        });
        let item = carried(item, tags);
        match earlier {
            Some(position) => {
                items[position] = item;
                replaced[position] = true;
            }
            None => items.push(item),
        }
    }
    Node { value: Value::Sequence(items), span: base.span, tag: None, text: None }
}

/// Appends the overlay's `extra_hosts` items that the base does not already have.
fn merge_hosts(base: Node, overlay: Node, tags: Tags) -> Node {
    let (Value::Sequence(mut items), Value::Sequence(overlay_items)) = (base.value, overlay.value) else {
        unreachable!("as_hosts returns sequences")
    };
    for item in overlay_items.into_iter().filter(|item| !is_reset(item)) {
        if !items.iter().any(|existing| existing.value == item.value) {
            items.push(carried(item, tags));
        }
    }
    Node { value: Value::Sequence(items), span: base.span, tag: None, text: None }
}

/// Merges `ipam.config` items by `subnet`: an overlay item merges as a
/// mapping onto the base item with the same subnet, and others are appended.
fn merge_subnets(base: Node, overlay: Node, path: &mut Vec<String>, tags: Tags) -> Node {
    let (Value::Sequence(mut items), Value::Sequence(overlay_items)) = (base.value, overlay.value) else {
        unreachable!("the caller checked for sequences")
    };
    let subnet = |node: &Node| node.get("subnet").and_then(Node::scalar_text);
    for item in overlay_items.into_iter().filter(|item| !is_reset(item)) {
        let item_subnet = subnet(&item);
        let earlier = item_subnet.as_ref().and_then(|item_subnet| items.iter().position(|existing| subnet(existing).as_ref() == Some(item_subnet)));
        match earlier {
            Some(position) => {
                let existing = std::mem::replace(&mut items[position], Node::new(Value::Null, item.span));
                path.push(item_subnet.unwrap_or_default());
                items[position] = merge_structure(existing, item, path, tags);
                path.pop();
            }
            None => items.push(carried(item, tags)),
        }
    }
    Node { value: Value::Sequence(items), span: base.span, tag: None, text: None }
}

#[derive(Clone, Copy)]
enum Rule {
    Default,
    /// Replaced as a whole, also by `null`.
    Replace,
    /// A string (the `context`) or a mapping.
    Build,
    /// A `list_or_dict`: `NAME=value` strings or a mapping, merged by name
    /// with later entries replacing earlier ones.
    KeyValue,
    /// A list of names or a mapping, merged by name with entries merging as
    /// mappings. A listed name has the value [`Entry`] gives it.
    ByName(Entry),
    /// A sequence whose items are unique by `key`; with `from_string`, a
    /// string is a one-item sequence.
    Unique { key: fn(&Node) -> Option<String>, from_string: bool },
    /// `ports`: unique by `host_ip:published:target/protocol`, with each
    /// port of a short-syntax range counted on its own.
    Ports,
    /// A sequence that appends; with `from_string`, a string is a one-item sequence.
    Append { from_string: bool },
    /// `extra_hosts`: a string, a sequence or a mapping, brought to a sequence.
    Hosts,
    /// `logging`: merged key by key when both files name the same driver, or
    /// one names none, and replaced when the drivers differ.
    Logging,
    /// `ipam.config` of a network, merged by `subnet`.
    Subnets,
}

/// The value of a name written in the list syntax of a [`Rule::ByName`] value.
#[derive(Clone, Copy)]
enum Entry {
    Null,
    /// `{condition: service_started, required: true}`, the long form of a
    /// `depends_on` list item.
    Dependency,
}

/// The merge rule for the value at `path`: the special rules of docker
/// compose v2 (compose-go's `mergeSpecials`) and the sequences whose items it
/// keeps unique (`EnforceUnicity`).
fn rule(path: &[String]) -> Rule {
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    let unique = |key, from_string| Rule::Unique { key, from_string };
    match keys.as_slice() {
        ["services", _, "command" | "entrypoint"] | ["services", _, "healthcheck", "test"] => Rule::Replace,
        ["services", _, "build"] => Rule::Build,
        ["services", _, "environment" | "labels" | "annotations" | "sysctls"]
        | ["services", _, "build", "args" | "labels" | "additional_contexts"]
        | ["services", _, "deploy", "labels"]
        | ["networks" | "volumes" | "secrets" | "configs", _, "labels"] => Rule::KeyValue,
        ["services", _, "depends_on"] => Rule::ByName(Entry::Dependency),
        ["services", _, "networks" | "models"] => Rule::ByName(Entry::Null),
        ["services", _, "ports"] => Rule::Ports,
        ["services", _, "volumes"] => unique(keys::volume, false),
        ["services", _, "devices"] => unique(keys::device, false),
        ["services", _, "secrets"] => unique(keys::secret, false),
        ["services", _, "configs"] => unique(keys::config, false),
        ["services", _, "env_file"] => unique(keys::env_file, true),
        ["services", _, "expose"] => unique(keys::text, false),
        ["services", _, "dns" | "dns_opt" | "dns_search" | "tmpfs"] => unique(keys::name, true),
        ["services", _, "cap_add" | "cap_drop" | "links" | "profiles"]
        | ["services", _, "build", "tags"]
        | ["services", _, "networks", _, "aliases" | "link_local_ips"] => unique(keys::name, false),
        ["services", _, "label_file"] => Rule::Append { from_string: true },
        ["services", _, "extra_hosts"] | ["services", _, "build", "extra_hosts"] => Rule::Hosts,
        ["services", _, "logging"] => Rule::Logging,
        ["networks", _, "ipam", "config"] => Rule::Subnets,
        _ => Rule::Default,
    }
}

/// Prepares an overlay value for the merged tree: removes its `!reset`
/// entries and items when merging files, and keeps them when merging `extends`.
fn carried(node: Node, tags: Tags) -> Node {
    match tags {
        Tags::Apply => without_resets(node),
        Tags::Keep => node,
    }
}

fn is_reset(node: &Node) -> bool {
    node.tag.as_deref() == Some(RESET)
}

/// Returns `build` as a mapping: a string is `{context: STRING}`.
fn as_build(node: &Node) -> Option<Node> {
    match &node.value {
        Value::Mapping(_) => Some(node.clone()),
        Value::String(_) => {
            let key = Node::new(Value::String("context".to_owned()), node.span);
            Some(Node { value: Value::Mapping(vec![(key, node.clone())]), tag: node.tag.clone(), text: None, span: node.span })
        }
        _ => None,
    }
}

/// Returns the sequence form of a sequence, or with `from_string` of a
/// scalar. Anything else is `None`, so the default rule applies and later
/// stages report the type error.
fn as_sequence(node: &Node, from_string: bool) -> Option<Node> {
    match &node.value {
        Value::Sequence(_) => Some(node.clone()),
        Value::Null => Some(Node { value: Value::Sequence(Vec::new()), ..node.clone() }),
        Value::String(_) | Value::Int(_) if from_string => Some(Node { value: Value::Sequence(vec![node.clone()]), tag: None, text: None, ..node.clone() }),
        _ => None,
    }
}

/// Returns the sequence form of `extra_hosts`: a string is one item, and a mapping
/// (`host: ip` or `host: [ip, ...]`) one `host=ip` item per address.
fn as_hosts(node: &Node) -> Option<Node> {
    let Value::Mapping(entries) = &node.value else { return as_sequence(node, true) };
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
    Some(Node { value: Value::Sequence(items), tag: None, text: None, ..node.clone() })
}

/// Returns the mapping form of a `list_or_dict` value: `NAME=value` items as
/// `NAME: value` and `NAME` alone as `NAME: null`. `!reset` items are left
/// out. `None` when the value has neither form.
fn as_key_values(node: &Node) -> Option<Node> {
    let items = match &node.value {
        Value::Mapping(_) => return Some(node.clone()),
        Value::Null => return Some(Node { value: Value::Mapping(Vec::new()), ..node.clone() }),
        Value::Sequence(items) => items,
        _ => return None,
    };
    let mut entries: Vec<(Node, Node)> = Vec::new();
    for item in items.iter().filter(|item| !is_reset(item)) {
        let text = item.scalar_text()?;
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name.to_owned(), Node::new(Value::String(value.to_owned()), item.span)),
            None => (text, Node::new(Value::Null, item.span)),
        };
        let key = Node::new(Value::String(name), item.span);
        match entries.iter().position(|(existing, _)| existing.value == key.value) {
            Some(position) => entries[position].1 = value,
            None => entries.push((key, value)),
        }
    }
    Some(Node { value: Value::Mapping(entries), span: node.span, tag: node.tag.clone(), text: None })
}

/// Returns the mapping form of `depends_on`, service `networks` or `models`: a
/// listed name has the value `entry` gives it. `!reset` items are left out.
/// `None` when the value has neither form.
fn as_named_mapping(node: &Node, entry: Entry) -> Option<Node> {
    let items = match &node.value {
        Value::Mapping(_) => return Some(node.clone()),
        Value::Null => return Some(Node { value: Value::Mapping(Vec::new()), ..node.clone() }),
        Value::Sequence(items) => items,
        _ => return None,
    };
    let mut entries: Vec<(Node, Node)> = Vec::new();
    for item in items.iter().filter(|item| !is_reset(item)) {
        let key = Node::new(Value::String(item.scalar_text()?), item.span);
        let value = match entry {
            Entry::Null => Node::new(Value::Null, item.span),
            Entry::Dependency => dependency_started(item),
        };
        entries.retain(|(existing, _)| existing.value != key.value);
        entries.push((key, value));
    }
    Some(Node { value: Value::Mapping(entries), span: node.span, tag: node.tag.clone(), text: None })
}

fn dependency_started(item: &Node) -> Node {
    let entry = |key: &str, value: Value| (Node::new(Value::String(key.to_owned()), item.span), Node::new(value, item.span));
    let entries = vec![entry("condition", Value::String("service_started".to_owned())), entry("required", Value::Bool(true))];
    Node::new(Value::Mapping(entries), item.span)
}

fn without_resets(mut node: Node) -> Node {
    strip_reset(&mut node);
    node
}

/// Removes entries and items tagged `!reset`, at any depth.
fn strip_reset(node: &mut Node) {
    match &mut node.value {
        Value::Mapping(entries) => {
            entries.retain(|(_, value)| !is_reset(value));
            entries.iter_mut().for_each(|(_, value)| strip_reset(value));
        }
        Value::Sequence(items) => {
            items.retain(|item| !is_reset(item));
            items.iter_mut().for_each(strip_reset);
        }
        _ => {}
    }
    if is_reset(node) {
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
