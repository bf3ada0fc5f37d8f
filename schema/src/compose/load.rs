//! The loader pipeline: parse, interpolate, normalize, validate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::compose::model::{Project, Service};
use crate::compose::{env_file, home, include, merge, parse, profiles, validate};
use crate::diag::messages::{self, code};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::dotenv::{self, Format};
use crate::interpolate::{self, Source, Variable};
use crate::yaml::{self, Node};

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
    let mut documents = parse_file(source, file)?;
    let mut variables = Vec::new();
    let mut diagnostics = Diagnostics::default();
    for document in &mut documents {
        for variable in interpolate::variables(document, file)? {
            if !variables.iter().any(|known: &Variable| known.name == variable.name) {
                variables.push(variable);
            }
        }
        diagnostics.extend(interpolate::apply(document, file, Source::Unset));
    }
    let (project, warnings) = normalize(documents, file, diagnostics)?;
    Ok(Checked { project, variables, warnings })
}

/// Loads a compose file, interpolating with `environment`. On success the
/// diagnostics hold only warnings; on failure they hold every error and
/// warning, sorted by position.
pub fn load(source: &str, file: &Path, environment: &dyn Environment) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut documents = parse_file(source, file)?;
    let mut diagnostics = Diagnostics::default();
    for document in &mut documents {
        diagnostics.extend(interpolate::apply(document, file, Source::Environment(environment)));
    }
    if diagnostics.has_errors() {
        diagnostics.sort();
        return Err(diagnostics);
    }
    normalize(documents, file, diagnostics)
}

/// Parses the documents of one compose file. Empty documents are left out,
/// and the rest merge in order as consecutive files do. A file with nothing
/// in it (no text, only comments, `{}` or `null`) is an error, as docker
/// compose rejects it too, and so is a `null` document among others.
fn parse_file(source: &str, file: &Path) -> Result<Vec<yaml::Node>, Diagnostics> {
    let documents = yaml::parse_documents(source, file)?;
    let empty_file = |span| {
        let diagnostic = Diagnostic::error(code::EMPTY_FILE, messages::EMPTY_FILE, file, span).with_help(messages::EMPTY_FILE_HELP);
        Err(Diagnostics(vec![diagnostic]))
    };
    if let Some(null) = documents.iter().find(|document| matches!(document.value, yaml::Value::Null)) {
        return empty_file(null.span);
    }
    let has_content = documents.iter().any(|document| !matches!(&document.value, yaml::Value::Mapping(entries) if entries.is_empty()));
    if !has_content {
        let start = Span { line: 1, column: 1, ..Span::default() };
        return empty_file(documents.first().map_or(start, |document| document.span));
    }
    Ok(documents)
}

/// Merges the interpolated documents, parses the result and validates the project.
fn normalize(documents: Vec<yaml::Node>, file: &Path, mut diagnostics: Diagnostics) -> Result<(Project, Diagnostics), Diagnostics> {
    let (root, found) = merge::merge_files(documents, &[file.to_path_buf()]);
    diagnostics.extend(found);
    let project = parse::parse_project(&root, file, &mut diagnostics);
    let found = validate::validate(&project, &diagnostics);
    diagnostics.extend(found);
    diagnostics.sort();
    if diagnostics.has_errors() { Err(diagnostics) } else { Ok((project, diagnostics)) }
}

/// Returns the project name: `COMPOSE_PROJECT_NAME` from `environment` (pass
/// `None` at build time), else the top-level `name`, else the name of the
/// compose file's folder, lower-cased with every character outside `a-z`,
/// `0-9`, `_` and `-` removed. Unlike [`checked_project_name`], an invalid
/// name from the variable is normalized instead of rejected.
///
/// NOTE: a name that ends up empty (a folder named `..` or `/`) is `default`.
pub fn project_name(project: &Project, environment: Option<&dyn Environment>) -> String {
    match checked_project_name(project, None, environment) {
        Ok(name) => name,
        Err(_) => {
            let raw = environment.and_then(|environment| environment.get(PROJECT_NAME_VARIABLE)).unwrap_or_default();
            let name = normalize_project_name(&raw);
            if name.is_empty() { "default".to_owned() } else { name }
        }
    }
}

