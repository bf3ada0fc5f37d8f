//! YAML text to a tree of [`Node`]s that keeps a position on every node.
//!
//! Scalars are resolved with the YAML 1.2 core schema (`yes` stays a string,
//! `22:22` is not a number). Anchors and aliases are expanded with a limit,
//! merge keys (`<<`) are applied, tags are kept, and duplicate keys are errors.

mod node;

pub use node::{Node, Value};
