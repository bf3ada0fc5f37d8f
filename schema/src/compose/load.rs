//! The loader pipeline: parse, interpolate, normalize, validate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compose::model::{Project, Service};
use crate::compose::{env_file, merge, parse, profiles, validate};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::dotenv::{self, Format};
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
    let mut root = parse_file(source, file)?;
    let variables = interpolate::variables(&root, file)?;
    let diagnostics = interpolate::apply(&mut root, file, Source::Unset);
    let (project, warnings) = normalize(&root, file, diagnostics)?;
    Ok(Checked { project, variables, warnings })
}

/// Loads a compose file, interpolating with `environment`. On success the
/// diagnostics hold only warnings; on failure they hold every error and
/// warning, sorted by position.
pub fn load(source: &str, file: &Path, environment: &dyn Environment) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut root = parse_file(source, file)?;
    let diagnostics = interpolate::apply(&mut root, file, Source::Environment(environment));
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    normalize(&root, file, diagnostics)
}

/// Parses one compose file. A file with nothing in it (no text, only
/// comments, `{}` or `null`) is an error, as docker compose rejects it too.
fn parse_file(source: &str, file: &Path) -> Result<yaml::Node, Diagnostics> {
    let root = yaml::parse(source, file)?;
    let empty = match &root.value {
        yaml::Value::Null => true,
        yaml::Value::Mapping(entries) => entries.is_empty(),
        _ => false,
    };
    if empty {
        let diagnostic = Diagnostic::error(code::EMPTY_FILE, messages::EMPTY_FILE, file, root.span).with_help(messages::EMPTY_FILE_HELP);
        return Err(Diagnostics(vec![diagnostic]));
    }
    Ok(root)
}

/// Parses the interpolated tree and validates the project.
fn normalize(root: &yaml::Node, file: &Path, mut diagnostics: Diagnostics) -> Result<(Project, Diagnostics), Diagnostics> {
    let (root, found) = merge::merge_files(vec![root.clone()], &[file.to_path_buf()]);
    diagnostics.extend(found);
    let project = parse::parse_project(&root, file, &mut diagnostics);
    let found = validate::validate(&project, &diagnostics);
    diagnostics.extend(found);
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
    let name = normalize_project_name(&raw);
    if name.is_empty() { "default".to_owned() } else { name }
}

/// Applies docker compose's rule to a project name: lower case, every
/// character outside `a-z`, `0-9`, `_` and `-` removed, and no leading `_`
/// or `-`. The result can be empty.
pub fn normalize_project_name(raw: &str) -> String {
    let kept: String = raw
        .to_lowercase()
        .chars()
        .filter(|char| char.is_ascii_lowercase() || char.is_ascii_digit() || *char == '_' || *char == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_owned()
}

fn folder_name(file: &Path) -> String {
    let folder = file.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let folder = folder.components().filter(|component| !matches!(component, std::path::Component::CurDir)).collect::<std::path::PathBuf>();
    folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The compose file names looked for when no file is named, in order.
pub const DEFAULT_FILES: [&str; 4] = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// The override file names looked for beside the default file, in order.
pub const OVERRIDE_FILES: [&str; 4] = ["compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"];

/// What [`load_project`] reads.
#[derive(Default)]
pub struct Options<'env> {
    /// Compose files, merged in order. When empty, COMPOSE_FILE (paths
    /// separated by `:`) names them, else the first of [`DEFAULT_FILES`] in
    /// `working_dir` or its nearest parent folder that has one, followed by
    /// the first of [`OVERRIDE_FILES`] beside it.
    pub files: Vec<PathBuf>,
    /// Where default files are looked for; the current folder when empty.
    pub working_dir: PathBuf,
    /// Env files whose variables interpolate the compose files, later ones
    /// winning. When empty, `.env` in the project folder, if it exists.
    pub env_files: Vec<PathBuf>,
    /// Profiles to enable in addition to those of COMPOSE_PROFILES.
    pub profiles: Vec<String>,
    /// The process environment, which wins over the env files. `None` is a
    /// build-time check: only env files give values, unset variables take
    /// their defaults without warnings, and services' `env_file` are not read.
    pub environment: Option<&'env dyn Environment>,
}

/// A loaded project with everything needed to report on it.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    /// Services left out because none of their profiles is enabled.
    pub disabled_services: BTreeMap<String, Service>,
    /// The variables the compose files read, each once.
    pub variables: Vec<Variable>,
    pub warnings: Diagnostics,
    /// The text of every file read, for rendering diagnostics.
    pub sources: BTreeMap<PathBuf, String>,
}

/// The diagnostics of a failed load, with the text of every file read.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Diagnostics,
    pub sources: BTreeMap<PathBuf, String>,
}

/// The process environment seen through the env files: a variable set in the
/// process wins; otherwise the env files' value applies.
struct Layered<'env> {
    process: Option<&'env dyn Environment>,
    env_files: BTreeMap<String, String>,
}

impl Environment for Layered<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.process.and_then(|process| process.get(name)).or_else(|| self.env_files.get(name).cloned())
    }
}

