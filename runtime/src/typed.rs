//! Support types and functions for the code that `include_stack!` generates.
//!
//! The generated module stays small by calling into this module: it contains
//! constants of these types and forwards loading to these functions.

use std::path::Path;

use perry_stack_schema::compose::load::ProcessEnvironment;
use perry_stack_schema::{Diagnostics, Project};

/// A port that a service declares in its `ports`, as written in the compose
/// file before interpolation of the run-time environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeclaredPort {
    /// The compose name of the service.
    pub service: &'static str,
    /// The `name` of a port in the long syntax.
    pub name: Option<&'static str>,
    /// The container port.
    pub target: u16,
    /// The host port or range (`8080`, `8000-8010`); `None` lets the runtime
    /// choose one.
    pub published: Option<&'static str>,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: &'static str,
}

/// A `${VAR}` that a compose file reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VariableInfo {
    /// The variable's name in the environment.
    pub name: &'static str,
    /// The default of `${VAR:-default}`.
    pub default: Option<&'static str>,
}

/// The service enum of a generated stack module.
pub trait StackService: Copy + Eq + Ord + 'static {
    /// Every service, sorted by compose name.
    const ALL: &'static [Self];

    /// Returns the compose name of the service.
    fn name(self) -> &'static str;

    /// Finds the service with this compose name.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|service| service.name() == name)
    }
}

/// Reads a variable from the process environment, falling back to `default`
/// when it is unset or not valid Unicode.
pub fn env_or(name: &str, default: Option<&str>) -> Option<String> {
    std::env::var(name).ok().or_else(|| default.map(str::to_owned))
}

/// Loads an embedded compose file, interpolating with the process environment.
pub fn load_from_env(source: &str, path: &str) -> Result<Project, Diagnostics> {
    load(source, path, &ProcessEnvironment)
}

/// Loads an embedded compose file, interpolating with exactly the variables
/// that `lookup` returns: a variable it returns `None` for is unset.
pub fn load_with<'v>(source: &str, path: &str, lookup: impl Fn(&str) -> Option<&'v str>) -> Result<Project, Diagnostics> {
    load(source, path, &|name: &str| lookup(name).map(str::to_owned))
}

fn load(source: &str, path: &str, environment: &dyn perry_stack_schema::Environment) -> Result<Project, Diagnostics> {
    let (project, warnings) = perry_stack_schema::load(source, Path::new(path), environment)?;

    // The same warnings were found when the crate was built, and
    // `perry-stack check` prints them, so they are only traced here.
    for warning in warnings.0.iter() {
        tracing::debug!(file = %path, "{warning}");
    }
    Ok(project)
}

/// Writes a `Variables` struct for `{:?}`, showing whether each variable is
/// set but never its value, since variables often carry secrets.
pub fn debug_variables<'v>(
    formatter: &mut std::fmt::Formatter<'_>,
    struct_name: &str,
    variables: &[VariableInfo],
    lookup: impl Fn(&str) -> Option<&'v str>,
) -> std::fmt::Result {
    let mut debug = formatter.debug_struct(struct_name);
    for variable in variables {
        let state = if lookup(variable.name).is_some() { "<set>" } else { "<unset>" };
        debug.field(variable.name, &format_args!("{state}"));
    }
    debug.finish()
}
