//! Finding a container runtime that runs on this machine.
//!
//! Candidates, in order, on macOS: apple/container, orbstack, colima,
//! rancher-desktop, lima, podman, docker, nerdctl; on Linux and others:
//! podman, nerdctl, docker, rancher-desktop, colima, lima. Each one's probe
//! checks that its engine runs (a daemon, VM or machine), not only that a
//! binary is on PATH, and gives up after a timeout.
//! `PERRY_CONTAINER_BACKEND` pins one name or a comma-separated list, tried
//! in the order given; `PERRY_CONTAINER_MODE=local-first` tries daemonless
//! CLIs first and `server-first` tries runtimes behind a daemon socket first.
//!
//! [`detect_backend`] also considers Docker Engine API sockets (with the
//! `docker-api` feature): `DOCKER_HOST` when it is a `unix://` address, then
//! podman's rootless and rootful sockets, then docker's. `server-first` tries
//! the sockets before every command line, otherwise they come after them.
//! A socket counts only when its service answers a ping.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::process::Command;

use super::{Backend, CliBackend, Grammar};

/// The environment variable that pins a runtime or a list of them.
pub const BACKEND_VARIABLE: &str = "PERRY_CONTAINER_BACKEND";
/// The environment variable that orders daemonless CLIs and socket runtimes.
pub const MODE_VARIABLE: &str = "PERRY_CONTAINER_MODE";

/// The runtime names that detection tries, the same on every platform.
pub const BACKEND_NAMES: [&str; 8] = ["apple/container", "orbstack", "colima", "rancher-desktop", "lima", "podman", "nerdctl", "docker"];

/// How long a liveness probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The reasons no runtime could be used.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("{BACKEND_VARIABLE}={value} names no supported container runtime; use one of {} or a comma-separated list", BACKEND_NAMES.join(", "))]
    UnknownPin { value: String },

    #[error("{MODE_VARIABLE}={value} is not a mode; use local-first or server-first")]
    UnknownMode { value: String },

    #[error("{}", render_failures(.failures))]
    NoneAvailable { failures: Vec<(&'static str, String)> },
}

fn render_failures(failures: &[(&'static str, String)]) -> String {
    let names: Vec<&str> = failures.iter().map(|(name, _)| *name).collect();
    let mut text = format!("no container runtime is available (looked for {})", names.join(", "));
    for (name, reason) in failures {
        text.push_str(&format!("\n  {name}: {reason}"));
    }
    text.push_str(
        "\nhelp: install podman with `sudo apt-get install podman runc`, or run scripts/setup-podman.sh from the perry-stack repository",
    );
    text
}

impl fmt::Display for Grammar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grammar::Podman => "podman",
            Grammar::Docker => "docker",
            Grammar::AppleContainer => "apple/container",
        })
    }
}

/// The places detection looks, so tests can point it at fake executables.
#[derive(Clone, Debug)]
pub struct DetectOptions {
    /// `PERRY_CONTAINER_BACKEND`'s value.
    pub pin: Option<String>,
    /// `PERRY_CONTAINER_MODE`'s value.
    pub mode: Option<String>,
    /// The folders searched for executables, as in `PATH`.
    pub path: Option<OsString>,
    /// The home folder, where colima, orbstack and rancher-desktop keep their sockets.
    pub home: Option<PathBuf>,
    /// `macos`, `linux`, ... as in `std::env::consts::OS`.
    pub os: String,
    pub probe_timeout: Duration,
}

impl DetectOptions {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self {
            pin: std::env::var(BACKEND_VARIABLE).ok().filter(|value| !value.trim().is_empty()),
            mode: std::env::var(MODE_VARIABLE).ok().filter(|value| !value.trim().is_empty()),
            path: std::env::var_os("PATH"),
            home: std::env::var_os("HOME").map(PathBuf::from),
            os: std::env::consts::OS.to_string(),
            probe_timeout: PROBE_TIMEOUT,
        }
    }
}