/// The variable that names the project when no option does.
pub const PROJECT_NAME_VARIABLE: &str = "COMPOSE_PROJECT_NAME";

/// Returns the project name as docker compose picks it: `explicit` (the
/// `-p` option), else `COMPOSE_PROJECT_NAME` from `environment`, else the
/// top-level `name`, else the name of the compose file's folder. A name from
/// the option or the variable must already be valid (lower-case letters,
/// digits, `-` and `_`, starting with a letter or digit), because a typo
/// there would otherwise address another project. Only the folder's name is
/// normalized silently; the loader rejects an invalid `name` in the file.
///
/// NOTE: a name that ends up empty (a folder named `..` or `/`) is `default`.
pub fn checked_project_name(project: &Project, explicit: Option<&str>, environment: Option<&dyn Environment>) -> Result<String, Diagnostic> {
    let imperative = match explicit.filter(|name| !name.is_empty()) {
        Some(name) => Some((name.to_owned(), "the project name option")),
        None => environment
            .and_then(|environment| environment.get(PROJECT_NAME_VARIABLE))
            .filter(|name| !name.is_empty())
            .map(|name| (name, PROJECT_NAME_VARIABLE)),
    };
    if let Some((name, origin)) = imperative {
        let normalized = normalize_project_name(&name);
        if normalized != name {
            let message = messages::invalid_project_name(&name, origin);
            return Err(Diagnostic::error(code::INVALID_PROJECT_NAME, message, &project.file, Span::default())
                .with_help(messages::project_name_option_help(&normalized)));
        }
        return Ok(name);
    }
    let raw = project.name.clone().filter(|name| !name.is_empty()).unwrap_or_else(|| folder_name(&project.file));
    let name = normalize_project_name(&raw);
    Ok(if name.is_empty() { "default".to_owned() } else { name })
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

/// The file name that a compose file read from standard input (`-f -`)
/// has in messages. It sits in the working folder, which is then the
/// project folder, as with docker compose.
pub const STDIN_FILE_NAME: &str = "<stdin>";

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
    /// The text of the compose file named `-` in `files`, which the caller
    /// read from standard input.
    pub stdin: Option<String>,
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
    /// The variables of the project's env files (`.env` in the project
    /// folder, or the files of [`Options::env_files`]), which interpolation
    /// reads where the process environment does not set a variable.
    pub env_file_variables: BTreeMap<String, String>,
}

impl Loaded {
    /// Returns the project name as docker compose v2 picks it, with
    /// [`checked_project_name`]'s rules: `explicit` (the `-p` option), else
    /// COMPOSE_PROJECT_NAME from `process` or, when the process does not set
    /// it, from the env files, else the top-level `name`, else the folder.
    /// Pass `None` as `process` for a build-time check, which reads only the
    /// env files.
    pub fn project_name(&self, explicit: Option<&str>, process: Option<&dyn Environment>) -> Result<String, Diagnostic> {
        let environment = |name: &str| process.and_then(|process| process.get(name)).or_else(|| self.env_file_variables.get(name).cloned());
        checked_project_name(&self.project, explicit, Some(&environment))
    }
}

/// The diagnostics of a failed load, with the text of every file read.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Diagnostics,
    pub sources: BTreeMap<PathBuf, String>,
}

