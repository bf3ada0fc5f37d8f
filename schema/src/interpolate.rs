//! `${VAR}` templates: checked at build time, applied at run time.
//!
//! A build never bakes the build machine's environment into a binary, so the
//! build-time check only parses templates and lists their variables.
//!
//! The syntax follows docker compose: `$VAR`, `${VAR}`, `${VAR:-default}`
//! (default when unset or empty), `${VAR-default}` (default when unset),
//! `${VAR:?message}` and `${VAR?message}` (required), `${VAR:+other}` and
//! `${VAR+other}` (replacement when set), and `$$` for a literal `$`. Defaults
//! may hold templates themselves (`${A:-${B}}`). A `$` followed by anything
//! else is kept as written. Only values are interpolated, never keys.

use std::collections::BTreeSet;
use std::path::Path;

use crate::compose::load::Environment;
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::yaml::{Node, Value};

/// A variable that a compose file reads, with its default if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    /// The default of `${NAME:-default}` or `${NAME-default}`, as written.
    pub default: Option<String>,
    /// Where the variable first appears.
    pub span: Span,
    /// The message of `${NAME:?message}` or `${NAME?message}` (possibly
    /// empty): the variable must be set before the stack starts.
    pub required: Option<String>,
}

/// What a `${NAME<operator>argument}` does when the variable is unset or empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    /// `${NAME}` or `$NAME`.
    Plain,
    /// `:-` when `colon`, else `-`.
    Default { colon: bool },
    /// `:?` when `colon`, else `?`.
    Required { colon: bool },
    /// `:+` when `colon`, else `+`.
    Alternative { colon: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Variable { name: String, operator: Operator, argument: Vec<Piece>, raw_argument: String },
}

/// Parses a template into pieces; `Err` for an invalid `${...}` form.
fn parse_template(template: &str) -> Result<Vec<Piece>, ()> {
    let bytes = template.as_bytes();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut index = 0;
    while index < bytes.len() {
        let Some(offset) = template[index..].find('$') else {
            text.push_str(&template[index..]);
            break;
        };
        text.push_str(&template[index..index + offset]);
        index += offset;
        match bytes.get(index + 1) {
            Some(b'$') => {
                text.push('$');
                index += 2;
            }
            Some(b'{') => {
                let (piece, length) = parse_braced(&template[index..])?;
                flush(&mut text, &mut pieces);
                pieces.push(piece);
                index += length;
            }
            Some(&byte) if byte == b'_' || byte.is_ascii_alphabetic() => {
                let length = name_length(&template[index + 1..]);
                flush(&mut text, &mut pieces);
                pieces.push(Piece::Variable {
                    name: template[index + 1..index + 1 + length].to_owned(),
                    operator: Operator::Plain,
                    argument: Vec::new(),
                    raw_argument: String::new(),
                });
                index += 1 + length;
            }
            _ => {
                text.push('$');
                index += 1;
            }
        }
    }
    flush(&mut text, &mut pieces);
    Ok(pieces)
}

fn flush(text: &mut String, pieces: &mut Vec<Piece>) {
    if !text.is_empty() {
        pieces.push(Piece::Text(std::mem::take(text)));
    }
}

fn name_length(text: &str) -> usize {
    text.bytes().take_while(|byte| *byte == b'_' || byte.is_ascii_alphanumeric()).count()
}

/// Parses `${...}` at the start of `text`; returns the piece and its length.
fn parse_braced(text: &str) -> Result<(Piece, usize), ()> {
    let rest = &text[2..];
    let length = name_length(rest);
    if length == 0 || rest.as_bytes()[0].is_ascii_digit() {
        return Err(());
    }
    let name = rest[..length].to_owned();
    let after = &rest[length..];
    let (operator, operator_length) = if after.starts_with('}') {
        (Operator::Plain, 0)
    } else if after.starts_with(":-") {
        (Operator::Default { colon: true }, 2)
    } else if after.starts_with('-') {
        (Operator::Default { colon: false }, 1)
    } else if after.starts_with(":?") {
        (Operator::Required { colon: true }, 2)
    } else if after.starts_with('?') {
        (Operator::Required { colon: false }, 1)
    } else if after.starts_with(":+") {
        (Operator::Alternative { colon: true }, 2)
    } else if after.starts_with('+') {
        (Operator::Alternative { colon: false }, 1)
    } else {
        return Err(());
    };

    let argument_text = &after[operator_length..];
    let close = closing_brace(argument_text).ok_or(())?;
    let raw_argument = argument_text[..close].to_owned();
    let argument = parse_template(&raw_argument)?;
    let total = 2 + length + operator_length + close + 1;
    Ok((Piece::Variable { name, operator, argument, raw_argument }, total))
}

