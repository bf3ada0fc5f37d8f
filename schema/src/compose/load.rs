//! The loader pipeline: parse, interpolate, normalize, validate.

use std::path::Path;

use crate::compose::model::Project;
use crate::compose::{parse, validate};
use crate::diag::Diagnostics;
use crate::interpolate::{self, Source, Variable};
use crate::yaml;

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
/// takes its default, or the empty string. Returns every error at once, with
/// the warnings, sorted by position.
pub fn check(source: &str, file: &Path) -> Result<Checked, Diagnostics> {
    let mut root = yaml::parse(source, file)?;
    let variables = interpolate::variables(&root, file)?;
    let diagnostics = interpolate::apply(&mut root, file, Source::Unset);
    let (project, warnings) = normalize(&root, file, diagnostics)?;
    Ok(Checked { project, variables, warnings })
}

/// Loads a compose file, interpolating with `environment`. On success the
/// diagnostics hold only warnings; on failure they hold every error and
/// warning, sorted by position.
pub fn load(source: &str, file: &Path, environment: &dyn Environment) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut root = yaml::parse(source, file)?;
    let diagnostics = interpolate::apply(&mut root, file, Source::Environment(environment));
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    normalize(&root, file, diagnostics)
}

/// Parses the interpolated tree and validates the project.
fn normalize(root: &yaml::Node, file: &Path, mut diagnostics: Diagnostics) -> Result<(Project, Diagnostics), Diagnostics> {
    let project = parse::parse_project(root, file, &mut diagnostics);
    diagnostics.extend(validate::validate(&project));
    diagnostics.sort();
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok((project, diagnostics)) }
}

/// The project name: the top-level `name`, else `COMPOSE_PROJECT_NAME` from
/// `environment` (pass `None` at build time), else the name of the compose
/// file's folder. Docker compose's rule then applies: lower case, with every
/// character outside `a-z`, `0-9`, `_` and `-` removed.
///
/// NOTE: a name that ends up empty (a folder named `..` or `/`) is `default`.
pub fn project_name(project: &Project, environment: Option<&dyn Environment>) -> String {
    let raw = project
        .name
        .clone()
        .filter(|name| !name.is_empty())
        .or_else(|| environment.and_then(|environment| environment.get("COMPOSE_PROJECT_NAME")).filter(|name| !name.is_empty()))
        .unwrap_or_else(|| folder_name(&project.file));
    let name: String = raw
        .to_lowercase()
        .chars()
        .filter(|char| char.is_ascii_lowercase() || char.is_ascii_digit() || *char == '_' || *char == '-')
        .collect();
    if name.is_empty() { "default".to_owned() } else { name }
}

fn folder_name(file: &Path) -> String {
    let folder = file.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let folder = folder.components().filter(|component| !matches!(component, std::path::Component::CurDir)).collect::<std::path::PathBuf>();
    folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}
