//! Thin proc-macro shims over perry-stack-codegen.
//!
//! A proc macro cannot point a span into a YAML file on stable Rust, so each
//! diagnostic becomes one `compile_error!` spanned at the path literal, whose
//! text carries the file, line, column, the quoted YAML line and the help.

use std::path::{Component, Path, PathBuf};

use perry_stack_schema::yaml::Value;
use perry_stack_schema::{Diagnostic, Diagnostics, Severity};
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
            let message = format!(
                "cannot read the compose file `{path_text}`: {error}\n\
                 help: the path is relative to the folder of the Cargo.toml of the crate that calls `include_stack!`"
            );
            let fallback = perry_stack_codegen::expand_fallback(path_text, &[], false);
            return [compile_error(literal, &message), fallback].into_iter().collect();
        }
    };

    let checked = match perry_stack_schema::check(&source, &path) {
        Ok(checked) => checked,
        Err(diagnostics) => {
            let services = service_names(&source, &path);
            let services: Vec<&str> = services.iter().map(String::as_str).collect();
            return expand_errors(literal, path_text, &source, diagnostics, &services);
        }
    };
    match perry_stack_codegen::expand_stack(path_text, &checked) {
        Ok(tokens) => tokens,
        Err(diagnostics) => {
            let services: Vec<&str> = checked.project.services.keys().map(String::as_str).collect();
            expand_errors(literal, path_text, &source, diagnostics, &services)
        }
    }
}

/// Joins the literal to the calling crate's manifest folder and removes `.`
/// and `..` components, so that messages show a plain path.
fn resolve(literal: &LitStr) -> Result<PathBuf, String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| "CARGO_MANIFEST_DIR is not set; build the crate with cargo".to_owned())?;
    let mut path = PathBuf::new();
    for component in Path::new(&manifest_dir).join(literal.value()).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                path.pop();
            }
            other => path.push(other),
        }
    }
    Ok(path)
}

/// Reads the names under `services` of a file that failed to check from the
/// YAML tree alone, so that the fallback enum still has the services that
/// the caller's code names. When the YAML itself does not parse, the names
/// come from a scan of the lines instead.
fn service_names(source: &str, path: &Path) -> Vec<String> {
    let Ok(root) = perry_stack_schema::yaml::parse(source, path) else {
        return scan_service_names(source);
    };
    let Some(Value::Mapping(services)) = root.get("services").map(|node| &node.value) else {
        return Vec::new();
    };
    services.iter().filter_map(|(name, _)| name.as_str().map(str::to_owned)).collect()
}

/// Finds the keys one indentation level under a top-level `services:` line.
/// This only serves the fallback after a YAML syntax error, where a guess
/// is better than an empty enum that turns each use of a service into a
/// second error.
fn scan_service_names(source: &str) -> Vec<String> {
    let content = |line: &&str| !line.trim().is_empty() && !line.trim_start().starts_with('#');
    let mut lines = source.lines().skip_while(|line| line.trim_end() != "services:" && !line.starts_with("services: #")).skip(1).filter(content);
    let Some(first) = lines.next() else {
        return Vec::new();
    };
    let indent = first.len() - first.trim_start().len();
    if indent == 0 {
        return Vec::new();
    }

    let mut names = Vec::new();
    for line in std::iter::once(first).chain(lines) {
        let depth = line.len() - line.trim_start().len();
        if depth == 0 {
            break;
        }
        let Some((key, _)) = line.trim().split_once(':') else { continue };
        if depth == indent && !key.is_empty() {
            names.push(key.trim_matches(['"', '\'']).to_owned());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Emits one `compile_error!` per error, then the fallback items. Diagnostics
/// name the file as the literal wrote it, because the macro call site already
/// shows which crate the path is relative to.
fn expand_errors(literal: &LitStr, path: &str, source: &str, diagnostics: Diagnostics, services: &[&str]) -> TokenStream2 {
    let mut tokens = TokenStream2::new();
    for mut diagnostic in diagnostics {
        if diagnostic.severity != Severity::Error {
            continue;
        }
        diagnostic.file = PathBuf::from(literal.value());
        tokens.extend(compile_error(literal, &render(&diagnostic, source)));
    }
    tokens.extend(perry_stack_codegen::expand_fallback(path, services, true));
    tokens
}

/// Renders a diagnostic for rustc, which prints `error: ` before the text
/// itself: the renderer's own `error[code]: ` heading is turned into a
/// `[code]` suffix of the first line.
fn render(diagnostic: &Diagnostic, source: &str) -> String {
    let rendered = diagnostic.render(source, false);
    let heading = format!("error[{}]: ", diagnostic.code);
    let Some(rest) = rendered.strip_prefix(&heading) else {
        return rendered;
    };
    match rest.split_once('\n') {
        Some((first, snippet)) => format!("{first} [{}]\n{snippet}", diagnostic.code),
        None => format!("{rest} [{}]", diagnostic.code),
    }
}

fn compile_error(literal: &LitStr, message: &str) -> TokenStream2 {
    quote_spanned!(literal.span()=> ::core::compile_error!(#message);)
}

/// Makes a struct a workload node of a graph.
///
/// Keys: `image = "..."` (required), `command("argv", ...)`,
/// `ports(name = 8080, ...)`, `env(NAME = "value", ...)`,
/// `runtime = "auto" | "oci" | "microvm" | "wasm"`,
/// `tier = "default" | "isolated" | "hardened" | "untrusted"`,
/// `privileged`, `exclusive`, `depends_on(Node, ...)`, `memory = "64m"`,
/// `cpus = "0.5"`, `volumes("name:/path", ...)`, `healthcheck("argv", ...)`.
///
/// A field of type `Endpoint<Node>`, `Ip<Node>` or `InternalUrl<Node>` with
/// `#[reference(port = "name")]` references another node; the engine puts
/// the resolved address into the environment variable named after the field
/// in upper case, or `env = "NAME"`. The node's name in its graph is the
/// struct name in snake case.
///
/// ```ignore
/// #[perry_stack::workload(image = "localhost/db:1", tier = "hardened", ports(pg = 5432))]
/// struct Database;
///
/// #[perry_stack::workload(image = "localhost/web:1")]
/// struct Web {
///     #[reference(port = "pg")]
///     database_addr: perry_stack::workload::Endpoint<Database>,
/// }
/// ```
#[proc_macro_attribute]
pub fn workload(attr: TokenStream, item: TokenStream) -> TokenStream {
    perry_stack_codegen::workload::expand_workload(attr.into(), item.into()).into()
}

/// Assembles `#[workload]` structs of the same module, declared before this
/// call, into a graph: `workload_graph!(pub Pipeline: Database, Web);`.
///
/// A dependency cycle, a reference to a node not in the list or to a port
/// its target does not declare, and a tier that contradicts an option or a
/// runtime are compile errors naming the nodes. The expansion is a unit
/// struct with `fn graph() -> Graph`.
#[proc_macro]
pub fn workload_graph(input: TokenStream) -> TokenStream {
    perry_stack_codegen::workload::expand_graph(input.into()).into()
}

/// The last link of the chain that `workload_graph!` starts; not for direct use.
#[doc(hidden)]
#[proc_macro]
pub fn __workload_graph_checked(input: TokenStream) -> TokenStream {
    perry_stack_codegen::workload::expand_checked_graph(input.into()).into()
}
