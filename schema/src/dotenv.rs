//! Env files (`.env`, `--env-file`, a service's `env_file`) as docker
//! compose reads them.
//!
//! Each line is `[export ]KEY=VALUE`. Blank lines and lines starting with `#`
//! are skipped. A value is one of:
//! - unquoted: up to the end of the line, with surrounding blanks trimmed and
//!   an inline comment (` # ...`, the `#` after a blank) removed; interpolated;
//! - `'single quoted'`: literal, may span lines, no escapes, no interpolation;
//! - `"double quoted"`: may span lines, with the escapes `\n`, `\r`, `\t`,
//!   `\\`, `\"` and `\$` (a literal `$`), then interpolated.
//!
//! A line `KEY` without `=` takes the value of `KEY` from the lookup, and is
//! skipped when the lookup has none. Interpolation reads the lookup first,
//! then the variables defined earlier in the same file.

use std::collections::BTreeMap;
use std::path::Path;

use crate::compose::load::Environment;
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::interpolate;

/// How the values of an env file are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Quotes, escapes, comments and interpolation as described above.
    Dotenv,
    /// `KEY=VALUE` with the value taken literally up to the end of the line.
    Raw,
}

/// Parses the text of an env file. Returns the variables in name order, or
/// every error with its line and column in `file`.
pub fn parse(source: &str, file: &Path, format: Format, lookup: &dyn Environment) -> Result<BTreeMap<String, String>, Diagnostics> {
    let mut reader = Reader { source, file, offset: 0, line: 1, line_start: 0 };
    let mut variables = BTreeMap::new();
    let mut errors = Diagnostics::default();
    while let Some(entry) = reader.next_entry(format) {
        match entry {
            Ok(Entry { name, value: None, .. }) => {
                if let Some(value) = lookup.get(&name) {
                    variables.insert(name, value);
                }
            }
            Ok(Entry { name, value: Some(Text { text, interpolate: true }), span }) => {
                let known = |key: &str| lookup.get(key).or_else(|| variables.get(key).cloned());
                match interpolate::substitute(&text, &known, file, span, &name) {
                    Ok(value) => {
                        variables.insert(name, value);
                    }
                    Err(found) => errors.extend(found),
                }
            }
            Ok(Entry { name, value: Some(Text { text, interpolate: false }), .. }) => {
                variables.insert(name, text);
            }
            Err(error) => {
                errors.push(error);
                reader.skip_line();
            }
        }
    }
    if errors.is_empty() { Ok(variables) } else { Err(errors) }
}

struct Entry {
    name: String,
    /// `None` for a line `KEY` without `=`.
    value: Option<Text>,
    /// The position of the value, or of the name when there is no value.
    span: Span,
}

struct Text {
    text: String,
    interpolate: bool,
}

