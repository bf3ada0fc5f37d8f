//! Renders a diagnostic as rustc does: header, location, quoted line, caret,
//! labels and help.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::{Diagnostic, Severity, Span};

impl Diagnostic {
    /// Renders the diagnostic against the text of its file:
    ///
    /// ```text
    /// error[undefined-service]: service `web` depends on undefined service `db`
    ///  --> compose.yaml:5:9
    ///   |
    /// 5 |       - db
    ///   |         ^^
    ///   |
    ///   = help: defined services: api, web
    /// ```
    ///
    /// Without color the output is plain text that stays the same across runs,
    /// which the proc macro puts into `compile_error!`.
    pub fn render(&self, source: &str, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = self.file_display();

        let mut snippet = Snippet::source(source).path(path.as_str()).line_start(1).fold(true);
        snippet = snippet.annotation(AnnotationKind::Primary.span(line_range(source, self.span)));
        for label in &self.labels {
            snippet =
                snippet.annotation(AnnotationKind::Context.span(line_range(source, label.span)).label(label.message.as_str()));
        }

        let mut group = level.primary_title(self.message.as_str()).id(self.code).element(snippet);
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }

        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        renderer.render(&[group])
    }
}

/// The part of `span` on its first line, within `source` and on character
/// boundaries, so that a mapping spanning many lines shows one caret line.
fn line_range(source: &str, span: Span) -> Range<usize> {
    let mut start = span.start.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let line_end = source[start..].find('\n').map_or(source.len(), |offset| start + offset);
    let mut end = span.end.clamp(start, line_end);
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    start..end
}
