//! The keys that make items of a merged sequence unique: a later item
//! replaces the earlier one with its key. Each function reads the short and
//! the long syntax alike, and returns `None` for an item it cannot read,
//! which is then appended for validation to report.

use crate::compose::parse::parse_port;
use crate::diag::Span;
use crate::yaml::{Node, Value};

/// Returns the text of a scalar item (`expose`).
pub(super) fn text(item: &Node) -> Option<String> {
    item.scalar_text()
}

/// Returns the part of a scalar before its first `=`, or all of it (`cap_add`,
/// `dns`, `tmpfs`, `profiles`, network `aliases`, ...).
pub(super) fn name(item: &Node) -> Option<String> {
    let text = item.scalar_text()?;
    Some(match text.split_once('=') {
        Some((name, _)) => name.to_owned(),
        None => text,
    })
}

/// Returns the container path of a mount: `target` of the long syntax, or the part
/// after the source in `SOURCE:TARGET[:MODE]`.
pub(super) fn volume(item: &Node) -> Option<String> {
    match &item.value {
        Value::Mapping(_) => item.get("target").and_then(Node::scalar_text),
        _ => second_or_only(&item.scalar_text()?),
    }
}

/// Returns the container path of a device: `target` of the long syntax, or the part
/// after the host path in `HOST[:CONTAINER[:PERMISSIONS]]`.
pub(super) fn device(item: &Node) -> Option<String> {
    match &item.value {
        Value::Mapping(_) => item.get("target").and_then(Node::scalar_text),
        _ => second_or_only(&item.scalar_text()?),
    }
}

fn second_or_only(text: &str) -> Option<String> {
    let mut parts = text.split(':');
    let first = parts.next()?;
    Some(parts.next().unwrap_or(first).to_owned())
}

/// Returns the path where a secret is mounted: `target`, else `/run/secrets/SOURCE`.
pub(super) fn secret(item: &Node) -> Option<String> {
    mount_target(item, "/run/secrets")
}

/// Returns the path where a config is mounted: `target`, else `/SOURCE`.
pub(super) fn config(item: &Node) -> Option<String> {
    mount_target(item, "")
}

/// Returns the mount path of a secret or config, as docker compose v2 compares them:
/// `target` as written, else the source's name under `folder`.
fn mount_target(item: &Node, folder: &str) -> Option<String> {
    let source = match &item.value {
        Value::Mapping(_) => {
            if let Some(target) = item.get("target").and_then(Node::scalar_text) {
                return Some(target);
            }
            item.get("source").and_then(Node::scalar_text)?
        }
        _ => item.scalar_text()?,
    };
    Some(format!("{folder}/{source}"))
}

/// Returns the path of an `env_file` item, as written.
pub(super) fn env_file(item: &Node) -> Option<String> {
    match &item.value {
        Value::Mapping(_) => item.get("path").and_then(Node::scalar_text),
        _ => item.scalar_text(),
    }
}

/// Returns `host_ip:published:target/protocol` of a port, with an unset host IP read
/// as `0.0.0.0` and the protocol as `tcp`, so that a short and a long port
/// for the same mapping have the same key.
pub(super) fn port(item: &Node) -> Option<String> {
    if let Value::Mapping(_) = item.value {
        let field = |name: &str| item.get(name).and_then(Node::scalar_text).filter(|text| !text.is_empty());
        let target = field("target")?;
        let target = target.parse::<u16>().map_or(target, |number| number.to_string());
        let protocol = field("protocol").unwrap_or_else(|| "tcp".to_owned()).to_ascii_lowercase();
        return Some(port_key(field("host_ip").as_deref(), field("published").as_deref(), &target, &protocol));
    }
    let text = item.scalar_text()?;
    match parse_port(&text, item.span).as_deref() {
        Ok([port]) => Some(port_key(port.host_ip.as_deref(), port.published.as_deref(), &port.target.to_string(), &port.protocol)),
        _ => Some(text),
    }
}

fn port_key(host_ip: Option<&str>, published: Option<&str>, target: &str, protocol: &str) -> String {
    format!("{}:{}:{target}/{protocol}", host_ip.unwrap_or("0.0.0.0"), published.unwrap_or_default())
}

/// Writes each short-syntax port that stands for several ports (a target
/// range such as `8000-8001:80-81`) as one long-syntax item per port, so
/// that a later file can replace one of them. Other items stay as written.
pub(super) fn expand_port_ranges(node: Node) -> Node {
    let Value::Sequence(items) = node.value else { return node };
    let mut expanded = Vec::with_capacity(items.len());
    for item in items {
        let ports = match &item.value {
            Value::String(text) => parse_port(text, item.span).ok().filter(|ports| ports.len() > 1),
            _ => None,
        };
        match ports {
            Some(ports) => expanded.extend(ports.iter().map(|port| long_port(port, item.span))),
            None => expanded.push(item),
        }
    }
    Node { value: Value::Sequence(expanded), ..node }
}

fn long_port(port: &crate::compose::model::Port, span: Span) -> Node {
    let entry = |key: &str, value: Value| (Node::new(Value::String(key.to_owned()), span), Node::new(value, span));
    let mut entries = vec![entry("target", Value::Int(i64::from(port.target)))];
    if let Some(published) = &port.published {
        entries.push(entry("published", Value::String(published.clone())));
    }
    if let Some(host_ip) = &port.host_ip {
        entries.push(entry("host_ip", Value::String(host_ip.clone())));
    }
    entries.push(entry("protocol", Value::String(port.protocol.clone())));
    Node::new(Value::Mapping(entries), span)
}
