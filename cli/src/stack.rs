//! The stack commands: `up`, `down`, `ps`, `logs`, `exec`, `start`, `stop`
//! and `restart`, with docker compose's global options.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use perry_stack::backend::{Attach, ExecSettings, LogLine, LogStream};
use perry_stack::engine::{normalize_project_name, OutputItem};
use perry_stack::schema::compose::load::{load_project, Options, ProcessEnvironment};
use perry_stack::schema::diag::messages::code;
use perry_stack::schema::yaml::{Node, Value};
use perry_stack::schema::Span;
use perry_stack::{format_ps_table, Cancel, DownOptions, Engine, FailureStrategy, Progress, ProgressEvent, Project, UpOptions};

/// Options that every stack command takes before its name, as with docker
/// compose: `perry-stack -f a.yaml -f b.yaml -p demo up -d`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct GlobalArgs {
    /// Compose file; repeat to merge several. Without any, COMPOSE_FILE
    /// (paths separated by `:`), else compose.yaml (or compose.yml,
    /// docker-compose.yaml, docker-compose.yml) here or in a parent folder.
    #[arg(short = 'f', long = "file")]
    pub files: Vec<PathBuf>,
    /// Project name. The default is COMPOSE_PROJECT_NAME from the environment
    /// or the project's env files, then the file's `name`, then the name of
    /// the compose file's folder.
    #[arg(short = 'p', long = "project-name")]
    pub project_name: Option<String>,
    /// Env file for interpolation instead of the project folder's `.env`;
    /// repeat for several.
    #[arg(long = "env-file")]
    pub env_files: Vec<PathBuf>,
    /// Profile to enable, in addition to those of COMPOSE_PROFILES; repeat
    /// for several.
    #[arg(long = "profile")]
    pub profiles: Vec<String>,
    /// How many container operations may run at the same time
    /// [default: COMPOSE_PARALLEL_LIMIT, else 8].
    #[arg(long = "parallel")]
    pub parallel: Option<usize>,
}

impl GlobalArgs {
    fn parallel(&self) -> usize {
        self.parallel
            .or_else(|| std::env::var("COMPOSE_PARALLEL_LIMIT").ok().and_then(|value| value.trim().parse().ok()))
            .filter(|limit| *limit > 0)
            .unwrap_or(8)
    }
}

/// The failure strategy of `up` on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum OnFailure {
    /// Remove what this run created; keep containers that existed before.
    Rollback,
    /// Stop scheduling and leave everything for inspection, as docker compose does.
    Halt,
    /// Keep starting services that do not depend on the failed one.
    Continue,
}

#[derive(clap::Args)]
pub struct UpArgs {
    /// Return once the stack is up. Without it, `up` prints the services'
    /// output until they all exit or Ctrl-C stops them, and a second Ctrl-C
    /// exits at once. Containers and networks stay, as with docker compose.
    #[arg(short = 'd', long = "detach")]
    pub detach: bool,
    /// Wait until services with a healthcheck are healthy; implies --detach.
    #[arg(long = "wait")]
    pub wait: bool,
    /// Remove containers of services that the compose file no longer has.
    #[arg(long = "remove-orphans")]
    pub remove_orphans: bool,
    /// Build the images of services with `build` even when they exist;
    /// without it only missing images are built.
    #[arg(long = "build")]
    pub build: bool,
    /// The action when a service fails.
    #[arg(long = "on-failure", value_enum, default_value = "halt")]
    pub on_failure: OnFailure,
    /// Seconds a replaced or rolled back container may take to stop
    /// [default: the service's stop_grace_period, else 10].
    #[arg(short = 't', long = "timeout")]
    pub timeout: Option<u64>,
    /// Run NUM containers of SERVICE, over its `scale` and
    /// `deploy.replicas`; repeat for several services.
    #[arg(long = "scale", value_name = "SERVICE=NUM", value_parser = parse_scale)]
    pub scale: Vec<(String, u32)>,
    /// Only these services and their dependencies.
    pub services: Vec<String>,
}

