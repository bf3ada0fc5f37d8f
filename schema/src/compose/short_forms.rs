//! Long forms of service keys that the model keeps as written, as the
//! Compose Specification defines them and `docker compose config` prints
//! them, so that two spellings of one setting compare equal:
//! - `ulimits`: a number `N` is `{soft: N, hard: N}`;
//! - `extra_hosts`: a list (`host:ip` or `host=ip`) or a mapping is a sorted
//!   list of `host=ip`, one per address, brackets removed from IPv6 addresses;
//! - `sysctls`, `annotations`, `deploy.labels` and `build.labels`: a list of
//!   `key=value` is a mapping;
//! - `tmpfs`, `dns` and `dns_search`: a string is a list of one;
//! - `expose` and `group_add`: numbers are strings;
//! - `devices`: `HOST[:CONTAINER[:PERMISSIONS]]` is `{source, target,
//!   permissions}`, permissions `rwm` when omitted;
//! - `mem_limit`, `mem_reservation`, `memswap_limit`, `shm_size` and
//!   `build.shm_size`: a size with a unit (`512m`, `1.5g`) is a number of bytes;
//! - values of `logging.options`, `sysctls` and `annotations`: numbers and
//!   booleans are strings.

use std::collections::BTreeMap;

use crate::yaml::{Node, Value};

/// A short form that fits no syntax: the value, its path below the service
/// and what was expected.
pub struct Invalid {
    pub node: Node,
    pub path: String,
    pub expected: &'static str,
}

/// Rewrites the short forms among `keys` (a service's keys kept as written)
/// in place and returns the values that no form fits.
pub fn normalize(keys: &mut BTreeMap<String, Node>) -> Vec<Invalid> {
    let mut invalid = Vec::new();
    if let Some(ulimits) = keys.get_mut("ulimits") {
        normalize_ulimits(ulimits);
    }

    if let Some(hosts) = keys.get_mut("extra_hosts") {
        normalize_hosts(hosts, "extra_hosts", &mut invalid);
    }

    if let Some(hosts) = keys.get_mut("build").and_then(|build| child(build, "extra_hosts")) {
        normalize_hosts(hosts, "build.extra_hosts", &mut invalid);
    }

    for key in ["sysctls", "annotations"] {
        if let Some(node) = keys.get_mut(key) {
            to_mapping(node);
            stringify_values(node);
        }
    }

    for (parent, key) in [("deploy", "labels"), ("build", "labels")] {
        if let Some(node) = keys.get_mut(parent).and_then(|parent| child(parent, key)) {
            to_mapping(node);
        }
    }

    for key in ["tmpfs", "dns", "dns_search"] {
        if let Some(node) = keys.get_mut(key) {
            to_list(node);
        }
    }

    for key in ["expose", "group_add"] {
        if let Some(Node { value: Value::Sequence(items), .. }) = keys.get_mut(key) {
            items.iter_mut().for_each(stringify);
        }
    }

    if let Some(Node { value: Value::Sequence(devices), .. }) = keys.get_mut("devices") {
        for (index, device) in devices.iter_mut().enumerate() {
            normalize_device(device, index, &mut invalid);
        }
    }

    for key in ["mem_limit", "mem_reservation", "memswap_limit", "shm_size"] {
        if let Some(size) = keys.get_mut(key) {
            to_bytes(size, key, &mut invalid);
        }
    }

    if let Some(size) = keys.get_mut("build").and_then(|build| child(build, "shm_size")) {
        to_bytes(size, "build.shm_size", &mut invalid);
    }

    if let Some(options) = keys.get_mut("logging").and_then(|logging| child(logging, "options")) {
        stringify_values(options);
    }

    invalid
}

/// Returns the value of `key` in `node` when `node` is a mapping that has it.
fn child<'node>(node: &'node mut Node, key: &str) -> Option<&'node mut Node> {
    let Value::Mapping(entries) = &mut node.value else { return None };
    entries.iter_mut().find(|(name, _)| name.as_str() == Some(key)).map(|(_, value)| value)
}

fn string(text: impl Into<String>, span: crate::diag::Span) -> Node {
    Node::new(Value::String(text.into()), span)
}

/// Turns a number or boolean into the string it was written as.
fn stringify(node: &mut Node) {
    if matches!(node.value, Value::Int(_) | Value::Float(_) | Value::Bool(_))
        && let Some(text) = node.scalar_text()
    {
        node.value = Value::String(text);
        node.text = None;
    }
}

fn stringify_values(node: &mut Node) {
    if let Value::Mapping(entries) = &mut node.value {
        entries.iter_mut().for_each(|(_, value)| stringify(value));
    }
}

/// Rewrites `nofile: 1024` as `nofile: {soft: 1024, hard: 1024}`.
fn normalize_ulimits(ulimits: &mut Node) {
    let Value::Mapping(entries) = &mut ulimits.value else { return };
    for (_, limit) in entries {
        let number = match &limit.value {
            Value::Int(number) => Some(*number),
            Value::String(text) => match crate::yaml::resolve_plain(text) {
                Value::Int(number) => Some(number),
                _ => None,
            },
            _ => None,
        };
        if let Some(number) = number {
            let span = limit.span;
            let both = |key: &str| (string(key, span), Node::new(Value::Int(number), span));
            *limit = Node::new(Value::Mapping(vec![both("soft"), both("hard")]), span);
        }
    }
}