/// Returns the candidates in the order of `os`.
pub fn platform_order(os: &str) -> Vec<&'static str> {
    match os {
        "macos" => vec!["apple/container", "orbstack", "colima", "rancher-desktop", "lima", "podman", "docker", "nerdctl"],
        _ => vec!["podman", "nerdctl", "docker", "rancher-desktop", "colima", "lima"],
    }
}

/// Tells whether a runtime runs containers without a daemon socket in between.
fn is_local(name: &str) -> bool {
    matches!(name, "podman" | "nerdctl" | "apple/container")
}

/// Finds a runtime as [`DetectOptions::from_env`] describes.
pub async fn detect() -> Result<CliBackend, DetectError> {
    detect_with(&DetectOptions::from_env()).await
}

/// Tries the candidates in order and returns the first whose probe passes.
/// The error lists why each one failed.
pub async fn detect_with(options: &DetectOptions) -> Result<CliBackend, DetectError> {
    let mut candidates: Vec<&'static str> = match &options.pin {
        Some(value) => {
            let mut names = Vec::new();
            for word in value.split(',').map(str::trim).filter(|word| !word.is_empty()) {
                let name = BACKEND_NAMES.iter().find(|name| **name == word).ok_or_else(|| DetectError::UnknownPin { value: value.clone() })?;
                names.push(*name);
            }
            names
        }
        None => platform_order(&options.os),
    };
    match options.mode.as_deref().map(str::trim) {
        None => {}
        // A pinned list keeps its own order.
        Some(_) if options.pin.is_some() => {}
        Some("local-first") => candidates.sort_by_key(|name| !is_local(name)),
        Some("server-first") => candidates.sort_by_key(|name| is_local(name)),
        Some(other) => return Err(DetectError::UnknownMode { value: other.to_string() }),
    }

    // Probes run at once, and the first candidate in order that passes wins.
    let probes: Vec<_> = candidates
        .iter()
        .map(|name| {
            let (name, options) = (*name, options.clone());
            tokio::spawn(async move { probe(name, &options).await })
        })
        .collect();
    let mut failures = Vec::new();
    for (name, handle) in candidates.iter().zip(probes) {
        let result = handle.await.unwrap_or_else(|error| Err(format!("the probe failed: {error}")));
        match result {
            Ok(backend) => {
                tracing::debug!(runtime = name, "container runtime detected");
                return Ok(backend.with_timeout(CliBackend::DEFAULT_TIMEOUT));
            }
            Err(reason) => {
                tracing::debug!(runtime = name, %reason, "container runtime not usable");
                failures.push((*name, reason));
            }
        }
    }
    Err(DetectError::NoneAvailable { failures })
}

/// The Docker Engine API sockets to try, in order: `DOCKER_HOST` when it is a
/// `unix://` address, podman's rootless socket under `XDG_RUNTIME_DIR`,
/// podman's rootful socket, then docker's.
pub fn default_sockets() -> Vec<PathBuf> {
    let mut sockets = Vec::new();
    if let Some(path) = std::env::var("DOCKER_HOST").ok().and_then(|host| host.strip_prefix("unix://").map(PathBuf::from)) {
        sockets.push(path);
    }
    if let Some(runtime_dir) = std::env::var_os("XDG_RUNTIME_DIR") {
        sockets.push(PathBuf::from(runtime_dir).join("podman/podman.sock"));
    }
    sockets.push(PathBuf::from("/run/podman/podman.sock"));
    sockets.push(PathBuf::from("/var/run/docker.sock"));
    let mut seen = std::collections::BTreeSet::new();
    sockets.retain(|socket| seen.insert(socket.clone()));
    sockets
}

