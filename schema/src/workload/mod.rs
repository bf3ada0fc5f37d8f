//! Workload graphs: nodes with an image, a runtime and a policy tier, that
//! depend on each other and reference each other's addresses.
//!
//! [`model`] holds the typed graph, [`load`] reads it from YAML with the
//! loader's positions, [`validate`] checks the rules that make a graph
//! runnable, and [`render`] prints it as a text tree, DOT or Mermaid.

pub mod load;
pub mod messages;
pub mod model;
pub mod render;
pub mod validate;

pub use load::load;
pub use model::*;
pub use validate::{order, validate};