/// Reads a `--scale` value, `SERVICE=NUM`.
fn parse_scale(value: &str) -> Result<(String, u32), String> {
    let (service, count) = value.split_once('=').ok_or_else(|| format!("invalid --scale `{value}`: use SERVICE=NUM"))?;
    if service.is_empty() {
        return Err(format!("invalid --scale `{value}`: the service name is empty"));
    }
    let count = count.parse().map_err(|_| format!("invalid --scale `{value}`: `{count}` is not a whole number from 0 to {}", u32::MAX))?;
    Ok((service.to_string(), count))
}

#[derive(clap::Args)]
pub struct DownArgs {
    /// Also remove the project's named volumes (never external ones) and
    /// the anonymous volumes of its containers.
    #[arg(short = 'v', long = "volumes")]
    pub volumes: bool,
    /// Also remove containers of services that the compose file no longer has.
    #[arg(long = "remove-orphans")]
    pub remove_orphans: bool,
    /// Seconds a container may take to stop before it is killed
    /// [default: the service's stop_grace_period, else 10].
    #[arg(short = 't', long = "timeout")]
    pub timeout: Option<u64>,
    /// Only these services and the services that depend on them; networks
    /// and volumes then stay.
    pub services: Vec<String>,
}

/// The arguments of `stop` and `restart`.
#[derive(clap::Args)]
pub struct LifecycleArgs {
    /// Seconds a container may take to stop before it is killed
    /// [default: the service's stop_grace_period, else 10].
    #[arg(short = 't', long = "timeout")]
    pub timeout: Option<u64>,
    /// Only these services and their dependents, which stop first.
    /// All services when none is given.
    pub services: Vec<String>,
}

/// The arguments of `start`, which stops nothing and so takes no timeout,
/// as in docker compose.
#[derive(clap::Args)]
pub struct StartArgs {
    /// Only these services and their dependencies, which start first.
    /// All services when none is given.
    pub services: Vec<String>,
}

#[derive(clap::Args)]
pub struct PsArgs {
    /// Print only the container ids.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// Accepted for docker compose scripts: stopped containers are always
    /// listed, with their status.
    #[arg(short = 'a', long = "all")]
    pub all: bool,
    /// Only the containers of these services.
    pub services: Vec<String>,
}

#[derive(clap::Args)]
pub struct LogsArgs {
    /// Keep printing new output until Ctrl-C or until every container exits.
    #[arg(short = 'f', long = "follow")]
    pub follow: bool,
    /// Number of lines to show from the end of each container's output, or
    /// `all` [default: all].
    #[arg(short = 'n', long = "tail", value_name = "LINES", value_parser = parse_tail)]
    pub tail: Option<Tail>,
    /// Only these services' output.
    pub services: Vec<String>,
}

/// The value of `logs --tail`: a number of lines, or every line.
#[derive(Clone, Copy, Debug)]
pub struct Tail(Option<usize>);

fn parse_tail(text: &str) -> Result<Tail, String> {
    if text == "all" {
        return Ok(Tail(None));
    }
    text.parse().map(|lines| Tail(Some(lines))).map_err(|_| format!("invalid number of lines `{text}`: use a whole number from 0, or `all`"))
}

