//! The Compose Specification: model, loading, validation and emission.

pub mod emit;
pub mod load;
pub mod model;
pub mod parse;
pub mod spec;
pub mod validate;
