//! Choosing the container runtime behind the FFI.
//!
//! Detection is a blocking probe guarded by a mutex, so it runs once however
//! many threads call at the same time. It never enters or blocks on an async
//! runtime, because a synchronous `getBackend()` may come from the main
//! thread, a plain thread or a runtime worker, before or after the bridge's
//! runtime exists. Async callers run it through `spawn_blocking`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::backend::{Backend, CliBackend, Grammar, BACKEND_VARIABLE};

/// How long one liveness probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The names tried when neither `setBackends` nor the environment names any.
const DEFAULT_PRIORITY: [&str; 2] = ["podman", "docker"];

/// A runtime that responded to its probe.
pub struct Selected {
    pub name: String,
    pub version: Option<String>,
    pub backend: Arc<dyn Backend>,
    /// The command line's program and grammar, for the image functions
    /// that the backend trait lacks; `None` for an installed backend.
    pub cli: Option<(PathBuf, Grammar)>,
}

impl Selected {
    pub fn info(&self) -> super::super::BackendInfo {
        super::super::BackendInfo { name: self.name.clone(), version: self.version.clone(), isolation: isolation().to_owned() }
    }
}

#[derive(Default)]
struct State {
    /// Set by `setBackends`; `None` reads the environment.
    priority: Option<Vec<String>>,
    /// The outcome of the last detection, kept until the priority changes.
    detected: Option<Result<Arc<Selected>, String>>,
}

static STATE: Mutex<State> = Mutex::new(State { priority: None, detected: None });
static DETECTIONS: AtomicUsize = AtomicUsize::new(0);

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Returns how many times detection has run in this process.
#[doc(hidden)]
pub fn detection_count() -> usize {
    DETECTIONS.load(Ordering::SeqCst)
}

/// Returns the backend in use, detecting it on the first call. Blocks for
/// the probes, and concurrent first callers wait for the one detection.
pub fn current() -> Result<Arc<Selected>, String> {
    let mut state = state();
    if let Some(detected) = &state.detected {
        return detected.clone();
    }
    DETECTIONS.fetch_add(1, Ordering::SeqCst);
    let priority = priority_of(&state);
    let detected = detect(&priority);
    state.detected = Some(detected.clone());
    detected
}

/// Returns the names that detection tries, in order: those given to `setBackends`,
/// else a comma-separated PERRY_CONTAINER_BACKEND, else podman then docker.
pub fn priority() -> Vec<String> {
    priority_of(&state())
}

fn priority_of(state: &State) -> Vec<String> {
    if let Some(priority) = &state.priority {
        return priority.clone();
    }
    match std::env::var(BACKEND_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => value.split(',').map(|name| name.trim().to_owned()).filter(|name| !name.is_empty()).collect(),
        _ => DEFAULT_PRIORITY.map(str::to_owned).to_vec(),
    }
}

/// Pins one backend: it is probed now and used by every later call.
pub fn pin(name: &str) -> Result<(), String> {
    let selected = probe(name).map(Arc::new)?;
    let mut state = state();
    state.priority = Some(vec![name.to_owned()]);
    state.detected = Some(Ok(selected));
    Ok(())
}

/// Uses `backend` under `name` for every later call, without probing; for
/// embedders with a backend of their own and for tests on a mock.
pub fn install(name: &str, backend: Arc<dyn Backend>) {
    let selected = Selected { name: name.to_owned(), version: None, backend, cli: None };
    let mut state = state();
    state.priority = Some(vec![name.to_owned()]);
    state.detected = Some(Ok(Arc::new(selected)));
}

/// Sets the names detection tries; the next call detects again.
pub fn set_priority(names: Vec<String>) -> Result<(), String> {
    if names.is_empty() {
        return Err("the list of backend names is empty".to_owned());
    }
    if let Some(unknown) = names.iter().find(|name| grammar(name).is_none()) {
        return Err(unknown_backend(unknown));
    }
    let mut state = state();
    state.priority = Some(names);
    state.detected = None;
    Ok(())
}

/// Lists every backend of the priority list that responds, in priority order.
pub fn available() -> Vec<Arc<Selected>> {
    priority().iter().filter_map(|name| probe(name).ok()).map(Arc::new).collect()
}

fn detect(priority: &[String]) -> Result<Arc<Selected>, String> {
    let mut failures = Vec::new();
    for name in priority {
        match probe(name) {
            Ok(selected) => {
                tracing::debug!(runtime = %name, "container runtime detected");
                return Ok(Arc::new(selected));
            }
            Err(reason) => failures.push(format!("{name}: {reason}")),
        }
    }
    Err(format!("no container runtime is available (tried {}): {}", priority.join(", "), failures.join("; ")))
}

fn grammar(name: &str) -> Option<Grammar> {
    match name {
        "podman" => Some(Grammar::Podman),
        "docker" => Some(Grammar::Docker),
        _ => None,
    }
}

fn unknown_backend(name: &str) -> String {
    format!("backend `{name}` is not supported yet; use `podman` or `docker`")
}

/// Isolation between containers of the CLI runtimes on this platform.
fn isolation() -> &'static str {
    if cfg!(target_os = "linux") { "sharedKernel" } else { "sharedVm" }
}

/// Finds `name` on PATH and checks that its engine responds.
fn probe(name: &str) -> Result<Selected, String> {
    let grammar = grammar(name).ok_or_else(|| unknown_backend(name))?;
    let program = find_on_path(name).ok_or_else(|| "not found on PATH".to_owned())?;
    // `docker version` fails without a reachable daemon; `podman version`
    // needs none but fails when its storage is broken.
    let args: &[&str] = match grammar {
        Grammar::Podman => &["version", "--format", "{{.Client.Version}}"],
        Grammar::Docker => &["version", "--format", "{{.Server.Version}}"],
        Grammar::AppleContainer => &["system", "status"],
    };
    let command = format!("{} {}", program.display(), args.join(" "));
    let stdout = run_with_timeout(&program, args).map_err(|reason| format!("`{command}` {reason}"))?;
    let version = stdout.trim().to_owned();
    Ok(Selected {
        name: name.to_owned(),
        version: (!version.is_empty()).then_some(version),
        backend: Arc::new(CliBackend::new(program.clone(), grammar)),
        cli: Some((program, grammar)),
    })
}

fn run_with_timeout(program: &Path, args: &[&str]) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("could not start: {error}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < PROBE_TIMEOUT => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {} s", PROBE_TIMEOUT.as_secs()));
            }
            Err(error) => return Err(format!("could not be waited for: {error}")),
        }
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut stdout);
    }
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    if !status.success() {
        let first = stderr.lines().find(|line| !line.trim().is_empty()).unwrap_or("no error output");
        return Err(format!("failed: {}", first.trim()));
    }
    Ok(stdout)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0))
}
