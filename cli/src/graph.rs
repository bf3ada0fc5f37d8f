//! `graph`: prints a workload graph with each node's tier and runtime, and
//! runs it with `up`, `status`, `logs`, `exec` and `down`.
//!
//! Exits with 0 on success and with 1 when the graph has errors, a run fails
//! or an action names no node of the graph. Usage errors exit with 2: an
//! unreadable file, `--format` with an action, or an invalid `-p`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use perry_stack::backend::Attach;
use perry_stack::engine::normalize_project_name;
use perry_stack::schema::diag::messages as compose_text;
use perry_stack::schema::workload::messages as text;
use perry_stack::schema::workload::render::{render, Format};
use perry_stack::schema::workload::{self, Graph};
use perry_stack::workload::{format_status, GraphEngine, GraphError, RunOptions};
use perry_stack::Cancel;

#[derive(clap::Args)]
pub struct GraphArgs {
    /// Workload graph file (YAML).
    pub file: PathBuf,
    /// Output format when no action is given: `tree`, `dot` (Graphviz) or
    /// `mermaid` [default: tree].
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES))]
    pub format: Option<String>,
    /// Project name of the run [default: the graph's name].
    #[arg(short = 'p', long = "project-name")]
    pub project: Option<String>,
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Start the graph and print each node's state.
    Up,
    /// Print each node's state: pending, starting, running, healthy, exited or failed.
    Status,
    /// Print one node's output.
    Logs {
        /// The node whose output is printed.
        node: String,
    },
    /// Run a command in one node's container, without a shell.
    Exec {
        /// The node whose container runs the command.
        node: String,
        /// The command and its arguments, passed without a shell.
        #[arg(trailing_var_arg = true, required = true, allow_hyphen_values = true)]
        argv: Vec<String>,
    },
    /// Stop and remove the graph's containers and network.
    Down {
        /// Seconds to wait after the stop signal before killing a container.
        #[arg(short = 't', long, default_value_t = 10)]
        timeout: u64,
    },
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Status => "status",
            Self::Logs { .. } => "logs",
            Self::Exec { .. } => "exec",
            Self::Down { .. } => "down",
        }
    }
}

pub fn graph(args: GraphArgs) -> ExitCode {
    if let (Some(format), Some(action)) = (&args.format, &args.action) {
        eprintln!("error: --format {format} applies only when no action is given, but the action is `{}`; remove --format or the action", action.name());
        return ExitCode::from(2);
    }
    let source = match std::fs::read_to_string(&args.file) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: cannot read the workload graph `{}`: {error}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let graph = match workload::load(&source, &args.file) {
        Ok(graph) => graph,
        Err(diagnostics) => {
            eprintln!("{}", diagnostics.render(&source, std::io::stderr().is_terminal()));
            return ExitCode::from(1);
        }
    };
    let Some(action) = args.action else {
        let format = args.format.as_deref().and_then(Format::parse).unwrap_or(Format::Tree);
        print!("{}", render(&graph, format));
        return ExitCode::SUCCESS;
    };

    let project = match args.project {
        Some(name) => match check_project_option(&name) {
            Ok(()) => name,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        },
        None => graph.name.clone(),
    };
    if let Action::Logs { node } | Action::Exec { node, .. } = &action
        && !graph.nodes.contains_key(node)
    {
        let names: Vec<&str> = graph.nodes.keys().map(String::as_str).collect();
        eprintln!("error: no node `{node}` in the workload graph; {}", text::defined_nodes_help(&names));
        return ExitCode::from(1);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(act(action, &graph, &project));
    // A read of standard input that `exec` no longer needs may still block.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// Applies the rule of the stack commands' `-p` to the graph's: the name
/// must already be valid, because a typo would address another project,
/// and podman rejects a network name with spaces only at `up`.
fn check_project_option(name: &str) -> Result<(), String> {
    let normalized = normalize_project_name(name);
    if normalized == name && !name.is_empty() {
        return Ok(());
    }
    let help = compose_text::project_name_option_help(&normalized);
    Err(format!("{}; {help}", compose_text::invalid_project_name(name, "the project name option")))
}

async fn act(action: Action, graph: &Graph, project: &str) -> Result<ExitCode, String> {
    let backend = perry_stack::backend::detect().await.map_err(|error| error.to_string())?;
    let engine = GraphEngine::new(Arc::new(backend));
    let failed = |error: GraphError| error.to_string();
    match action {
        Action::Up => {
            let options = RunOptions { project: Some(project.to_owned()), ..RunOptions::default() };
            // The first Ctrl-C or SIGTERM ends the run and takes the project
            // down; a second one exits at once.
            let interrupted = Cancel::new();
            crate::stack::watch_interrupts(interrupted.clone());
            let report = tokio::select! {
                result = engine.run(graph, &options) => result.map_err(failed)?,
                () = interrupted.cancelled() => return Err(take_down(&engine, graph, project, options.stop_timeout).await),
            };
            print!("{}", format_status(&report.nodes));
        }
        Action::Status => print!("{}", format_status(&engine.status(graph, project).await.map_err(failed)?)),
        Action::Logs { node } => {
            let logs = engine.logs(project, &node, None).await.map_err(failed)?;
            print!("{}", logs.stdout);
            eprint!("{}", logs.stderr);
        }
        Action::Exec { node, argv } => {
            use std::io::IsTerminal;
            // As the stack's `exec`: input passes on, and a terminal is given
            // when this process runs in one.
            let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
            let code = engine.exec_attached(project, &node, &argv, Attach { stdin: true, tty }).await.map_err(failed)?;
            return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
        }
        Action::Down { timeout } => engine.down(project, Duration::from_secs(timeout)).await.map_err(failed)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Removes the containers and the network of an interrupted `graph up` and
/// returns the message to print. A run refuses to start while the project
/// has containers, so everything under its label was made by this run.
async fn take_down(engine: &GraphEngine, graph: &Graph, project: &str, stop_timeout: Duration) -> String {
    // Dropping the run aborted its node tasks and killed their runtime
    // commands, but a create that the runtime had accepted may still
    // appear (and keep the network in use), so later passes remove what an
    // earlier one missed or could not remove yet.
    // NOTE: a container that appears after the last pass is left behind.
    let mut last_error = None;
    for pass in 0..3 {
        if pass > 0 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        match engine.down(project, stop_timeout).await {
            Ok(()) => last_error = None,
            Err(error) => {
                last_error = Some(error);
                continue;
            }
        }
        let remaining = match engine.status(graph, project).await {
            Ok(states) => states.values().any(|status| status.container.is_some()),
            Err(_) => true,
        };
        if !remaining {
            break;
        }
    }
    if let Some(error) = last_error {
        return format!("graph up was interrupted, and removing project {project} failed: {error}; run `graph FILE down`");
    }
    format!("graph up was interrupted; the containers and network of project {project} were removed")
}