/// The offset of the `}` that closes an argument, skipping nested `${...}`
/// and `$$`.
fn closing_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'$' if bytes.get(index + 1) == Some(&b'$') => index += 1,
            b'$' if bytes.get(index + 1) == Some(&b'{') => {
                depth += 1;
                index += 1;
            }
            b'}' if depth == 0 => return Some(index),
            b'}' => depth -= 1,
            _ => {}
        }
        index += 1;
    }
    None
}

/// Lists the variables that the values of `root` read, each once, in order of
/// first appearance. Invalid templates are errors naming the value's path.
pub fn variables(root: &Node, file: &Path) -> Result<Vec<Variable>, Diagnostics> {
    let mut found = Vec::new();
    let mut errors = Diagnostics::default();
    visit(root, &mut String::new(), &mut |node, path| {
        let Value::String(template) = &node.value else { return };
        match parse_template(template) {
            Ok(pieces) => collect(&pieces, node.span, &mut found),
            Err(()) => errors.push(syntax_error(file, node, path, template)),
        }
    });
    if errors.is_empty() { Ok(found) } else { Err(errors) }
}

fn collect(pieces: &[Piece], span: Span, found: &mut Vec<Variable>) {
    for piece in pieces {
        let Piece::Variable { name, operator, argument, raw_argument } = piece else { continue };
        if !found.iter().any(|variable| &variable.name == name) {
            found.push(Variable {
                name: name.clone(),
                default: matches!(operator, Operator::Default { .. }).then(|| raw_argument.clone()),
                span,
                required: matches!(operator, Operator::Required { .. }).then(|| raw_argument.clone()),
            });
        }
        collect(argument, span, found);
    }
}

/// Where interpolation takes its values from.
#[derive(Clone, Copy)]
pub enum Source<'env> {
    /// Build-time check: no variable is set, so every variable takes its
    /// default or the empty string, without warnings.
    Unset,
    /// Run time: variables come from the environment; an unset variable
    /// without default is an empty string and a warning.
    Environment(&'env dyn Environment),
    /// Build-time check with some values known (from env files): a variable
    /// set in the environment takes its value, any other its default or the
    /// empty string, without warnings or errors for required variables.
    Known(&'env dyn Environment),
}

/// Replaces every template in the values of `root`. Returns the errors
/// (invalid templates, unset required variables) and warnings.
pub fn apply(root: &mut Node, file: &Path, source: Source<'_>) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let mut warned = BTreeSet::new();
    visit_mut(root, &mut String::new(), &mut |node, path| {
        let Value::String(template) = &node.value else { return };
        if !template.contains('$') {
            return;
        }
        let pieces = match parse_template(template) {
            Ok(pieces) => pieces,
            Err(()) => {
                diagnostics.push(syntax_error(file, node, path, template));
                return;
            }
        };
        let mut context = Resolve { source, file, span: node.span, diagnostics: &mut diagnostics, warned: &mut warned, warn_unset: true };
        let value = context.render(&pieces);
        node.value = Value::String(value);
    });
    diagnostics
}

/// Substitutes the templates of one value outside a compose file, such as a
/// line of an env file. Unset variables are empty without a warning. Returns
/// the errors of an invalid template or an unset required variable, located
/// at `span` of `file`.
pub fn substitute(template: &str, environment: &dyn Environment, file: &Path, span: Span, path: &str) -> Result<String, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let Ok(pieces) = parse_template(template) else {
        let diagnostic = Diagnostic::error(code::INTERPOLATION_SYNTAX, messages::interpolation_syntax(path, template), file, span)
            .with_path(path)
            .with_help(messages::INTERPOLATION_HELP);
        diagnostics.push(diagnostic);
        return Err(diagnostics);
    };
    let mut warned = BTreeSet::new();
    let source = Source::Environment(environment);
    let mut context = Resolve { source, file, span, diagnostics: &mut diagnostics, warned: &mut warned, warn_unset: false };
    let value = context.render(&pieces);
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok(value) }
}

struct Resolve<'a, 'env> {
    source: Source<'env>,
    file: &'a Path,
    span: Span,
    diagnostics: &'a mut Diagnostics,
    warned: &'a mut BTreeSet<String>,
    warn_unset: bool,
}

