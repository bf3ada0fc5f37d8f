//! The one declaration of the Perry modules `perry/container`,
//! `perry/compose` and `perry/workloads`.
//!
//! The declaration is Rust data ([`MODULES`]) rather than a syntax that has
//! to be parsed: a proc macro and a build script both read it by depending on
//! this crate, and rustc type-checks it. [`validate`] checks the rules that
//! types cannot express; the emitters in perry-stack-codegen derive the C
//! header, the dispatch rows and the TypeScript declarations from it.

mod build;
pub mod compose;
pub mod container;
pub mod model;
pub mod types;
pub mod validate;
pub mod walk;
pub mod workloads;

pub use model::*;
pub use validate::validate;

/// Every declared module, in the order files and tables list them.
pub static MODULES: [&Module; 3] = [&container::MODULE, &compose::MODULE, &workloads::MODULE];
