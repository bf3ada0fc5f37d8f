//! Finding a container runtime that answers on this machine.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use super::{CliBackend, Grammar};

/// The environment variable that pins a runtime: `podman` or `docker`.
pub const BACKEND_VARIABLE: &str = "PERRY_CONTAINER_BACKEND";

/// How long a liveness probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no runtime could be used.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("{BACKEND_VARIABLE}={value} is not a supported container runtime; use `podman` or `docker`")]
    UnknownPin { value: String },

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
        })
    }
}

/// Finds a runtime: podman first, then docker, each found on `PATH` and
/// probed for a reachable engine. [`BACKEND_VARIABLE`] pins one of them.
pub async fn detect() -> Result<CliBackend, DetectError> {
    let candidates = match std::env::var(BACKEND_VARIABLE) {
        Ok(value) if value == "podman" => vec![Grammar::Podman],
        Ok(value) if value == "docker" => vec![Grammar::Docker],
        Ok(value) if !value.is_empty() => return Err(DetectError::UnknownPin { value }),
        _ => vec![Grammar::Podman, Grammar::Docker],
    };

    let mut failures = Vec::new();
    for grammar in candidates {
        let name = match grammar {
            Grammar::Podman => "podman",
            Grammar::Docker => "docker",
        };
        match probe(name, grammar).await {
            Ok(program) => {
                tracing::debug!(runtime = name, program = %program.display(), "container runtime detected");
                return Ok(CliBackend::new(program, grammar));
            }
            Err(reason) => {
                tracing::debug!(runtime = name, %reason, "container runtime not usable");
                failures.push((name, reason));
            }
        }
    }
    Err(DetectError::NoneAvailable { failures })
}

/// Checks that `name` is on `PATH` and that its engine answers.
async fn probe(name: &str, grammar: Grammar) -> Result<PathBuf, String> {
    let program = find_on_path(name).ok_or_else(|| "not found on PATH".to_string())?;

    // `docker version` exits non-zero when it cannot reach a daemon;
    // `podman version` needs no daemon but fails when its storage is broken.
    let args: &[&str] = match grammar {
        Grammar::Podman => &["version", "--format", "json"],
        Grammar::Docker => &["version", "--format", "{{.Server.Version}}"],
    };
    let child = Command::new(&program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(PROBE_TIMEOUT, child).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(format!("could not run `{} {}`: {error}", program.display(), args.join(" "))),
        Err(_) => {
            return Err(format!(
                "timed out after {} s running `{} {}`",
                PROBE_TIMEOUT.as_secs(),
                program.display(),
                args.join(" ")
            ));
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_line = stderr.lines().find(|line| !line.trim().is_empty()).unwrap_or("no error output");
        return Err(format!("`{} {}` failed: {}", program.display(), args.join(" "), first_line.trim()));
    }
    Ok(program)
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
