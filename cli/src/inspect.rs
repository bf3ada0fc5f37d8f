//! `check`, `config` and `schema`: commands that start nothing.
//!
//! `check` and `config` exit with 0 when every file loads (warnings allowed),
//! 1 when a file has errors, and 2 when a file cannot be read or no compose
//! file is found.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use perry_stack::schema::compose::emit::to_yaml;
use perry_stack::schema::compose::load::{load_project, Options, ProcessEnvironment};
use perry_stack::schema::diag::messages::code;
use perry_stack::schema::{Diagnostic, Diagnostics};

/// The options shared by `check` and `config` that choose what to load.
#[derive(clap::Args)]
pub struct LoadArgs {
    /// Compose file to merge onto the ones before it; repeat for several.
    /// Without any, compose.yaml (or compose.yml, docker-compose.yml,
    /// docker-compose.yaml) in this folder or a parent, with its override file.
    #[arg(short = 'f', long = "file")]
    pub files: Vec<PathBuf>,
    /// Env file for interpolation, instead of the project folder's `.env`;
    /// repeat for several, later ones winning. `config` lets the process
    /// environment win over every env file; `check` does not read it, as a
    /// build does not.
    #[arg(long = "env-file")]
    pub env_files: Vec<PathBuf>,
    /// Profile to enable, in addition to those of COMPOSE_PROFILES; repeat
    /// for several.
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
    /// The project name given with `-p` before the command name.
    #[arg(skip)]
    pub project_name: Option<String>,
}

impl LoadArgs {
    /// Adds the options given before the command name, which come first.
    pub fn merge(&mut self, globals: &crate::stack::GlobalArgs) {
        self.files.splice(0..0, globals.files.iter().cloned());
        self.env_files.splice(0..0, globals.env_files.iter().cloned());
        self.profiles.splice(0..0, globals.profiles.iter().cloned());
        self.project_name = globals.project_name.clone();
    }
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Compose files to validate, each as its own project.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(clap::Args)]
pub struct ConfigArgs {
    /// Compose files to merge and normalize after those of `-f`, as if
    /// given with `-f`.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(clap::Args)]
pub struct SchemaArgs {
    /// Print the schema of the normalized model that `config` prints, with
    /// every short form in its long form, instead of the schema of compose
    /// files as written.
    #[arg(long)]
    pub normalized: bool,
}

const EXIT_INVALID: u8 = 1;
const EXIT_UNREADABLE: u8 = 2;

/// Checks the project without reading the process environment, as a build
/// does: only env files give variables their values. Prints every
/// diagnostic to stderr. Positional files are checked one by one; `-f`
/// files are merged into one project.
pub fn check(args: CheckArgs) -> ExitCode {
    if !args.paths.is_empty() && !args.load.files.is_empty() {
        // Either reading would drop files the user named.
        eprintln!("error: give compose files either with -f (merged into one project) or as arguments (each checked on its own), not both");
        return ExitCode::from(EXIT_UNREADABLE);
    }
    let projects: Vec<Vec<PathBuf>> = if args.paths.is_empty() {
        vec![args.load.files.clone()]
    } else {
        args.paths.iter().map(|path| vec![path.clone()]).collect()
    };
    let mut status = 0;
    for files in projects {
        let options = options(&args.load, files, None);
        match load_project(&options) {
            Ok(loaded) => {
                print_diagnostics(&loaded.warnings, &loaded.sources);
                if let Err(error) = loaded.project_name(args.load.project_name.as_deref(), None) {
                    print_unplaced(&error);
                    status = status.max(EXIT_INVALID);
                }
            }
            Err(failed) => {
                print_diagnostics(&failed.diagnostics, &failed.sources);
                status = status.max(exit_status(&failed.diagnostics));
            }
        }
    }
    ExitCode::from(status)
}

/// Prints the normalized model of the merged files, interpolated with the
/// env files and the process environment, to stdout, with the resolved
/// project name as its top-level `name`.
pub fn config(args: ConfigArgs) -> ExitCode {
    // `-f` files come first, so positional files merge onto them.
    let mut files = args.load.files.clone();
    files.extend(args.paths.iter().cloned());
    let options = options(&args.load, files, Some(&ProcessEnvironment));
    match load_project(&options) {
        Ok(mut loaded) => {
            print_diagnostics(&loaded.warnings, &loaded.sources);
            // Printed as the top-level `name`, as docker compose v2 does, so
            // that the output loads again as the same project.
            match loaded.project_name(args.load.project_name.as_deref(), Some(&ProcessEnvironment)) {
                Ok(name) => loaded.project.name = Some(name),
                Err(error) => {
                    print_unplaced(&error);
                    return ExitCode::from(EXIT_INVALID);
                }
            }
            let mut stdout = std::io::stdout().lock();
            if let Err(error) = stdout.write_all(to_yaml(&loaded.project).as_bytes()) {
                eprintln!("error: cannot write the configuration: {error}");
                return ExitCode::from(EXIT_INVALID);
            }
            ExitCode::SUCCESS
        }
        Err(failed) => {
            print_diagnostics(&failed.diagnostics, &failed.sources);
            ExitCode::from(exit_status(&failed.diagnostics))
        }
    }
}

/// Prints the JSON Schema of compose files as written (the text of
/// `generated/compose.schema.json`), or with `--normalized` the schema of the
/// model that `config` writes.
pub fn schema(args: SchemaArgs) -> ExitCode {
    let text = if args.normalized {
        let schema = perry_stack::schema::compose::model::json_schema();
        serde_json::to_string_pretty(&schema).expect("a JSON value serializes") + "\n"
    } else {
        perry_stack::schema::compose::file_schema::json_schema_text()
    };
    if let Err(error) = std::io::stdout().lock().write_all(text.as_bytes()) {
        eprintln!("error: cannot write the schema: {error}");
        return ExitCode::from(EXIT_INVALID);
    }
    ExitCode::SUCCESS
}

fn options<'env>(args: &LoadArgs, files: Vec<PathBuf>, environment: Option<&'env ProcessEnvironment>) -> Options<'env> {
    let stdin = stdin_source(&files);
    Options {
        files,
        working_dir: PathBuf::new(),
        env_files: args.env_files.clone(),
        profiles: args.profiles.clone(),
        environment: environment.map(|environment| environment as _),
        stdin,
    }
}

