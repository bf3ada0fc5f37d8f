//! `graph`: prints a workload graph with each node's tier and runtime, and
//! runs it with `up`, `status`, `logs`, `exec` and `down`.
//!
//! Exits with 0 on success, 1 when the graph has errors or a run fails, and
//! 2 when the file cannot be read.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use perry_stack::schema::workload::render::{render, Format};
use perry_stack::schema::workload::{self, Graph};
use perry_stack::workload::{format_status, GraphEngine, GraphError, RunOptions};

#[derive(clap::Args)]
pub struct GraphArgs {
    /// Workload graph file (YAML).
    pub file: PathBuf,
    /// Output format without an action: `tree`, `dot` (Graphviz) or `mermaid`.
    #[arg(long, default_value = "tree", value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES))]
    pub format: String,
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
    Logs { node: String },
    /// Run a command in one node's container, without a shell.
    Exec {
        node: String,
        #[arg(trailing_var_arg = true, required = true)]
        argv: Vec<String>,
    },
    /// Stop and remove the graph's containers and network.
    Down {
        /// Seconds to wait after the stop signal before killing a container.
        #[arg(short = 't', long, default_value_t = 10)]
        timeout: u64,
    },
}

pub fn graph(args: GraphArgs) -> ExitCode {
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
        let format = Format::parse(&args.format).unwrap_or(Format::Tree);
        print!("{}", render(&graph, format));
        return ExitCode::SUCCESS;
    };

    let project = args.project.unwrap_or_else(|| graph.name.clone());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(act(action, &graph, &project)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

async fn act(action: Action, graph: &Graph, project: &str) -> Result<ExitCode, String> {
    let backend = perry_stack::backend::detect().await.map_err(|error| error.to_string())?;
    let engine = GraphEngine::new(Arc::new(backend));
    let failed = |error: GraphError| error.to_string();
    match action {
        Action::Up => {
            let options = RunOptions { project: Some(project.to_owned()), ..RunOptions::default() };
            let report = engine.run(graph, &options).await.map_err(failed)?;
            print!("{}", format_status(&report.nodes));
        }
        Action::Status => print!("{}", format_status(&engine.status(graph, project).await.map_err(failed)?)),
        Action::Logs { node } => {
            let logs = engine.logs(project, &node, None).await.map_err(failed)?;
            print!("{}", logs.stdout);
            eprint!("{}", logs.stderr);
        }
        Action::Exec { node, argv } => {
            let output = engine.exec(project, &node, &argv, &Default::default()).await.map_err(failed)?;
            print!("{}", output.stdout);
            eprint!("{}", output.stderr);
            return Ok(ExitCode::from(u8::try_from(output.exit_code).unwrap_or(1)));
        }
        Action::Down { timeout } => engine.down(project, Duration::from_secs(timeout)).await.map_err(failed)?,
    }
    Ok(ExitCode::SUCCESS)
}
