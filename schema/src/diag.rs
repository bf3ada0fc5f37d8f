//! The one diagnostic type that every loader step reports with.
//!
//! Message texts live in [`messages`] so that the CLI, build scripts and the
//! proc macro show the same words. Rendering quotes the YAML line with a caret
//! under the offending value.

use std::fmt;
use std::path::PathBuf;

/// A position in a source file. Lines and columns count from 1; the byte
/// range indexes the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location with its own note, such as the other end of a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One error or warning, located in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier of the rule, such as `undefined-service`.
    pub code: &'static str,
    pub message: String,
    pub file: PathBuf,
    pub span: Span,
    /// The dotted path of the offending value (`services.web.ports[1]`), if any.
    pub path: Option<String>,
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

/// Every diagnostic of one load, errors and warnings together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|diagnostic| diagnostic.severity == Severity::Error)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.span.line,
            self.span.column,
            self.message
        )
    }
}
