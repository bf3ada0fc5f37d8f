//! The `perry-stack` command line.

mod graph;
mod inspect;
mod stack;
mod types;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "perry-stack", version, about = "Check and run compose stacks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate compose files and print every diagnostic.
    Check(inspect::CheckArgs),
    /// Print the normalized model of a compose file as YAML.
    Config(inspect::ConfigArgs),
    /// Print the JSON Schema of the normalized model, for editors.
    Schema,
    /// Create and start the stack's containers.
    Up(stack::UpArgs),
    /// Stop and remove the stack's containers and networks.
    Down(stack::DownArgs),
    /// List the stack's containers.
    Ps(stack::PsArgs),
    /// Print the output of the stack's containers.
    Logs(stack::LogsArgs),
    /// Run a command in a running service container.
    Exec(stack::ExecArgs),
    /// Write the TypeScript declarations of perry/container, perry/compose and perry/workloads.
    Types(types::TypesArgs),
    /// Print a workload graph (tree, DOT, Mermaid) with tiers and runtimes, or run it.
    Graph(graph::GraphArgs),
}

/// The compose file option shared by the subcommands that read one.
#[derive(clap::Args, Clone, Debug)]
pub struct FileArg {
    /// Compose file to read [default: the first of compose.yaml, compose.yml,
    /// docker-compose.yaml and docker-compose.yml in the current folder].
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
}

impl FileArg {
    const DEFAULT_NAMES: [&str; 4] = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    /// Returns the file given with `-f`, whether or not it exists, else the
    /// first default file name that exists in the current folder.
    pub fn path(&self) -> Option<PathBuf> {
        if let Some(file) = &self.file {
            return Some(file.clone());
        }
        Self::DEFAULT_NAMES.iter().map(PathBuf::from).find(|path| path.is_file())
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PERRY_STACK_LOG"))
        .with_writer(std::io::stderr)
        .init();

    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => inspect::check(args),
        Command::Config(args) => inspect::config(args),
        Command::Schema => inspect::schema(),
        Command::Up(args) => stack::up(args),
        Command::Down(args) => stack::down(args),
        Command::Ps(args) => stack::ps(args),
        Command::Logs(args) => stack::logs(args),
        Command::Exec(args) => stack::exec(args),
        Command::Types(args) => types::types(args),
        Command::Graph(args) => graph::graph(args),
    }
}
