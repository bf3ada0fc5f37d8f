//! `graph`: prints a workload graph with each node's tier and runtime.
//!
//! Exits with 0 when the graph loads, 1 when it has errors and 2 when the
//! file cannot be read.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use perry_stack::schema::workload::render::{render, Format};

#[derive(clap::Args)]
pub struct GraphArgs {
    /// Workload graph file (YAML).
    pub file: PathBuf,
    /// Output format: `tree`, `dot` (Graphviz) or `mermaid`.
    #[arg(long, default_value = "tree", value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES))]
    pub format: String,
}

pub fn graph(args: GraphArgs) -> ExitCode {
    let source = match std::fs::read_to_string(&args.file) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: cannot read the workload graph `{}`: {error}", args.file.display());
            return ExitCode::from(2);
        }
    };
    match perry_stack::schema::workload::load(&source, &args.file) {
        Ok(graph) => {
            let format = Format::parse(&args.format).unwrap_or(Format::Tree);
            print!("{}", render(&graph, format));
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            eprintln!("{}", diagnostics.render(&source, std::io::stderr().is_terminal()));
            ExitCode::from(1)
        }
    }
}
