//! Emitters: validated models in, Rust tokens out.