/// Rewrites `[a=1, b]` as `{a: "1", b: null}`, leaving a mapping as it is.
fn to_mapping(node: &mut Node) {
    let Value::Sequence(items) = &node.value else { return };
    let mut entries: Vec<(Node, Node)> = Vec::new();
    for item in items {
        let Some(text) = item.scalar_text() else { continue };
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name.to_owned(), Value::String(value.to_owned())),
            None => (text, Value::Null),
        };
        entries.retain(|(known, _)| known.as_str() != Some(name.as_str()));
        entries.push((string(name, item.span), Node::new(value, item.span)));
    }
    node.value = Value::Mapping(entries);
}

/// Rewrites a string as a list of that one string.
fn to_list(node: &mut Node) {
    if let Value::String(_) = node.value {
        let item = node.clone();
        node.value = Value::Sequence(vec![item]);
        node.text = None;
        node.tag = None;
    }
}

/// Rewrites `extra_hosts` as a sorted list of `host=ip`, one per address.
fn normalize_hosts(hosts: &mut Node, path: &str, invalid: &mut Vec<Invalid>) {
    let mut found: Vec<(String, Node)> = Vec::new();
    let mut add = |host: &str, addresses: &str, node: &Node, invalid: &mut Vec<Invalid>| {
        if host.is_empty() || host.contains([':', '=']) {
            invalid.push(Invalid { node: node.clone(), path: path.to_owned(), expected: "`HOST=IP` or `HOST:IP` with a host name" });
            return;
        }
        for address in addresses.split(',') {
            let address = address.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).filter(|inner| !inner.is_empty()).unwrap_or(address);
            found.push((format!("{host}={address}"), node.clone()));
        }
    };
    match &hosts.value {
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                let text = item.scalar_text().unwrap_or_default();
                let split = text.split_once('=').or_else(|| text.split_once(':'));
                match split {
                    Some((host, addresses)) => add(host, addresses, item, invalid),
                    None => invalid.push(Invalid { node: item.clone(), path: format!("{path}[{index}]"), expected: "`HOST=IP` or `HOST:IP`" }),
                }
            }
        }
        Value::Mapping(entries) => {
            for (key, value) in entries {
                let host = key.scalar_text().unwrap_or_default();
                match &value.value {
                    Value::Sequence(items) => {
                        for item in items {
                            add(&host, &item.scalar_text().unwrap_or_default(), item, invalid);
                        }
                    }
                    Value::Null => add(&host, "", value, invalid),
                    _ => add(&host, &value.scalar_text().unwrap_or_default(), value, invalid),
                }
            }
        }
        _ => return,
    }
    found.sort_by(|(a, _), (b, _)| a.cmp(b));
    found.dedup_by(|(a, _), (b, _)| a == b);
    let items = found.into_iter().map(|(text, node)| string(text, node.span)).collect();
    hosts.value = Value::Sequence(items);
}

/// Rewrites `HOST[:CONTAINER[:PERMISSIONS]]` as `{source, target, permissions}`.
fn normalize_device(device: &mut Node, index: usize, invalid: &mut Vec<Invalid>) {
    let Value::String(text) = &device.value else { return };
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, permissions) = match parts.as_slice() {
        [source] => (*source, *source, "rwm"),
        [source, target] => (*source, *target, "rwm"),
        [source, target, permissions] => (*source, *target, *permissions),
        _ => ("", "", ""),
    };
    if source.is_empty() || target.is_empty() || permissions.is_empty() {
        let expected = "`HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]`";
        invalid.push(Invalid { node: device.clone(), path: format!("devices[{index}]"), expected });
        return;
    }
    let span = device.span;
    let entries = [("source", source), ("target", target), ("permissions", permissions)];
    device.value = Value::Mapping(entries.iter().map(|(key, value)| (string(*key, span), string(*value, span))).collect());
}

/// Rewrites a size with a unit as its number of bytes.
fn to_bytes(size: &mut Node, path: &str, invalid: &mut Vec<Invalid>) {
    let Value::String(text) = &size.value else { return };
    match parse_bytes(text) {
        Some(bytes) => {
            size.value = Value::Int(bytes);
            size.text = None;
        }
        None => invalid.push(Invalid { node: size.clone(), path: path.to_owned(), expected: "a size in bytes such as `512m` or `1g`" }),
    }
}

/// Parses a size as docker does: a decimal number, an optional space, then
/// an optional unit `b`, `k`, `m`, `g`, `t` or `p` in powers of 1024, with an
/// optional `i` and `b` after the letter (`512m`, `1.5GiB`, `100 kb`).
pub fn parse_bytes(text: &str) -> Option<i64> {
    let digits_end = text.find(|char: char| !char.is_ascii_digit() && char != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.contains("..") {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let mut letters = unit.chars();
    let power = match letters.next() {
        None => return Some(number as i64),
        Some('b') => return letters.next().is_none().then_some(number as i64),
        Some('k') => 1,
        Some('m') => 2,
        Some('g') => 3,
        Some('t') => 4,
        Some('p') => 5,
        Some(_) => return None,
    };
    let rest: String = letters.collect();
    if !matches!(rest.as_str(), "" | "b" | "i" | "ib") {
        return None;
    }
    Some((number * 1024f64.powi(power)) as i64)
}