/// Loads a project from several compose files: reads the env files, parses
/// and interpolates each compose file, merges them, normalizes, applies
/// profiles, reads services' env files and validates. Returns every error
/// at once, sorted by file and position.
pub fn load_project(options: &Options<'_>) -> Result<Loaded, Failed> {
    let mut sources = BTreeMap::new();
    let mut diagnostics = Diagnostics::default();
    let fail = |diagnostics: Diagnostics, sources| Err(Failed { diagnostics, sources });

    let files = match compose_files(options) {
        Ok(files) => files,
        Err(diagnostic) => return fail(Diagnostics(vec![diagnostic]), sources),
    };
    let project_folder = files[0].parent().map(Path::to_path_buf).unwrap_or_default();

    let env_files = read_env_files(options, &project_folder, &mut sources, &mut diagnostics);
    let environment = Layered { process: options.environment, env_files };

    let mut roots = Vec::new();
    let mut variables: Vec<Variable> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let Some(source) = read(file, &mut diagnostics) else { continue };
        let parsed = parse_file(&source, file);
        sources.insert(file.clone(), source);
        let mut root = match parsed {
            Ok(root) => root,
            Err(errors) => {
                diagnostics.extend(in_file(errors, index));
                continue;
            }
        };
        root.set_file(index as u32);
        match interpolate::variables(&root, file) {
            Ok(found) => variables.extend(found.into_iter().filter(|variable| !variables.iter().any(|known| known.name == variable.name)).collect::<Vec<_>>()),
            Err(errors) => {
                diagnostics.extend(errors);
                continue;
            }
        }
        let source = match options.environment {
            Some(_) => Source::Environment(&environment),
            None => Source::Known(&environment),
        };
        diagnostics.extend(interpolate::apply(&mut root, file, source));
        roots.push(root);
    }
    if diagnostics.has_errors() {
        diagnostics.sort();
        return fail(diagnostics, sources);
    }

    let (root, found) = merge::merge_files(roots, &files);
    diagnostics.extend(found);
    let mut project = parse::parse_merged(&root, &files, &mut diagnostics);

    let mut enabled = options.profiles.clone();
    enabled.extend(environment.get("COMPOSE_PROFILES").map(|value| profiles::from_variable(&value)).unwrap_or_default());
    let (disabled_services, found) = profiles::apply(&mut project, &enabled);
    diagnostics.extend(found);

    if options.environment.is_some() {
        diagnostics.extend(env_file::resolve(&mut project, &environment, &mut sources));
    }
    let found = validate::validate(&project, &diagnostics);
    diagnostics.extend(found);
    diagnostics.sort();
    if diagnostics.has_errors() {
        return fail(diagnostics, sources);
    }
    Ok(Loaded { project, disabled_services, variables, warnings: diagnostics, sources })
}

/// The compose files to merge, as [`Options::files`] describes.
fn compose_files(options: &Options<'_>) -> Result<Vec<PathBuf>, Diagnostic> {
    if !options.files.is_empty() {
        return Ok(options.files.clone());
    }
    let from_variable = options.environment.and_then(|environment| environment.get("COMPOSE_FILE")).filter(|value| !value.is_empty());
    if let Some(value) = from_variable {
        return Ok(value.split(':').filter(|path| !path.is_empty()).map(PathBuf::from).collect());
    }

    let start = if options.working_dir.as_os_str().is_empty() { PathBuf::from(".") } else { options.working_dir.clone() };
    let start = std::path::absolute(&start).unwrap_or(start);
    let mut folder = Some(start.as_path());
    while let Some(current) = folder {
        if let Some(file) = DEFAULT_FILES.iter().map(|name| current.join(name)).find(|path| path.is_file()) {
            let mut files = vec![file];
            files.extend(OVERRIDE_FILES.iter().map(|name| current.join(name)).find(|path| path.is_file()));
            return Ok(files);
        }
        folder = current.parent();
    }
    let message = messages::no_compose_file(&start.display().to_string());
    Err(Diagnostic::error(code::FILE_NOT_FOUND, message, &start, Span::default()).with_help(messages::NO_COMPOSE_FILE_HELP))
}

/// Reads the env files for interpolation, later files winning. Each file's
/// own interpolation sees the process environment first, then the
/// variables of the files before it and its own earlier lines.
fn read_env_files(options: &Options<'_>, project_folder: &Path, sources: &mut BTreeMap<PathBuf, String>, diagnostics: &mut Diagnostics) -> BTreeMap<String, String> {
    let files = if options.env_files.is_empty() {
        let default = project_folder.join(".env");
        if !default.is_file() {
            return BTreeMap::new();
        }
        vec![default]
    } else {
        options.env_files.clone()
    };

    let mut variables = BTreeMap::new();
    for file in files {
        let Some(source) = read(&file, diagnostics) else { continue };
        let known = Layered { process: options.environment, env_files: variables.clone() };
        match dotenv::parse(&source, &file, Format::Dotenv, &known) {
            Ok(found) => variables.extend(found),
            Err(errors) => diagnostics.extend(errors),
        }
        sources.insert(file, source);
    }
    variables
}

fn read(file: &Path, diagnostics: &mut Diagnostics) -> Option<String> {
    match std::fs::read_to_string(file) {
        Ok(source) => Some(source),
        Err(error) => {
            let message = messages::file_unreadable(&file.display().to_string(), &error.to_string());
            diagnostics.push(Diagnostic::error(code::FILE_UNREADABLE, message, file, Span::default()));
            None
        }
    }
}

/// Marks the diagnostics of one file's YAML with the file's index, so they
/// sort with that file.
fn in_file(mut diagnostics: Diagnostics, index: usize) -> Diagnostics {
    for diagnostic in &mut diagnostics.0 {
        diagnostic.span.file = index as u32;
    }
    diagnostics
}
