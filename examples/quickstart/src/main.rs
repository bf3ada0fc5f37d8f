//! Brings up the stack of stack.yaml on podman (or docker), reaches the `db`
//! service from `web` by its service name, prints the containers, and removes
//! everything again, also when a step fails.
//!
//! Needs podman and the local busybox image: run scripts/setup-podman.sh.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use perry_stack::{format_ps_table, DownOptions, Engine, Project, UpOptions};

/// The typed module of stack.yaml: a broken stack file fails this build.
mod stack {
    perry_stack::include_stack!("stack.yaml");
}

use stack::Service;

/// The port `db` listens on inside the stack's network; it publishes none.
const DB_PORT: &str = "5432";

fn load_stack() -> Result<Project, String> {
    stack::stack().map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
        format!("{} is invalid:\n{}", stack::PATH, lines.join("\n"))
    })
}

/// Runs every step between `up` and `down`.
async fn run(engine: &Engine, project: &Project, name: &str) -> Result<(), String> {
    let began = Instant::now();
    let options = UpOptions { project_name: Some(name.to_string()), ..UpOptions::default() };
    engine.up(project, &options).await.map_err(|error| error.to_string())?;
    println!("up in {:.2} s", began.elapsed().as_secs_f64());

    // `db` replies with the file that the one-shot `init` wrote into the volume.
    let db = Service::Db.name();
    let argv: Vec<String> = ["nc", "-w", "2", db, DB_PORT].iter().map(|word| word.to_string()).collect();
    let output = engine.exec(name, Service::Web.name(), &argv).await.map_err(|error| error.to_string())?;
    if output.exit_code != 0 {
        return Err(format!("`nc {db} {DB_PORT}` in web exited with code {}: {}", output.exit_code, output.stderr.trim()));
    }
    println!("web -> {db}:{DB_PORT} answered: {}", output.stdout.trim());

    let rows = engine.ps(name).await.map_err(|error| error.to_string())?;
    print!("{}", format_ps_table(&rows));
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let project = match load_stack() {
        Ok(project) => project,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let engine = match Engine::detect().await {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let name = match perry_stack::engine::resolve_project_name(&project, None) {
        Ok(name) => name,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };

    let result = run(&engine, &project, &name).await;

    // down runs on every path, so a failed step leaves nothing behind. The
    // busybox processes run as PID 1 and ignore SIGTERM, so stop kills them.
    let began = Instant::now();
    let down = engine.down(&name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await;
    let mut failed = result.is_err();
    match down {
        Err(error) => {
            eprintln!("error: could not remove project {name}: {error}");
            failed = true;
        }
        Ok(report) => println!(
            "down in {:.2} s: removed {}, {}, {}",
            began.elapsed().as_secs_f64(),
            count(report.containers.len(), "container"),
            count(report.networks.len(), "network"),
            count(report.volumes.len(), "volume")
        ),
    }
    if let Err(message) = result {
        eprintln!("error: {message}");
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Writes `number` with `noun`, plural unless the number is 1.
fn count(number: usize, noun: &str) -> String {
    if number == 1 { format!("1 {noun}") } else { format!("{number} {noun}s") }
}
