//! YAML text to a tree of [`Node`]s that keeps a position on every node.
//!
//! Scalars are resolved with the YAML 1.2 core schema (`yes` stays a string,
//! `22:22` is not a number). Anchors and aliases are expanded up to
//! [`MAX_ALIAS_EXPANSION`] nodes, merge keys (`<<`) are applied with explicit
//! keys winning, tags are kept, and duplicate keys are errors. [`parse`] reads
//! one document and rejects a second; [`parse_documents`] reads them all.

mod node;
mod parse;

pub use node::{Node, Value};
pub use parse::{parse, parse_documents, resolve_plain, MAX_ALIAS_EXPANSION, MAX_NESTING};
pub(crate) use node::format_float;