struct Reader<'a> {
    source: &'a str,
    file: &'a Path,
    offset: usize,
    line: u32,
    line_start: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.source[self.offset..]
    }

    fn span(&self, start: usize) -> Span {
        let line_start = self.source[..start].rfind('\n').map_or(0, |index| index + 1);
        let line = 1 + self.source[..start].matches('\n').count() as u32;
        let column = 1 + self.source[line_start..start].chars().count() as u32;
        Span { start, end: start, line, column, file: 0 }
    }

    fn error(&self, start: usize, message: String) -> Diagnostic {
        Diagnostic::error(code::ENV_FILE_SYNTAX, message, self.file, self.span(start)).with_help(messages::ENV_FILE_HELP)
    }

    /// Moves past `length` bytes, counting lines.
    fn advance(&mut self, length: usize) {
        let consumed = &self.source[self.offset..self.offset + length];
        if let Some(last) = consumed.rfind('\n') {
            self.line += consumed.matches('\n').count() as u32;
            self.line_start = self.offset + last + 1;
        }
        self.offset += length;
    }

    fn skip_blanks(&mut self) {
        let length = self.rest().len() - self.rest().trim_start_matches([' ', '\t']).len();
        self.advance(length);
    }

    fn skip_line(&mut self) {
        let length = self.rest().find('\n').map_or(self.rest().len(), |index| index + 1);
        self.advance(length);
    }

    /// Reads the next variable, skipping blank and comment lines; `None` at the end.
    fn next_entry(&mut self, format: Format) -> Option<Result<Entry, Diagnostic>> {
        loop {
            self.skip_blanks();
            let rest = self.rest();
            if rest.is_empty() {
                return None;
            }
            if rest.starts_with(['\n', '\r', '#']) {
                self.skip_line();
                continue;
            }
            return Some(self.entry(format));
        }
    }

    fn entry(&mut self, format: Format) -> Result<Entry, Diagnostic> {
        if let Some(after) = self.rest().strip_prefix("export") {
            if after.starts_with([' ', '\t']) {
                self.advance("export".len());
                self.skip_blanks();
            }
        }

        let name_start = self.offset;
        let name_length = self.rest().find(['=', '\n', ' ', '\t', '\r']).unwrap_or(self.rest().len());
        let name = self.rest()[..name_length].to_owned();
        if let Some((position, char)) = name.char_indices().find(|(_, char)| !is_name_char(*char)) {
            return Err(self.error(name_start + position, messages::env_file_name_char(char, &name)));
        }
        if name.is_empty() {
            return Err(self.error(name_start, messages::env_file_missing_name()));
        }
        self.advance(name_length);
        self.skip_blanks();

        if !self.rest().starts_with('=') {
            if !self.rest().is_empty() && !self.rest().starts_with(['\n', '\r', '#']) {
                return Err(self.error(self.offset, messages::env_file_expected_equals(&name)));
            }
            self.skip_line();
            return Ok(Entry { name, value: None, span: self.span(name_start) });
        }
        self.advance(1);
        if format == Format::Raw {
            let start = self.offset;
            let length = self.rest().find('\n').unwrap_or(self.rest().len());
            let text = self.rest()[..length].trim_end_matches('\r').to_owned();
            self.skip_line();
            return Ok(Entry { name, value: Some(Text { text, interpolate: false }), span: self.span(start) });
        }
        self.skip_blanks();

        let start = self.offset;
        let value = match self.rest().chars().next() {
            Some(quote @ ('\'' | '"')) => self.quoted(quote, &name)?,
            _ => self.unquoted(),
        };
        Ok(Entry { name, value: Some(value), span: self.span(start) })
    }

    fn unquoted(&mut self) -> Text {
        let length = self.rest().find('\n').unwrap_or(self.rest().len());
        let line = &self.rest()[..length];
        let comment = line.char_indices().find(|(index, char)| *char == '#' && line[..*index].ends_with([' ', '\t'])).map(|(index, _)| index);
        let text = line[..comment.unwrap_or(line.len())].trim_end().to_owned();
        self.skip_line();
        Text { text, interpolate: true }
    }

    /// Reads a quoted value; the closing quote is the first one not escaped
    /// with a backslash, and only blanks or a comment may follow it.
    fn quoted(&mut self, quote: char, name: &str) -> Result<Text, Diagnostic> {
        let start = self.offset;
        let body = &self.rest()[1..];
        let mut close = None;
        let mut escaped = false;
        for (index, char) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if char == '\\' {
                escaped = true;
            } else if char == quote {
                close = Some(index);
                break;
            }
        }
        let Some(close) = close else {
            return Err(self.error(start, messages::env_file_unterminated_quote(name)));
        };
        let raw = &body[..close];
        let text = if quote == '"' { unescape(raw) } else { raw.to_owned() };
        self.advance(1 + close + 1);

        self.skip_blanks();
        if !self.rest().is_empty() && !self.rest().starts_with(['\n', '\r', '#']) {
            return Err(self.error(self.offset, messages::env_file_after_quote(name)));
        }
        self.skip_line();
        Ok(Text { text, interpolate: quote == '"' })
    }
}