/// The process environment seen through the env files: a variable set in the
/// process wins; otherwise the env files' value applies.
pub(crate) struct Layered<'env> {
    pub process: Option<&'env dyn Environment>,
    pub env_files: BTreeMap<String, String>,
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
    let stdin_file = stdin_path(&options.working_dir);
    if files.contains(&stdin_file) {
        match &options.stdin {
            Some(text) => {
                sources.insert(stdin_file.clone(), text.clone());
            }
            None => {
                let message = messages::file_unreadable("-", "standard input was not read");
                return fail(Diagnostics(vec![Diagnostic::error(code::FILE_UNREADABLE, message, &stdin_file, Span::default())]), sources);
            }
        }
    }
    let project_folder = files[0].parent().map(Path::to_path_buf).unwrap_or_default();

    let env_files = read_env_files(&options.env_files, options.environment, &project_folder, &mut sources, &mut diagnostics);
    // Like docker compose, stop at an env file that cannot be read: going on
    // would warn that each of its variables is unset.
    if diagnostics.has_errors() {
        diagnostics.sort();
        return fail(diagnostics, sources);
    }
    let environment = Layered { process: options.environment, env_files };

    let mut reader = Reader {
        files: files.clone(),
        sources,
        diagnostics,
        variables: Vec::new(),
        process: options.environment,
        remote_roots: BTreeMap::new(),
        including: Vec::new(),
    };
    // As docker compose does, the relative paths of every file named here
    // (included files, `extends.file`) resolve against the project folder.
    let mut roots = Vec::new();
    for file in &files {
        let Some(documents) = reader.read_documents(file, &environment) else { continue };
        reader.including = vec![include::identity(file)];
        for mut root in documents {
            include::resolve_includes(&mut reader, &mut root, &project_folder);
            include::resolve_extends(&mut reader, &mut root, file, &project_folder, &environment);
            roots.push(root);
        }
    }
    let Reader { files, mut sources, mut diagnostics, variables, .. } = reader;
    if diagnostics.has_errors() {
        diagnostics.sort();
        return fail(diagnostics, sources);
    }

    let (root, found) = merge::merge_files(roots, &files);
    diagnostics.extend(found);
    let mut project = parse::parse_owned(root, &files, &mut diagnostics);

    let mut enabled = options.profiles.clone();
    enabled.extend(environment.get("COMPOSE_PROFILES").map(|value| profiles::from_variable(&value)).unwrap_or_default());
    let (disabled_services, found) = profiles::apply(&mut project, &enabled);
    diagnostics.extend(found);

    if options.environment.is_some() {
        diagnostics.extend(env_file::resolve(&mut project, &environment, &mut sources));
        home::expand(&mut project, &environment);
    }
    let found = validate::validate(&project, &diagnostics);
    diagnostics.extend(found);
    diagnostics.sort();
    if diagnostics.has_errors() {
        return fail(diagnostics, sources);
    }
    let env_file_variables = environment.env_files;
    Ok(Loaded { project, disabled_services, variables, warnings: diagnostics, sources, env_file_variables })
}

/// Returns the path that a compose file read from standard input has: a
/// file in the working folder.
fn stdin_path(working_dir: &Path) -> PathBuf {
    let folder = if working_dir.as_os_str().is_empty() { Path::new(".") } else { working_dir };
    std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf()).join(STDIN_FILE_NAME)
}

