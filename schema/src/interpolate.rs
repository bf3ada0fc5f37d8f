//! `${VAR}` templates: checked at build time, applied at run time.
//!
//! A build never bakes the build machine's environment into a binary, so the
//! build-time check only parses templates and lists their variables.

use crate::diag::Span;

/// A variable that a compose file reads, with its default if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// The default of `${NAME:-default}`.
    pub default: Option<String>,
    /// Where the variable first appears.
    pub span: Span,
}