#[derive(clap::Args)]
pub struct ExecArgs {
    /// Set a variable for the command: KEY=VALUE, or KEY to pass this
    /// shell's value (left unset when the shell has none).
    #[arg(short = 'e', long = "env", value_name = "KEY[=VALUE]")]
    pub env: Vec<String>,
    /// Run the command as this user (name or id, optionally `:group`).
    #[arg(short = 'u', long = "user")]
    pub user: Option<String>,
    /// Run the command in this folder of the container.
    #[arg(short = 'w', long = "workdir")]
    pub workdir: Option<String>,
    /// The replica of the service that runs the command, counted from 1.
    #[arg(long = "index", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub index: u32,
    /// Give the command no terminal. Without it, the command gets one when
    /// perry-stack runs in a terminal (on the command-line backends).
    #[arg(short = 'T', long = "no-TTY")]
    pub no_tty: bool,
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
    let result = runtime.block_on(body);
    // A read of standard input that the command no longer needs (an exec
    // whose command ended first) may still block; do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the compose files with the global options, printing warnings, and
/// picks the project name: `-p`, else COMPOSE_PROJECT_NAME from the process
/// or the project's env files, else the file's `name`, else the folder's
/// name. `Ok(None)` when no file was named and none was found.
fn load(globals: &GlobalArgs, required: bool) -> Result<Option<(Project, String)>, String> {
    let options = Options {
        files: globals.files.clone(),
        working_dir: PathBuf::new(),
        env_files: globals.env_files.clone(),
        profiles: globals.profiles.clone(),
        environment: Some(&ProcessEnvironment),
        stdin: crate::inspect::stdin_source(&globals.files),
    };
    let named = !globals.files.is_empty() || std::env::var("COMPOSE_FILE").is_ok_and(|value| !value.is_empty());
    match load_project(&options) {
        Ok(loaded) => {
            render(&loaded.warnings, &loaded.sources);
            let name = loaded.project_name(globals.project_name.as_deref(), Some(&ProcessEnvironment)).map_err(|error| {
                let help = error.help.map(|help| format!("; {help}")).unwrap_or_default();
                format!("{}{help}", error.message)
            })?;
            Ok(Some((loaded.project, name)))
        }
        Err(failed) => {
            let missing = failed.diagnostics.iter().all(|diagnostic| diagnostic.code == code::FILE_NOT_FOUND);
            if missing && !named && !required {
                return Ok(None);
            }
            render(&failed.diagnostics, &failed.sources);
            Err("the compose files are invalid; see the diagnostics above".to_string())
        }
    }
}

fn render(diagnostics: &perry_stack::Diagnostics, sources: &BTreeMap<PathBuf, String>) {
    let color = std::io::stderr().is_terminal();
    for diagnostic in diagnostics.iter() {
        match sources.get(&diagnostic.file) {
            Some(source) => eprintln!("{}\n", diagnostic.render(source, color)),
            None => eprintln!("{}\n", diagnostic.message),
        }
    }
}

/// The project name and, when a compose file was found, its services, for
/// commands that find containers by label: `-p`, else COMPOSE_PROJECT_NAME
/// (from the project's env files too when a compose file was found), else
/// the compose file's `name` (a file named with `-f` or COMPOSE_FILE must
/// load), else the folder's name.
fn target(globals: &GlobalArgs) -> Result<(String, Option<BTreeSet<String>>), String> {
    let loaded = if globals.project_name.is_some() && globals.files.is_empty() { None } else { load(globals, false)? };
    if let Some((project, name)) = loaded {
        return Ok((name, Some(project.services.keys().cloned().collect())));
    }
    let variable = std::env::var("COMPOSE_PROJECT_NAME").ok().filter(|name| !name.is_empty());
    let (raw, must_be_valid) = match (&globals.project_name, variable) {
        (Some(name), _) => (name.clone(), true),
        (None, Some(name)) => (name, true),
        (None, None) => {
            let folder = std::env::current_dir().map_err(|error| format!("could not read the current folder: {error}"))?;
            (folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default(), false)
        }
    };
    let name = normalize_project_name(&raw);
    if name.is_empty() || (must_be_valid && name != raw) {
        return Err(format!(
            "invalid project name `{raw}`: use lower-case letters, digits, `-` and `_`, starting with a letter or digit"
        ));
    }
    Ok((name, None))
}

/// Rejects a requested service that the compose file does not define, and
/// lists the defined ones. Without a compose file (`defined` is `None`) the
/// engine reports the services it cannot find by label instead.
fn check_defined(defined: Option<&BTreeSet<String>>, requested: &[String]) -> Result<(), String> {
    let Some(defined) = defined else { return Ok(()) };
    match requested.iter().find(|service| !defined.contains(*service)) {
        Some(missing) => {
            let names: Vec<&str> = defined.iter().map(String::as_str).collect();
            Err(format!("no service `{missing}` in the compose file; defined services: {}", names.join(", ")))
        }
        None => Ok(()),
    }
}

async fn engine() -> Result<Engine, String> {
    Engine::detect().await.map_err(|error| error.to_string())
}

/// Reports progress on stderr. A terminal gets one line per container,
/// network or volume, rewritten in place as its status changes. Other
/// outputs get one plain line per step, as docker compose prints when piped.
fn progress() -> Progress {
    if std::io::stderr().is_terminal() {
        let board = std::sync::Mutex::new(Board::default());
        return Progress::new(move |event: &ProgressEvent| {
            board.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).update(event);
        });
    }
    Progress::new(|event: &ProgressEvent| eprintln!("{}", plain_line(event)))
}

