//! Thin proc-macro shims over perry-stack-codegen.
//!
//! A proc macro cannot point a span into a YAML file on stable Rust, so each
//! diagnostic becomes one `compile_error!` spanned at the path literal, whose
//! text carries the file, line, column, the quoted YAML line and the help.

use std::path::{Path, PathBuf};

use perry_stack_schema::{Checked, Diagnostic};
use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote_spanned;
use syn::{LitStr, parse_macro_input};

/// Checks a compose file when the crate is built and expands to a typed
/// module of it: `enum Service`, `mod ports`, `struct Variables`, `PATH`,
/// `stack()` and `stack_with()`.
///
/// The path is relative to the calling crate's `CARGO_MANIFEST_DIR`. Editing
/// the file rebuilds the crate. Errors in the file are compile errors;
/// warnings are listed in the generated `WARNINGS` constant.
///
/// ```ignore
/// mod stack {
///     perry_stack::include_stack!("stack.yaml");
/// }
/// ```
#[proc_macro]
pub fn include_stack(input: TokenStream) -> TokenStream {
    let literal = parse_macro_input!(input as LitStr);
    expand_include_stack(&literal).into()
}

fn expand_include_stack(literal: &LitStr) -> TokenStream2 {
    let path = match resolve(literal) {
        Ok(path) => path,
        Err(message) => return compile_error(literal, &message),
    };
    let Some(path_text) = path.to_str() else {
        let message = format!("the path `{}` is not valid UTF-8, which `include_str!` needs", path.display());
        return compile_error(literal, &message);
    };

    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            let message = format!("cannot read the compose file `{path_text}`: {error}\nhelp: the path is relative to CARGO_MANIFEST_DIR of the crate that calls `include_stack!`");
            let fallback = perry_stack_codegen::expand_fallback(path_text, None, false);
            return [compile_error(literal, &message), fallback].into_iter().collect();
        }
    };

    let checked = match perry_stack_schema::check(&source, &path) {
        Ok(checked) => checked,
        Err(diagnostics) => return expand_errors(literal, path_text, &source, &diagnostics.0, None),
    };
    match perry_stack_codegen::expand_stack(path_text, &checked) {
        Ok(tokens) => tokens,
        Err(diagnostics) => expand_errors(literal, path_text, &source, &diagnostics.0, Some(&checked)),
    }
}

/// Joins the literal to the calling crate's manifest folder.
fn resolve(literal: &LitStr) -> Result<PathBuf, String> {
    let relative = literal.value();
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| "CARGO_MANIFEST_DIR is not set; build the crate with cargo".to_owned())?;
    Ok(Path::new(&manifest_dir).join(relative))
}

fn expand_errors(literal: &LitStr, path: &str, source: &str, diagnostics: &[Diagnostic], checked: Option<&Checked>) -> TokenStream2 {
    let mut tokens: TokenStream2 = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == perry_stack_schema::Severity::Error)
        .map(|diagnostic| compile_error(literal, &render(diagnostic, source)))
        .collect();
    tokens.extend(perry_stack_codegen::expand_fallback(path, checked, true));
    tokens
}

fn render(diagnostic: &Diagnostic, source: &str) -> String {
    // TODO: switch to the loader's snippet renderer once it lands.
    let _ = source;
    match &diagnostic.help {
        Some(help) => format!("{diagnostic}\nhelp: {help}"),
        None => diagnostic.to_string(),
    }
}

fn compile_error(literal: &LitStr, message: &str) -> TokenStream2 {
    quote_spanned!(literal.span()=> ::core::compile_error! { #message };)
}
