//! The typed module that `include_stack!` expands to.

mod expand;
mod names;

use std::path::Path;

use perry_stack_schema::{Checked, Diagnostics, Span};
use proc_macro2::TokenStream;

/// Expands a checked compose file at the absolute `path` into the items of a
/// typed stack module: `Service`, `ports`, `Variables`, `stack()` and the
/// rest. Fails when an item has no sound Rust name or two items share one.
pub fn expand_stack(path: &str, checked: &Checked) -> Result<TokenStream, Diagnostics> {
    let (stack, errors) = names::name_items(path, checked);
    if !errors.0.is_empty() {
        return Err(errors);
    }
    Ok(expand::expand_items(&stack))
}

/// Expands the items that the caller's code names, for a compose file that
/// failed to check, so that one mistake in the file yields only its own
/// errors. `services` are the service names that could be read from the
/// file, if any; those without a sound, distinct Rust name are left out.
/// `readable` is false when the file cannot be read, and the file is then
/// not embedded, so that the missing file causes only its own error.
pub fn expand_fallback(path: &str, services: &[&str], readable: bool) -> TokenStream {
    let mut sorted = services.to_vec();
    sorted.sort_unstable();
    sorted.dedup();

    let mut ignored = Diagnostics::default();
    let services = sorted.into_iter().map(|name| (name, Span::default()));
    let stack = names::Stack {
        path: path.to_owned(),
        readable,
        services: names::name_services(services, Path::new(path), &mut ignored),
        ..names::Stack::default()
    };
    expand::expand_items(&stack)
}
