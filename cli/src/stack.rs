//! `up`, `down`, `ps`, `logs` and `exec`: commands that drive the engine.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use perry_stack::engine::normalize_project_name;
use perry_stack::schema::compose::load::ProcessEnvironment;
use perry_stack::{format_ps_table, DownOptions, Engine, Project, UpOptions};

use crate::FileArg;

/// The project name option shared by the stack commands.
#[derive(clap::Args, Clone, Debug)]
pub struct ProjectArg {
    /// Project name; defaults to the file's `name`, then COMPOSE_PROJECT_NAME,
    /// then the name of the compose file's folder.
    #[arg(short = 'p', long = "project-name")]
    pub project_name: Option<String>,
}

#[derive(clap::Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub file: FileArg,
    #[command(flatten)]
    pub project: ProjectArg,
    /// Return once the stack is up. Without it, `up` waits for Ctrl-C and
    /// then removes the containers and networks (volumes are kept).
    #[arg(short = 'd', long = "detach")]
    pub detach: bool,
}

#[derive(clap::Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub file: FileArg,
    #[command(flatten)]
    pub project: ProjectArg,
    /// Also remove the project's named volumes.
    #[arg(short = 'v', long = "volumes")]
    pub volumes: bool,
    /// Seconds a container may take to stop before it is killed.
    #[arg(short = 't', long = "timeout", default_value_t = 10)]
    pub timeout: u64,
}

#[derive(clap::Args)]
pub struct PsArgs {
    #[command(flatten)]
    pub file: FileArg,
    #[command(flatten)]
    pub project: ProjectArg,
}

#[derive(clap::Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub file: FileArg,
    #[command(flatten)]
    pub project: ProjectArg,
    /// Only this service's output.
    pub service: Option<String>,
    /// Number of lines to show from the end of each container's output.
    #[arg(long = "tail")]
    pub tail: Option<usize>,
}

#[derive(clap::Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub file: FileArg,
    #[command(flatten)]
    pub project: ProjectArg,
    /// The service whose container runs the command.
    pub service: String,
    /// The command and its arguments, passed without a shell.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

/// Runs `body` on a tokio runtime and turns its error into exit code 1.
fn run<F>(body: F) -> ExitCode
where
    F: std::future::Future<Output = Result<ExitCode, String>>,
{
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(body) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load(file: &Path) -> Result<Project, String> {
    let source = std::fs::read_to_string(file).map_err(|error| format!("could not read {}: {error}", file.display()))?;
    match perry_stack::schema::load(&source, file, &ProcessEnvironment) {
        Ok((project, warnings)) => {
            for warning in &warnings.0 {
                eprintln!("warning: {warning}");
            }
            Ok(project)
        }
        Err(diagnostics) => {
            let lines: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
            Err(format!("{} is invalid:\n{}", file.display(), lines.join("\n")))
        }
    }
}

/// Resolves the project name for commands that find containers by label: `-p`, else
/// the compose file's (a file given with `-f` must load), else
/// COMPOSE_PROJECT_NAME, else the current folder's name.
fn project_name(file: &FileArg, project: &ProjectArg) -> Result<String, String> {
    if let Some(name) = &project.project_name {
        return perry_stack::engine::resolve_project_name(&empty_project(), Some(name)).map_err(|error| error.to_string());
    }
    if let Some(path) = file.path() {
        let loaded = load(&path)?;
        return perry_stack::engine::resolve_project_name(&loaded, None).map_err(|error| error.to_string());
    }
    if let Some(name) = std::env::var("COMPOSE_PROJECT_NAME").ok().filter(|name| !name.is_empty()) {
        return Ok(normalize_project_name(&name));
    }
    let folder = std::env::current_dir().map_err(|error| format!("could not read the current folder: {error}"))?;
    let name = folder.file_name().map(|name| normalize_project_name(&name.to_string_lossy())).unwrap_or_default();
    if name.is_empty() {
        return Err("no project name: pass -p NAME or set COMPOSE_PROJECT_NAME".to_string());
    }
    Ok(name)
}

fn empty_project() -> Project {
    Project {
        name: None,
        services: Default::default(),
        networks: Default::default(),
        volumes: Default::default(),
        unsupported: Default::default(),
        file: Default::default(),
        files: Vec::new(),
    }
}

async fn engine() -> Result<Engine, String> {
    Engine::detect().await.map_err(|error| error.to_string())
}

pub fn up(args: UpArgs) -> ExitCode {
    run(async move {
        let path = args.file.path().ok_or("no compose file found: pass -f FILE, or run in a folder with compose.yaml")?;
        let project = load(&path)?;
        let engine = engine().await?;
        let options = UpOptions { project_name: args.project.project_name.clone(), ..UpOptions::default() };
        let report = engine.up(&project, &options).await.map_err(|error| error.to_string())?;
        eprintln!("project {} is up in {:.1} s", report.project, report.elapsed.as_secs_f64());
        let rows = engine.ps(&report.project).await.map_err(|error| error.to_string())?;
        print!("{}", format_ps_table(&rows));
        if args.detach {
            return Ok(ExitCode::SUCCESS);
        }

        eprintln!("press Ctrl-C to stop and remove the project's containers");
        tokio::signal::ctrl_c().await.map_err(|error| format!("could not wait for Ctrl-C: {error}"))?;
        engine.down(&report.project, &DownOptions::default()).await.map_err(|error| error.to_string())?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn down(args: DownArgs) -> ExitCode {
    run(async move {
        let name = project_name(&args.file, &args.project)?;
        let engine = engine().await?;
        let options = DownOptions { volumes: args.volumes, timeout: Duration::from_secs(args.timeout) };
        let report = engine.down(&name, &options).await.map_err(|error| error.to_string())?;
        for container in &report.containers {
            eprintln!("removed container {container}");
        }
        for network in &report.networks {
            eprintln!("removed network {network}");
        }
        for volume in &report.volumes {
            eprintln!("removed volume {volume}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn ps(args: PsArgs) -> ExitCode {
    run(async move {
        let name = project_name(&args.file, &args.project)?;
        let rows = engine().await?.ps(&name).await.map_err(|error| error.to_string())?;
        print!("{}", format_ps_table(&rows));
        Ok(ExitCode::SUCCESS)
    })
}

pub fn logs(args: LogsArgs) -> ExitCode {
    run(async move {
        let name = project_name(&args.file, &args.project)?;
        let engine = engine().await?;
        let entries = engine.logs(&name, args.service.as_deref(), args.tail).await.map_err(|error| error.to_string())?;
        let mut stdout = std::io::stdout().lock();
        for entry in entries {
            for line in entry.logs.stdout.lines() {
                let _ = writeln!(stdout, "{} | {line}", entry.service);
            }
            for line in entry.logs.stderr.lines() {
                eprintln!("{} | {line}", entry.service);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn exec(args: ExecArgs) -> ExitCode {
    run(async move {
        let name = project_name(&args.file, &args.project)?;
        let output = engine().await?.exec(&name, &args.service, &args.command).await.map_err(|error| error.to_string())?;
        print!("{}", output.stdout);
        eprint!("{}", output.stderr);
        // An exit code outside 0..=255 cannot pass through; report failure.
        Ok(ExitCode::from(u8::try_from(output.exit_code).unwrap_or(1)))
    })
}
