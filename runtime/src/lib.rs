//! perry-stack: run compose stacks on a real container runtime, with the
//! stack file checked when the crate is built.
//!
//! [`Engine`] brings a [`Project`] up and down through a [`Backend`]:
//! podman or docker through [`CliBackend`], or [`MockBackend`] in tests.

pub mod backend;
pub mod engine;
pub mod ffi;
#[doc(hidden)]
pub mod testing;

pub use backend::{Backend, BackendError, CliBackend, MockBackend};
pub use engine::{format_ps_table, ContainerSummary, DownOptions, Engine, EngineError, StackReport, UpOptions};
pub use perry_stack_macros::include_stack;
pub use perry_stack_schema as schema;
pub use perry_stack_schema::{Diagnostic, Diagnostics, Project};
