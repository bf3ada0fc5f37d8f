//! The typed module that `include_stack!` expands to.

mod expand;
mod names;

use perry_stack_schema::{Checked, Diagnostics};
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
/// errors. Emits the services that could be named when `checked` is given,
/// and an empty enum otherwise. `readable` tells whether the file exists, so
/// that it is embedded only then.
pub fn expand_fallback(path: &str, checked: Option<&Checked>, readable: bool) -> TokenStream {
    let mut stack = match checked {
        Some(checked) => names::name_items(path, checked).0,
        None => names::Stack { path: path.to_owned(), ..names::Stack::default() },
    };
    stack.readable = readable;
    expand::expand_items(&stack)
}
