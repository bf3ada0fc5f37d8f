//! The loader pipeline: parse, interpolate, normalize, validate.

use std::path::Path;

use crate::compose::model::Project;
use crate::diag::Diagnostics;
use crate::interpolate::Variable;

/// Where interpolation reads variables from.
pub trait Environment {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<F: Fn(&str) -> Option<String>> Environment for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// The result of a build-time check: the model as it loads when no variable
/// is set, the variables it reads, and the warnings.
#[derive(Debug)]
pub struct Checked {
    pub project: Project,
    pub variables: Vec<Variable>,
    pub warnings: Diagnostics,
}

/// Checks a compose file without reading any environment: every variable
/// takes its default, or the empty string. Returns every error at once.
pub fn check(source: &str, file: &Path) -> Result<Checked, Diagnostics> {
    let _ = (source, file);
    todo!("check")
}

/// Loads a compose file, interpolating with `environment`. On success the
/// diagnostics hold only warnings.
pub fn load(source: &str, file: &Path, environment: &dyn Environment) -> Result<(Project, Diagnostics), Diagnostics> {
    let _ = (source, file, environment);
    todo!("load")
}