fn plain_line(event: &ProgressEvent) -> String {
    format!(" {} {}  {}", event.kind.label(), event.object, event.status)
}

/// The live display: the objects in the order they first appeared, each
/// with its latest status.
#[derive(Default)]
struct Board {
    rows: Vec<ProgressEvent>,
    drawn: usize,
}

impl Board {
    fn update(&mut self, event: &ProgressEvent) {
        match self.rows.iter_mut().find(|row| row.object == event.object) {
            Some(row) => row.status = event.status.clone(),
            None => self.rows.push(event.clone()),
        }
        let mut text = String::new();
        if self.drawn > 0 {
            // Moves the cursor back to the first line drawn last time.
            text.push_str(&format!("\x1b[{}A", self.drawn));
        }
        let width = self.rows.iter().map(|row| row.object.len()).max().unwrap_or(0);
        for row in &self.rows {
            text.push_str(&format!("\x1b[2K {:<9} {:<width$}  {}\n", row.kind.label(), row.object, row.status));
        }
        self.drawn = self.rows.len();
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
        let _ = stderr.flush();
    }
}

/// Counts Ctrl-C presses, and SIGTERM as one too, as docker compose does:
/// the first cancels `cancel`, the second exits at once.
pub(crate) fn watch_interrupts(cancel: Cancel) -> tokio::sync::watch::Receiver<u32> {
    let (sender, receiver) = tokio::sync::watch::channel(0u32);
    tokio::spawn(async move {
        let mut presses = 0;
        while interrupt_or_terminate().await {
            presses += 1;
            if presses >= 2 {
                eprintln!("interrupted again; exiting without cleaning up");
                std::process::exit(130);
            }
            eprintln!("interrupted; stopping (press Ctrl-C again to exit at once)");
            cancel.cancel();
            sender.send_replace(presses);
        }
    });
    receiver
}

/// Waits for Ctrl-C or, on Unix, SIGTERM. Returns false when neither can
/// be watched.
async fn interrupt_or_terminate() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut terminate) = signal(SignalKind::terminate()) else { return tokio::signal::ctrl_c().await.is_ok() };
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.is_ok(),
            received = terminate.recv() => received.is_some(),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

