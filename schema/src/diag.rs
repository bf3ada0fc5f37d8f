//! The one diagnostic type that every loader step reports with.
//!
//! Message texts live in [`messages`] so that the CLI, build scripts and the
//! proc macro show the same words. Rendering quotes the YAML line with a caret
//! under the offending value.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a source file. Lines and columns count from 1; the byte
/// range indexes the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub column: u32,
    /// The index of the source file in [`Project::files`](crate::Project::files)
    /// when a project merges several files; 0 for the first or only file.
    pub file: u32,
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

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Sorts by position so that every renderer lists them in file order.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (a.span.file, &a.file, a.span.start, a.severity, a.code).cmp(&(b.span.file, &b.file, b.span.start, b.severity, b.code)));
    }

    /// Renders every diagnostic, separated by blank lines.
    pub fn render(&self, source: &str, color: bool) -> String {
        let rendered: Vec<String> = self.0.iter().map(|diagnostic| diagnostic.render(source, color)).collect();
        rendered.join("\n\n")
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, file: &Path, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message.into(), file, span)
    }

    pub fn warning(code: &'static str, message: impl Into<String>, file: &Path, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message.into(), file, span)
    }

    fn new(severity: Severity, code: &'static str, message: String, file: &Path, span: Span) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message,
            file: file.to_path_buf(),
            span,
            path: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// Returns the file name that messages show: the path, or `<stdin>` for
    /// a compose file read from standard input. That file's path is
    /// `<working folder>/<stdin>`, which places the project folder, but reads
    /// as a file that does not exist.
    pub fn file_display(&self) -> String {
        if self.file.file_name().is_some_and(|name| name == crate::compose::load::STDIN_FILE_NAME) {
            return crate::compose::load::STDIN_FILE_NAME.to_owned();
        }
        self.file.display().to_string()
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }
}

impl std::error::Error for Diagnostic {}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file_display(),
            self.span.line,
            self.span.column,
            self.message
        )
    }
}

mod render;
pub mod messages;