/// Reads standard input when a compose file is named `-`, as docker compose
/// does. A read error leaves it unread, which the loader reports.
pub fn stdin_source(files: &[PathBuf]) -> Option<String> {
    if !files.iter().any(|file| file.as_os_str() == "-") {
        return None;
    }
    let mut text = String::new();
    match std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
        Ok(_) => Some(text),
        Err(error) => {
            eprintln!("error: could not read the compose file from standard input: {error}");
            None
        }
    }
}

fn exit_status(diagnostics: &Diagnostics) -> u8 {
    let unreadable = diagnostics.iter().any(|diagnostic| diagnostic.code == code::FILE_UNREADABLE || diagnostic.code == code::FILE_NOT_FOUND);
    if unreadable { EXIT_UNREADABLE } else { EXIT_INVALID }
}

fn print_diagnostics(diagnostics: &Diagnostics, sources: &BTreeMap<PathBuf, String>) {
    let color = std::io::stderr().is_terminal();
    for diagnostic in diagnostics.iter() {
        match sources.get(&diagnostic.file) {
            Some(source) => eprintln!("{}\n", diagnostic.render(source, color)),
            None => eprintln!("error: {}\n", diagnostic.message),
        }
    }
}

/// Prints a diagnostic that has no place in a file, such as an invalid
/// project name from the command line, without pointing at the file.
fn print_unplaced(diagnostic: &Diagnostic) {
    eprintln!("error[{}]: {}", diagnostic.code, diagnostic.message);
    if let Some(help) = &diagnostic.help {
        eprintln!("  = help: {help}");
    }
    eprintln!();
}
