//! perry-stack: run compose stacks on a real container runtime, with the
//! stack file checked when the crate is built.

pub use perry_stack_macros::include_stack;
pub use perry_stack_schema as schema;
pub use perry_stack_schema::{Diagnostic, Diagnostics, Project};

pub mod typed;
