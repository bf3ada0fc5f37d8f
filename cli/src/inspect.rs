//! `check` and `config`: commands that read compose files and start nothing.

use std::path::PathBuf;
use std::process::ExitCode;

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

pub fn check(args: CheckArgs) -> ExitCode {
    let _ = args;
    todo!("check")
}

pub fn config(args: ConfigArgs) -> ExitCode {
    let _ = args;
    todo!("config")
}
