//! Models of perry-stack: the Compose Specification and its loader.
//!
//! The loader is a sequence of separate steps, each in its own module:
//! [`yaml`] parses text into a tree that keeps a position on every node,
//! [`interpolate`] checks and applies `${VAR}` templates, [`compose::parse`]
//! turns the tree into the typed model with every short form in its long form,
//! and [`compose::validate`] checks references and cycles. [`diag`] holds the
//! one diagnostic type that every step reports with.

pub mod api;
pub mod compose;
pub mod diag;
pub mod dotenv;
pub mod interpolate;
pub mod workload;
pub mod yaml;

pub use compose::load::{check, checked_project_name, load, load_project, project_name, Checked, Environment, Failed, Loaded, Options, ProcessEnvironment};
pub use compose::model::*;
pub use diag::{Diagnostic, Diagnostics, Severity, Span};