/// Finds a runtime among the command lines and the sockets of
/// [`default_sockets`], as the environment selects.
pub async fn detect_backend() -> Result<Arc<dyn Backend>, DetectError> {
    let backend = detect_backend_with(&DetectOptions::from_env(), &default_sockets()).await?;
    tracing::info!(backend = backend.name(), "using this container runtime");
    Ok(backend)
}

/// Like [`detect_with`], and also tries the Docker Engine API on `sockets`:
/// before every command line with `server-first`, after them otherwise. A
/// pin names command-line runtimes only, so with a pin the sockets are not
/// tried. Without the `docker-api` feature this is [`detect_with`].
pub async fn detect_backend_with(options: &DetectOptions, sockets: &[PathBuf]) -> Result<Arc<dyn Backend>, DetectError> {
    let server_first = options.mode.as_deref().map(str::trim) == Some("server-first");
    let use_sockets = cfg!(feature = "docker-api") && options.pin.is_none();
    let mut failures = Vec::new();
    if use_sockets && server_first {
        match probe_sockets(sockets, options.probe_timeout).await {
            Ok(backend) => return Ok(backend),
            Err(reasons) => failures.extend(reasons),
        }
    }
    match detect_with(options).await {
        Ok(backend) => return Ok(Arc::new(backend)),
        Err(DetectError::NoneAvailable { failures: reasons }) => failures.extend(reasons),
        Err(other) => return Err(other),
    }
    if use_sockets && !server_first {
        match probe_sockets(sockets, options.probe_timeout).await {
            Ok(backend) => return Ok(backend),
            Err(reasons) => failures.extend(reasons),
        }
    }
    Err(DetectError::NoneAvailable { failures })
}

/// Returns a backend on the first socket whose service replies to a ping.
#[cfg(feature = "docker-api")]
async fn probe_sockets(sockets: &[PathBuf], timeout: Duration) -> Result<Arc<dyn Backend>, Vec<(&'static str, String)>> {
    let mut failures = Vec::new();
    for socket in sockets {
        if !socket.exists() {
            failures.push(("docker-api", format!("no socket at {}", socket.display())));
            continue;
        }
        let backend = match super::DockerApiBackend::connect(socket, CliBackend::DEFAULT_TIMEOUT) {
            Ok(backend) => backend,
            Err(error) => {
                failures.push(("docker-api", format!("{}: {error}", socket.display())));
                continue;
            }
        };
        match tokio::time::timeout(timeout, backend.ping()).await {
            Ok(Ok(())) => {
                tracing::debug!(socket = %socket.display(), "Docker Engine API detected");
                return Ok(Arc::new(backend));
            }
            Ok(Err(error)) => failures.push(("docker-api", format!("{} does not answer: {error}", socket.display()))),
            Err(_) => failures.push(("docker-api", format!("{} timed out after {} s", socket.display(), timeout.as_secs_f64()))),
        }
    }
    Err(failures)
}

#[cfg(not(feature = "docker-api"))]
async fn probe_sockets(_sockets: &[PathBuf], _timeout: Duration) -> Result<Arc<dyn Backend>, Vec<(&'static str, String)>> {
    Err(Vec::new())
}

