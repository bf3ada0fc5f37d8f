//! Emitters: validated models in, Rust tokens out.
pub mod ffi;
