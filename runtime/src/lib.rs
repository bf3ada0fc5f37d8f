//! perry-stack: run compose stacks on a real container runtime, with the
//! stack file checked when the crate is built.
//!
//! [`Engine`] brings a [`Project`] up and down through a [`Backend`]:
//! podman or docker through [`CliBackend`], or [`MockBackend`] in tests.
//!
//! ```no_run
//! // The quickstart example's stack: `init`, `db` and `web`, where web
//! // publishes container port 8080.
//! mod stack {
//!     perry_stack::include_stack!("../examples/quickstart/stack.yaml");
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let project = stack::stack()?;
//! let engine = perry_stack::Engine::detect().await?;
//! let report = engine.up(&project, &perry_stack::UpOptions::default()).await?;
//! println!("{} is up; {} listens on {}", report.project, stack::Service::Web, stack::ports::WEB_8080.target);
//! engine.down(&report.project, &perry_stack::DownOptions::default()).await?;
//! # Ok(())
//! # }
//! ```

pub mod backend;
pub mod engine;
pub mod ffi;
#[doc(hidden)]
pub mod testing;

pub use backend::{Backend, BackendError, CliBackend, MockBackend};
pub use engine::{format_ps_table, Cancel, ContainerSummary, DownOptions, Engine, EngineError, FailureStrategy, Progress, ProgressEvent, ServiceOutput, StackReport, UpOptions};
pub use perry_stack_macros::include_stack;
pub use perry_stack_schema as schema;
pub use perry_stack_schema::{Diagnostic, Diagnostics, Project};

pub mod typed;
pub mod workload;

pub use perry_stack_macros::{workload, workload_graph};
#[doc(hidden)]
pub use perry_stack_macros::__workload_graph_checked;