/// Checks that `name`'s engine responds and returns a backend for it.
async fn probe(name: &'static str, options: &DetectOptions) -> Result<CliBackend, String> {
    let find = |program: &str| find_on_path(program, options.path.as_ref()).ok_or_else(|| format!("`{program}` not found on PATH"));
    let home = || options.home.clone().ok_or_else(|| "HOME is not set, so the socket cannot be found".to_string());
    let timeout = options.probe_timeout;
    match name {
        // `podman version` fails when its storage (or, on macOS, its machine) is broken.
        "podman" => {
            let program = find("podman")?;
            run_probe(&program, &["version", "--format", "json"], timeout).await?;
            Ok(CliBackend::new(program, Grammar::Podman))
        }
        // `docker version` exits non-zero when it cannot reach a daemon.
        "docker" => {
            let program = find("docker")?;
            run_probe(&program, &["version", "--format", "{{.Server.Version}}"], timeout).await?;
            Ok(CliBackend::new(program, Grammar::Docker))
        }
        // `nerdctl info` fails when containerd does not run.
        "nerdctl" => {
            let program = find("nerdctl")?;
            run_probe(&program, &["info", "--format", "{{.ServerVersion}}"], timeout).await?;
            Ok(CliBackend::new(program, Grammar::Docker).with_name("nerdctl"))
        }
        "apple/container" => {
            let program = find("container")?;
            // `container system status` fails unless its API server runs.
            run_probe(&program, &["system", "status"], timeout).await?;
            Ok(CliBackend::new(program, Grammar::AppleContainer))
        }
        "orbstack" | "colima" | "rancher-desktop" => {
            let (tool, args, socket): (&str, &[&str], &str) = match name {
                "orbstack" => ("orb", &["status"], ".orbstack/run/docker.sock"),
                "colima" => ("colima", &["status"], ".colima/default/docker.sock"),
                _ => ("rdctl", &["info"], ".rd/docker.sock"),
            };
            let program = find(tool)?;
            let output = run_probe(&program, args, timeout).await?;
            if name == "orbstack" && !output.to_ascii_lowercase().contains("running") {
                return Err(format!("`orb status` reports {:?}, not running", output.trim()));
            }
            let docker = find("docker")?;
            let host = format!("unix://{}", home()?.join(socket).display());
            run_probe_env(&docker, &["version", "--format", "{{.Server.Version}}"], timeout, &host).await?;
            Ok(CliBackend::new(docker, Grammar::Docker).with_env("DOCKER_HOST", &host).with_name(name))
        }
        "lima" => {
            let program = find("limactl")?;
            let output = run_probe(&program, &["list", "--format", "json"], timeout).await?;
            let instance = running_lima_instance(&output).ok_or_else(|| "no lima instance is running (`limactl list` shows none with status Running)".to_string())?;
            let backend = CliBackend::new(program, Grammar::Docker).with_prefix(&["shell", &instance, "nerdctl"]).with_name("lima");
            Ok(backend)
        }
        other => Err(format!("{other} has no probe")),
    }
}

/// Picks the running instance named `default`, else the first running one, from
/// `limactl list --format json` (one JSON object per line).
fn running_lima_instance(output: &str) -> Option<String> {
    let running: Vec<String> = output
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry.get("status").and_then(|status| status.as_str()) == Some("Running"))
        .filter_map(|entry| entry.get("name").and_then(|name| name.as_str()).map(str::to_string))
        .collect();
    running.iter().find(|name| *name == "default").or(running.first()).cloned()
}

async fn run_probe(program: &Path, args: &[&str], timeout: Duration) -> Result<String, String> {
    run_probe_command(Command::new(program), program, args, timeout).await
}

async fn run_probe_env(program: &Path, args: &[&str], timeout: Duration, docker_host: &str) -> Result<String, String> {
    let mut command = Command::new(program);
    command.env("DOCKER_HOST", docker_host);
    run_probe_command(command, program, args, timeout).await
}

async fn run_probe_command(mut command: Command, program: &Path, args: &[&str], timeout: Duration) -> Result<String, String> {
    let child = command.args(args).stdin(std::process::Stdio::null()).kill_on_drop(true).output();
    let line = format!("{} {}", program.display(), args.join(" "));
    let output = match tokio::time::timeout(timeout, child).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(format!("could not run `{line}`: {error}")),
        Err(_) => return Err(format!("timed out after {} s running `{line}`", timeout.as_secs_f64())),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_line = stderr.lines().find(|line| !line.trim().is_empty()).unwrap_or("no error output");
        return Err(format!("`{line}` failed: {}", first_line.trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn find_on_path(name: &str, path: Option<&OsString>) -> Option<PathBuf> {
    std::env::split_paths(path?).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