/// Characters of a variable name: letters, digits, `_`, `.` and `-`, as
/// docker compose accepts them.
fn is_name_char(char: char) -> bool {
    char.is_ascii_alphanumeric() || matches!(char, '_' | '.' | '-')
}

/// Expands the escapes of a double-quoted value. `\$` becomes `$$`, which
/// interpolation then reads as a literal `$`; an unknown escape stays as written.
fn unescape(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(char) = chars.next() {
        if char != '\\' {
            text.push(char);
            continue;
        }
        match chars.next() {
            Some('n') => text.push('\n'),
            Some('r') => text.push('\r'),
            Some('t') => text.push('\t'),
            Some('\\') => text.push('\\'),
            Some('"') => text.push('"'),
            Some('$') => text.push_str("$$"),
            Some(other) => {
                text.push('\\');
                text.push(other);
            }
            None => text.push('\\'),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(source: &str, lookup: &[(&str, &str)]) -> BTreeMap<String, String> {
        let lookup = |name: &str| lookup.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string());
        parse(source, Path::new(".env"), Format::Dotenv, &lookup).unwrap_or_else(|errors| panic!("{errors}"))
    }

    #[test]
    fn unquoted_values() {
        let variables = read("A=1\n  B = two words  \nC=x # comment\nD=x#not-a-comment\nE=\n", &[]);
        assert_eq!(variables["A"], "1");
        assert_eq!(variables["B"], "two words");
        assert_eq!(variables["C"], "x");
        assert_eq!(variables["D"], "x#not-a-comment");
        assert_eq!(variables["E"], "");
    }

    #[test]
    fn quoted_values() {
        let variables = read("A='$HOME \\n'\nB=\"a\\nb\\t\\\"c\\\" \\$X\"\nC=\"line\nnext\" # note\n", &[("HOME", "/root"), ("X", "x")]);
        assert_eq!(variables["A"], "$HOME \\n");
        assert_eq!(variables["B"], "a\nb\t\"c\" $X");
        assert_eq!(variables["C"], "line\nnext");
    }

    #[test]
    fn export_comments_and_inherited() {
        let variables = read("# comment\n\nexport A=1\nexported=2\nHOME\nMISSING\n", &[("HOME", "/root")]);
        assert_eq!(variables["A"], "1");
        assert_eq!(variables["exported"], "2");
        assert_eq!(variables["HOME"], "/root");
        assert!(!variables.contains_key("MISSING"));
    }

    #[test]
    fn interpolation_reads_lookup_then_file() {
        let variables = read("A=file\nB=${A}-${C:-none}\nC=$A$$\n", &[]);
        assert_eq!(variables["B"], "file-none");
        assert_eq!(variables["C"], "file$");
        let overridden = read("A=file\nB=$A\n", &[("A", "process")]);
        assert_eq!(overridden["B"], "process");
    }

    #[test]
    fn raw_format() {
        let lookup = |_: &str| None;
        let variables = parse("A='$x' # y\n#c\n", Path::new(".env"), Format::Raw, &lookup).unwrap();
        assert_eq!(variables["A"], "'$x' # y");
    }

    #[test]
    fn errors_have_positions() {
        let lookup = |_: &str| None;
        let errors = parse("A=1\nB=\"open\n", Path::new(".env"), Format::Dotenv, &lookup).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (2, 3));
        assert_eq!(errors.0[0].message, "unterminated quote in the value of `B`");
        let errors = parse("A B=1\nC=${\n", Path::new(".env"), Format::Dotenv, &lookup).unwrap_err();
        assert_eq!(errors.0.len(), 2);
        assert_eq!((errors.0[0].span.line, errors.0[0].span.column), (1, 3));
        assert_eq!((errors.0[1].code, errors.0[1].span.line, errors.0[1].span.column), (code::INTERPOLATION_SYNTAX, 2, 3));
    }
}
