//! The Compose Specification: model, loading, validation and emission.

pub mod emit;
pub mod env_file;
pub mod file_schema;
pub mod home;
pub mod include;
pub mod load;
pub mod merge;
pub mod model;
pub mod parse;
pub mod profiles;
pub mod short_forms;
pub mod spec;
pub mod spec_walk;
pub mod validate;