pub fn up(globals: GlobalArgs, args: UpArgs) -> ExitCode {
    run(async move {
        let (mut project, name) = load(&globals, true)?.ok_or("no compose file found")?;
        let defined: BTreeSet<String> = project.services.keys().cloned().collect();
        let scaled: Vec<String> = args.scale.iter().map(|(service, _)| service.clone()).collect();
        check_defined(Some(&defined), &args.services)?;
        check_defined(Some(&defined), &scaled)?;
        for (service, count) in &args.scale {
            let node = Node::new(Value::Int(i64::from(*count)), Span::default());
            project.services.get_mut(service).expect("checked above").unsupported.insert("scale".to_string(), node);
        }
        let engine = engine().await?;
        let cancel = Cancel::new();
        let mut interrupts = watch_interrupts(cancel.clone());
        let options = UpOptions {
            project_name: Some(name),
            max_parallel: globals.parallel(),
            services: args.services.clone(),
            remove_orphans: args.remove_orphans,
            wait: args.wait,
            build: args.build,
            on_failure: match args.on_failure {
                OnFailure::Rollback => FailureStrategy::RollbackAll,
                OnFailure::Halt => FailureStrategy::HaltGraph,
                OnFailure::Continue => FailureStrategy::PartialContinue,
            },
            cancel: Some(cancel),
            progress: Some(progress()),
            stop_timeout: args.timeout.map(Duration::from_secs),
            ..UpOptions::default()
        };
        let report = engine.up(&project, &options).await.map_err(|error| error.to_string())?;
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        eprintln!("project {} is up in {:.1} s", report.project, report.elapsed.as_secs_f64());
        let rows = engine.ps(&report.project).await.map_err(|error| error.to_string())?;
        print!("{}", format_ps_table(&rows));
        if args.detach || args.wait {
            return Ok(ExitCode::SUCCESS);
        }

        eprintln!("following the output of project {}; press Ctrl-C to stop its containers", report.project);
        let options = DownOptions {
            timeout: args.timeout.map(Duration::from_secs),
            max_parallel: globals.parallel(),
            progress: Some(progress()),
            ..DownOptions::default()
        };
        // The output is printed until every container has ended. Ctrl-C
        // stops them while their last lines and exits still print.
        let follow = follow_logs(&engine, &report.project, &args.services, None, true, std::future::pending());
        tokio::pin!(follow);
        tokio::select! {
            followed = &mut follow => followed?,
            _ = interrupts.wait_for(|presses| *presses >= 1) => {
                let (followed, stopped) = tokio::join!(&mut follow, engine.stop(&report.project, &args.services, &options));
                stopped.map_err(|error| error.to_string())?;
                followed?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn down(globals: GlobalArgs, args: DownArgs) -> ExitCode {
    run(async move {
        let (name, known) = target(&globals)?;
        check_defined(known.as_ref(), &args.services)?;
        let engine = engine().await?;
        let options = DownOptions {
            volumes: args.volumes,
            timeout: args.timeout.map(Duration::from_secs),
            services: args.services.clone(),
            known_services: known,
            remove_orphans: args.remove_orphans,
            max_parallel: globals.parallel(),
            progress: Some(progress()),
        };
        let report = engine.down(&name, &options).await.map_err(|error| error.to_string())?;
        for orphan in &report.orphans {
            eprintln!("warning: kept container {orphan}, whose service the compose file no longer has; remove it with --remove-orphans");
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn lifecycle_options(globals: &GlobalArgs, args: &LifecycleArgs) -> DownOptions {
    DownOptions {
        timeout: args.timeout.map(Duration::from_secs),
        max_parallel: globals.parallel(),
        progress: Some(progress()),
        ..DownOptions::default()
    }
}

pub fn start(globals: GlobalArgs, args: StartArgs) -> ExitCode {
    run(async move {
        let (name, defined) = target(&globals)?;
        check_defined(defined.as_ref(), &args.services)?;
        let options = DownOptions { max_parallel: globals.parallel(), progress: Some(progress()), ..DownOptions::default() };
        let engine = engine().await?;
        // `start` starts what exists; with nothing, say how to create it.
        if engine.ps(&name).await.map_err(|error| error.to_string())?.is_empty() {
            return Err(format!("project {name} has no containers to start; `up` creates them"));
        }
        engine.start(&name, &args.services, &options).await.map_err(|error| error.to_string())?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn stop(globals: GlobalArgs, args: LifecycleArgs) -> ExitCode {
    run(async move {
        let (name, defined) = target(&globals)?;
        check_defined(defined.as_ref(), &args.services)?;
        engine().await?.stop(&name, &args.services, &lifecycle_options(&globals, &args)).await.map_err(|error| error.to_string())?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn restart(globals: GlobalArgs, args: LifecycleArgs) -> ExitCode {
    run(async move {
        let (name, defined) = target(&globals)?;
        check_defined(defined.as_ref(), &args.services)?;
        let engine = engine().await?;
        if engine.ps(&name).await.map_err(|error| error.to_string())?.is_empty() {
            return Err(format!("project {name} has no containers to restart; `up` creates them"));
        }
        engine.restart(&name, &args.services, &lifecycle_options(&globals, &args)).await.map_err(|error| error.to_string())?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn ps(globals: GlobalArgs, args: PsArgs) -> ExitCode {
    run(async move {
        let (name, defined) = target(&globals)?;
        check_defined(defined.as_ref(), &args.services)?;
        let mut rows = engine().await?.ps(&name).await.map_err(|error| error.to_string())?;
        if !args.services.is_empty() {
            rows.retain(|row| args.services.contains(&row.service));
        }
        if args.quiet {
            for row in &rows {
                println!("{}", row.id);
            }
        } else {
            print!("{}", format_ps_table(&rows));
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn logs(globals: GlobalArgs, args: LogsArgs) -> ExitCode {
    run(async move {
        let (name, defined) = target(&globals)?;
        check_defined(defined.as_ref(), &args.services)?;
        let engine = engine().await?;
        let interrupted = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        follow_logs(&engine, &name, &args.services, args.tail.and_then(|tail| tail.0), args.follow, interrupted).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Returns the name a line starts with: its service's, or `service-N` when
/// the service has more than one container, so that replicas differ.
fn line_prefix(service: &str, number: u32, replicas: usize) -> String {
    if replicas > 1 { format!("{service}-{number}") } else { service.to_string() }
}

/// Prints the output of `entries`, stdout lines to stdout and stderr lines
/// to stderr, each after its prefix.
fn print_entries(entries: &[perry_stack::engine::ServiceLogs]) {
    let mut containers: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in entries {
        *containers.entry(entry.service.as_str()).or_default() += 1;
    }
    let mut stdout = std::io::stdout().lock();
    for entry in entries {
        let prefix = line_prefix(&entry.service, entry.number, containers[entry.service.as_str()]);
        for line in entry.logs.stdout.lines() {
            let _ = writeln!(stdout, "{prefix} | {line}");
        }
        for line in entry.logs.stderr.lines() {
            eprintln!("{prefix} | {line}");
        }
    }
    let _ = stdout.flush();
}

/// Prints the output of `services` (every service when empty), each line
/// after its service's name. With `follow`, prints lines as the containers
/// write them until none of them runs or `stop` completes.
async fn follow_logs(
    engine: &Engine,
    name: &str,
    services: &[String],
    tail: Option<usize>,
    follow: bool,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    if !follow {
        let mut entries = Vec::new();
        if services.is_empty() {
            entries = engine.logs(name, None, tail).await.map_err(|error| error.to_string())?;
        } else {
            for service in services {
                entries.extend(engine.logs(name, Some(service), tail).await.map_err(|error| error.to_string())?);
            }
        }
        print_entries(&entries);
        return Ok(());
    }

    let (sink, mut lines) = tokio::sync::mpsc::channel(256);
    let following = engine.follow_logs(name, services, tail, sink);
    tokio::pin!(following, stop);
    let mut followed = false;
    loop {
        tokio::select! {
            // Lines already sent are printed before an end is noticed.
            biased;
            line = lines.recv() => {
                // `None`: every sender is gone, so every line is printed.
                let Some(output) = line else { return Ok(()) };
                let prefix = line_prefix(&output.service, output.number, output.replicas as usize);
                let mut stdout = std::io::stdout().lock();
                match output.item {
                    OutputItem::Line(LogLine { stream: LogStream::Stdout, text }) => {
                        let _ = writeln!(stdout, "{prefix} | {text}");
                    }
                    OutputItem::Line(LogLine { stream: LogStream::Stderr, text }) => eprintln!("{prefix} | {text}"),
                    OutputItem::Exited { exit_code: Some(code) } => {
                        let _ = writeln!(stdout, "{prefix} exited with code {code}");
                    }
                    OutputItem::Exited { exit_code: None } => {
                        let _ = writeln!(stdout, "{prefix} exited");
                    }
                }
                let _ = stdout.flush();
            }
            result = &mut following, if !followed => {
                followed = true;
                result.map_err(|error| error.to_string())?;
            }
            () = &mut stop => return Ok(()),
        }
    }
}

pub fn exec(globals: GlobalArgs, args: ExecArgs) -> ExitCode {
    run(async move {
        let (name, services) = target(&globals)?;
        check_defined(services.as_ref(), std::slice::from_ref(&args.service))?;
        let settings = ExecSettings { env: exec_env(&args.env)?, workdir: args.workdir.clone(), user: args.user.clone(), stdin: None };
        // As docker compose does: input is always passed on, and a terminal
        // is given when this process runs in one, unless -T.
        let attach = Attach { stdin: true, tty: !args.no_tty && std::io::stdin().is_terminal() && std::io::stdout().is_terminal() };
        let code = engine()
            .await?
            .exec_attached(&name, &args.service, args.index, &args.command, &settings, attach)
            .await
            .map_err(|error| error.to_string())?;
        // An exit code outside 0..=255 cannot pass through; report failure.
        Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
    })
}

/// Reads `-e` values: `KEY=VALUE` as given, a bare `KEY` from this process's
/// environment, as docker compose does.
fn exec_env(values: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut env = BTreeMap::new();
    for value in values {
        match value.split_once('=') {
            Some(("", _)) => return Err(format!("invalid --env `{value}`: the variable name is empty")),
            Some((key, text)) => {
                env.insert(key.to_string(), text.to_string());
            }
            None if value.is_empty() => return Err("invalid --env ``: the variable name is empty".to_string()),
            None => {
                if let Ok(text) = std::env::var(value) {
                    env.insert(value.clone(), text);
                }
            }
        }
    }
    Ok(env)
}
