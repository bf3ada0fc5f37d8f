//! The `perry-stack` command line.

mod graph;
mod inspect;
mod stack;
mod types;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "perry-stack", version, about = "Check and run compose stacks")]
struct Cli {
    #[command(flatten)]
    globals: stack::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate compose files and print every diagnostic.
    Check(inspect::CheckArgs),
    /// Print the normalized model of a compose file as YAML.
    Config(inspect::ConfigArgs),
    /// Print the JSON Schema of compose files as written, for editors, or with
    /// --normalized the schema of what `config` prints.
    Schema(inspect::SchemaArgs),
    /// Create and start the stack's containers, converging on the file.
    Up(stack::UpArgs),
    /// Stop and remove the stack's containers and networks.
    Down(stack::DownArgs),
    /// List the stack's containers.
    Ps(stack::PsArgs),
    /// Print the output of the stack's containers.
    Logs(stack::LogsArgs),
    /// Run a command in a running service container.
    Exec(stack::ExecArgs),
    /// Start the stack's stopped containers.
    Start(stack::StartArgs),
    /// Stop the stack's running containers without removing them.
    Stop(stack::LifecycleArgs),
    /// Stop and start the stack's containers.
    Restart(stack::LifecycleArgs),
    /// Write the TypeScript declarations of perry/container, perry/compose and perry/workloads.
    Types(types::TypesArgs),
    /// Print a workload graph (tree, DOT, Mermaid) with tiers and runtimes, or run it.
    Graph(graph::GraphArgs),
}

fn main() -> ExitCode {
    // Like other command-line tools, end quietly when the reader of the
    // output goes away (`perry-stack ps | head -1`) instead of panicking
    // on the failed write.
    #[cfg(unix)]
    // SAFETY: runs before any other thread exists, and SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // The commands print their own errors and warnings, so the engine's
    // log is off unless PERRY_STACK_LOG sets a level (`info`, `debug`, ...).
    let filter = tracing_subscriber::EnvFilter::builder()
        .with_default_directive(tracing_subscriber::filter::LevelFilter::OFF.into())
        .with_env_var("PERRY_STACK_LOG")
        .from_env_lossy();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let cli = Cli::parse();
    let globals = cli.globals;
    match cli.command {
        Command::Check(mut args) => {
            args.load.merge(&globals);
            inspect::check(args)
        }
        Command::Config(mut args) => {
            args.load.merge(&globals);
            inspect::config(args)
        }
        Command::Schema(args) => inspect::schema(args),
        Command::Up(args) => stack::up(globals, args),
        Command::Down(args) => stack::down(globals, args),
        Command::Ps(args) => stack::ps(globals, args),
        Command::Logs(args) => stack::logs(globals, args),
        Command::Exec(args) => stack::exec(globals, args),
        Command::Start(args) => stack::start(globals, args),
        Command::Stop(args) => stack::stop(globals, args),
        Command::Restart(args) => stack::restart(globals, args),
        Command::Types(args) => types::types(args),
        Command::Graph(args) => graph::graph(args),
    }
}
