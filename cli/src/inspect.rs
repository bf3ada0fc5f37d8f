//! `check` and `config`: commands that read compose files and start nothing.
//!
//! Both exit with 0 when every file loads (warnings allowed), 1 when a file
//! has errors, and 2 when a file cannot be read.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use perry_stack::schema::compose::emit::to_yaml;
use perry_stack::schema::compose::load::ProcessEnvironment;
use perry_stack::schema::Diagnostics;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Compose files to validate.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub struct ConfigArgs {
    /// Compose file to normalize.
    pub file: PathBuf,
}

const EXIT_INVALID: u8 = 1;
const EXIT_UNREADABLE: u8 = 2;

/// Checks each file without reading the environment, as a build does, and
/// prints every diagnostic to stderr.
pub fn check(args: CheckArgs) -> ExitCode {
    let mut status = 0;
    for file in &args.files {
        let Some(source) = read(file) else {
            status = status.max(EXIT_UNREADABLE);
            continue;
        };
        match perry_stack::schema::check(&source, file) {
            Ok(checked) => print_diagnostics(&checked.warnings, &source),
            Err(diagnostics) => {
                print_diagnostics(&diagnostics, &source);
                status = status.max(EXIT_INVALID);
            }
        }
    }
    ExitCode::from(status)
}

/// Prints the normalized model of a file, interpolated with the process
/// environment, to stdout.
pub fn config(args: ConfigArgs) -> ExitCode {
    let Some(source) = read(&args.file) else {
        return ExitCode::from(EXIT_UNREADABLE);
    };
    match perry_stack::schema::load(&source, &args.file, &ProcessEnvironment) {
        Ok((project, warnings)) => {
            print_diagnostics(&warnings, &source);
            let mut stdout = std::io::stdout().lock();
            if let Err(error) = stdout.write_all(to_yaml(&project).as_bytes()) {
                eprintln!("error: cannot write the configuration: {error}");
                return ExitCode::from(EXIT_INVALID);
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, &source);
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn read(file: &Path) -> Option<String> {
    match std::fs::read_to_string(file) {
        Ok(source) => Some(source),
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", file.display());
            None
        }
    }
}

fn print_diagnostics(diagnostics: &Diagnostics, source: &str) {
    let color = std::io::stderr().is_terminal();
    for diagnostic in diagnostics.iter() {
        eprintln!("{}\n", diagnostic.render(source, color));
    }
}