/// The compose files to merge, as [`Options::files`] describes.
fn compose_files(options: &Options<'_>) -> Result<Vec<PathBuf>, Diagnostic> {
    if !options.files.is_empty() {
        let stdin = stdin_path(&options.working_dir);
        return Ok(options.files.iter().map(|file| if file.as_os_str() == "-" { stdin.clone() } else { file.clone() }).collect());
    }
    let start = if options.working_dir.as_os_str().is_empty() { PathBuf::from(".") } else { options.working_dir.clone() };
    let start = std::path::absolute(&start).unwrap_or(start);
    // As docker compose does, COMPOSE_FILE and COMPOSE_PATH_SEPARATOR may
    // also come from the working folder's `.env` (or the `--env-file`
    // files). Their errors are reported when the project's env files are read.
    let (mut sources, mut diagnostics) = (BTreeMap::new(), Diagnostics::default());
    let env_files = read_env_files(&options.env_files, options.environment, &start, &mut sources, &mut diagnostics);
    let variable = |name: &str| options.environment.and_then(|environment| environment.get(name)).or_else(|| env_files.get(name).cloned()).filter(|value| !value.is_empty());
    if let Some(value) = variable("COMPOSE_FILE") {
        let separator = variable("COMPOSE_PATH_SEPARATOR").unwrap_or_else(|| ":".to_string());
        return Ok(value.split(separator.as_str()).filter(|path| !path.is_empty()).map(|path| start.join(path)).collect());
    }

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
pub(crate) fn read_env_files(
    env_files: &[PathBuf],
    process: Option<&dyn Environment>,
    project_folder: &Path,
    sources: &mut BTreeMap<PathBuf, String>,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let files = if env_files.is_empty() {
        let default = project_folder.join(".env");
        if !default.is_file() {
            return BTreeMap::new();
        }
        vec![default]
    } else {
        env_files.to_vec()
    };

    let mut variables = BTreeMap::new();
    for file in files {
        let Some(source) = read(&file, diagnostics) else { continue };
        let known = Layered { process, env_files: variables.clone() };
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

/// Reads compose files for one load: the files of `-f`, and the files that
/// `include` and `extends` name. Every file read gets an index in `files`,
/// which its nodes' spans carry.
pub(crate) struct Reader<'env> {
    pub files: Vec<PathBuf>,
    pub sources: BTreeMap<PathBuf, String>,
    pub diagnostics: Diagnostics,
    pub variables: Vec<Variable>,
    /// The process environment; `None` for a build-time check.
    pub process: Option<&'env dyn Environment>,
    /// Files that `extends` reads, interpolated, by path.
    pub remote_roots: BTreeMap<PathBuf, Node>,
    /// The chain of files whose `include` is being resolved, outermost first,
    /// canonicalized where possible, so that an include cycle is reported
    /// instead of recursing forever.
    pub including: Vec<PathBuf>,
}

impl Reader<'_> {
    /// The index of `file` in `files`, adding it when it is new.
    pub fn index_of(&mut self, file: &Path) -> u32 {
        match self.files.iter().position(|known| known == file) {
            Some(index) => index as u32,
            None => {
                self.files.push(file.to_path_buf());
                (self.files.len() - 1) as u32
            }
        }
    }

    /// Reads, parses and interpolates one compose file with `environment`,
    /// its documents merged into one tree.
    pub fn read_root(&mut self, file: &Path, environment: &Layered<'_>) -> Option<Node> {
        let mut documents = self.read_documents(file, environment)?;
        if documents.len() == 1 {
            return documents.pop();
        }
        let (merged, found) = merge::merge_files(documents, &self.files);
        self.diagnostics.extend(found);
        Some(merged)
    }

    /// Reads, parses and interpolates the documents of one compose file with
    /// `environment`. Errors go to `diagnostics`; `None` when the file gave none.
    pub fn read_documents(&mut self, file: &Path, environment: &Layered<'_>) -> Option<Vec<Node>> {
        let index = self.index_of(file);
        // Standard input was read by the caller and is already a source.
        let source = match self.sources.get(file).filter(|_| file.ends_with(STDIN_FILE_NAME)) {
            Some(text) => text.clone(),
            None => read(file, &mut self.diagnostics)?,
        };
        let parsed = parse_file(&source, file);
        self.sources.insert(file.to_path_buf(), source);
        let mut documents = match parsed {
            Ok(documents) => documents,
            Err(errors) => {
                self.diagnostics.extend(in_file(errors, index as usize));
                return None;
            }
        };
        let source = match self.process {
            Some(_) => Source::Environment(environment),
            None => Source::Known(environment),
        };
        let mut failed = false;
        for root in &mut documents {
            root.set_file(index);
            match interpolate::variables(root, file) {
                Ok(found) => {
                    for variable in found {
                        if !self.variables.iter().any(|known| known.name == variable.name) {
                            self.variables.push(variable);
                        }
                    }
                }
                Err(errors) => {
                    self.diagnostics.extend(errors);
                    failed = true;
                    continue;
                }
            }
            self.diagnostics.extend(interpolate::apply(root, file, source));
        }
        if failed { None } else { Some(documents) }
    }
}