impl Resolve<'_, '_> {
    fn render(&mut self, pieces: &[Piece]) -> String {
        let mut output = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(text) => output.push_str(text),
                Piece::Variable { name, operator, argument, raw_argument } => {
                    let value = self.variable(name, *operator, argument, raw_argument);
                    output.push_str(&value);
                }
            }
        }
        output
    }

    fn variable(&mut self, name: &str, operator: Operator, argument: &[Piece], message: &str) -> String {
        let value = match self.source {
            Source::Unset => None,
            Source::Environment(environment) | Source::Known(environment) => environment.get(name),
        };
        let missing = |colon: bool| value.as_deref().is_none_or(|value| colon && value.is_empty());
        match operator {
            Operator::Plain => match value {
                Some(value) => value,
                None => {
                    self.warn_unset(name);
                    String::new()
                }
            },
            Operator::Default { colon } if missing(colon) => self.render(argument),
            Operator::Required { colon } if missing(colon) => {
                if let Source::Environment(_) = self.source {
                    self.diagnostics.push(
                        Diagnostic::error(code::VARIABLE_REQUIRED, messages::variable_required(name, message), self.file, self.span)
                            .with_help(messages::variable_unset_help(name)),
                    );
                }
                String::new()
            }
            Operator::Alternative { colon } if !missing(colon) => self.render(argument),
            Operator::Alternative { .. } => String::new(),
            Operator::Default { .. } | Operator::Required { .. } => value.unwrap_or_default(),
        }
    }

    fn warn_unset(&mut self, name: &str) {
        if let Source::Environment(_) = self.source {
            if self.warn_unset && self.warned.insert(name.to_owned()) {
                self.diagnostics.push(
                    Diagnostic::warning(code::VARIABLE_UNSET, messages::variable_unset(name), self.file, self.span)
                        .with_help(messages::variable_unset_help(name)),
                );
            }
        }
    }
}

fn syntax_error(file: &Path, node: &Node, path: &str, template: &str) -> Diagnostic {
    Diagnostic::error(code::INTERPOLATION_SYNTAX, messages::interpolation_syntax(path, template), file, node.span)
        .with_path(path)
        .with_help(messages::INTERPOLATION_HELP)
}

/// Calls `action` on every value node (not on keys) with its dotted path.
fn visit(node: &Node, path: &mut String, action: &mut dyn FnMut(&Node, &str)) {
    match &node.value {
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                visit(item, path, action);
                path.truncate(length);
            }
        }
        Value::Mapping(entries) => {
            for (key, value) in entries {
                let length = path.len();
                push_key(path, key);
                visit(value, path, action);
                path.truncate(length);
            }
        }
        _ => action(node, path),
    }
}

fn visit_mut(node: &mut Node, path: &mut String, action: &mut dyn FnMut(&mut Node, &str)) {
    match &mut node.value {
        Value::Sequence(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                visit_mut(item, path, action);
                path.truncate(length);
            }
        }
        Value::Mapping(entries) => {
            for (key, value) in entries {
                let length = path.len();
                push_key(path, key);
                visit_mut(value, path, action);
                path.truncate(length);
            }
        }
        _ => action(node, path),
    }
}

fn push_key(path: &mut String, key: &Node) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(&key.scalar_text().unwrap_or_else(|| "?".to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(template: &str, environment: &[(&str, &str)]) -> String {
        let pieces = parse_template(template).expect("valid template");
        let lookup = |name: &str| environment.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string());
        let mut diagnostics = Diagnostics::default();
        let mut warned = BTreeSet::new();
        let mut context = Resolve {
            source: Source::Environment(&lookup),
            file: Path::new("compose.yaml"),
            span: Span::default(),
            diagnostics: &mut diagnostics,
            warned: &mut warned,
            warn_unset: true,
        };
        context.render(&pieces)
    }

    #[test]
    fn template_forms() {
        let environment = [("A", "a"), ("EMPTY", "")];
        assert_eq!(resolve("$A", &environment), "a");
        assert_eq!(resolve("${A}x", &environment), "ax");
        assert_eq!(resolve("$Ax", &environment), "");
        assert_eq!(resolve("${B:-b}", &environment), "b");
        assert_eq!(resolve("${EMPTY:-b}", &environment), "b");
        assert_eq!(resolve("${EMPTY-b}", &environment), "");
        assert_eq!(resolve("${B-b}", &environment), "b");
        assert_eq!(resolve("${B:-${A}}", &environment), "a");
        assert_eq!(resolve("${A:+set}", &environment), "set");
        assert_eq!(resolve("${B:+set}", &environment), "");
        assert_eq!(resolve("$$A", &environment), "$A");
        assert_eq!(resolve("cost: $5 $", &environment), "cost: $5 $");
    }

    #[test]
    fn invalid_templates() {
        for template in ["${", "${}", "${ foo}", "${A", "${A:-x", "${1A}", "${A B}"] {
            assert!(parse_template(template).is_err(), "{template} should be invalid");
        }
    }
}
