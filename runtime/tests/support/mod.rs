//! Shared helpers of the integration tests: a readiness check of podman
//! that fails loudly, unique project names, a guard that removes a
//! project, and a lock for tests that write and run fake programs.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use perry_stack::schema::Project;
use perry_stack::{CliBackend, Engine};

pub const IMAGE: &str = "localhost/perry-busybox:latest";

/// Fails the test unless podman runs and the test image exists.
pub fn require_podman() {
    let help = "run scripts/setup-podman.sh (as root or with sudo) to install podman and build the test image";
    let version = Command::new("podman").args(["version", "--format", "{{.Client.Version}}"]).output();
    match version {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!("podman does not work: {}; {help}", String::from_utf8_lossy(&output.stderr).trim()),
        Err(error) => panic!("podman is not installed ({error}); {help}"),
    }
    let image = Command::new("podman").args(["image", "exists", IMAGE]).status().expect("podman runs");
    assert!(image.success(), "the image {IMAGE} is missing; {help}");
}

/// Returns a project name that no other test or run uses.
pub fn unique_project(test: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("perrytest-{test}-{}-{nanos}", std::process::id())
}

pub fn engine() -> Engine {
    Engine::new(Arc::new(CliBackend::podman().with_timeout(Duration::from_secs(60))))
}

/// Removes every container, network and volume labelled with the project,
/// also when the test panics.
pub struct Cleanup(pub String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filter = format!("label=com.docker.compose.project={}", self.0);
        for (kind, list) in [("container", ["ps", "-a", "-q"]), ("network", ["network", "ls", "-q"]), ("volume", ["volume", "ls", "-q"])] {
            let Ok(output) = Command::new("podman").args(list).args(["--filter", &filter]).output() else { continue };
            for id in String::from_utf8_lossy(&output.stdout).split_whitespace() {
                let remove: &[&str] = match kind {
                    "container" => &["rm", "-f", "-t", "0"],
                    "network" => &["network", "rm", "-f"],
                    _ => &["volume", "rm", "-f"],
                };
                let _ = Command::new("podman").args(remove).arg(id).output();
            }
        }
    }
}

/// Lists the containers, networks and volumes that carry the project label.
pub fn leftovers(project: &str) -> Vec<String> {
    let filter = format!("label=com.docker.compose.project={project}");
    let mut found = Vec::new();
    for list in [&["ps", "-a", "--format", "{{.Names}}"][..], &["network", "ls", "--format", "{{.Name}}"], &["volume", "ls", "--format", "{{.Name}}"]] {
        let output = Command::new("podman").args(list).args(["--filter", &filter]).output().expect("podman runs");
        assert!(output.status.success(), "podman {list:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        found.extend(String::from_utf8_lossy(&output.stdout).split_whitespace().map(str::to_string));
    }
    found
}

/// The typed module of the quickstart example's compose file.
pub mod quickstart_stack {
    perry_stack::include_stack!("../examples/quickstart/stack.yaml");
}

/// Loads the quickstart example's compose file under the project `name`.
pub fn quickstart(name: &str) -> Project {
    let mut project = quickstart_stack::stack().expect("the quickstart stack loads");
    project.name = Some(name.to_string());
    project
}

/// The API service, killed (by its own pid) when dropped.
pub struct Service {
    pub child: Child,
    pub socket: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// Starts `podman system service` on a fresh socket and waits until it
/// accepts connections.
pub fn serve(test: &str) -> Service {
    let socket = std::env::temp_dir().join(format!("{}.sock", unique_project(test)));
    let child = Command::new("podman")
        .args(["system", "service", "--time=0", &format!("unix://{}", socket.display())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("podman system service starts");
    let service = Service { child, socket };
    let began = Instant::now();
    while std::os::unix::net::UnixStream::connect(&service.socket).is_err() {
        assert!(began.elapsed() < Duration::from_secs(20), "podman system service did not open {}", service.socket.display());
        std::thread::sleep(Duration::from_millis(50));
    }
    service
}

/// Runs tests that write a fake program and then run it one at a time. A
/// process that another test forks meanwhile inherits the open file for a
/// moment, and running the program then fails with "Text file busy".
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
