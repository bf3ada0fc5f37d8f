//! Emitters: validated models in, Rust tokens out.
//!
//! Nothing here reads files or the environment, so the proc macros and build
//! scripts that call these functions get the same output for the same model.

pub mod ffi;
pub mod stack;
pub mod workload;

pub use stack::{expand_fallback, expand_stack};

/// Formats generated items as Rust source, for files that build scripts
/// write and for snapshots.
pub fn pretty(tokens: proc_macro2::TokenStream) -> Result<String, syn::Error> {
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}
