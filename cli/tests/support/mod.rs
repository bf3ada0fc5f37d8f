//! Shared helpers of the command-line tests that run containers: a unique
//! project with its own folder, a guard that removes both, and a listing of
//! what a project left in podman.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

pub const IMAGE: &str = "localhost/perry-busybox:latest";

/// Removes the project's containers, networks and volumes, also on panic,
/// and the folder of its files.
pub struct Guard {
    pub project: String,
    pub dir: PathBuf,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let filter = format!("label=com.docker.compose.project={}", self.project);
        for (list, remove) in [
            (&["ps", "-a", "-q"][..], &["rm", "-f", "-t", "0"][..]),
            (&["network", "ls", "-q"], &["network", "rm", "-f"]),
            (&["volume", "ls", "-q"], &["volume", "rm", "-f"]),
        ] {
            let Ok(output) = Command::new("podman").args(list).args(["--filter", &filter]).output() else { continue };
            for id in String::from_utf8_lossy(&output.stdout).split_whitespace() {
                let _ = Command::new("podman").args(remove).arg(id).output();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates a project name unique to this run, `PREFIX-PID-NANOS`, and an
/// empty folder of that name, with the guard that removes both.
pub fn unique_project(prefix: &str) -> (String, PathBuf, Guard) {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let project = format!("{prefix}-{}-{nanos}", std::process::id());
    let dir = std::env::temp_dir().join(&project);
    std::fs::create_dir_all(&dir).unwrap();
    let guard = Guard { project: project.clone(), dir: dir.clone() };
    (project, dir, guard)
}

/// Lists the names of the containers, networks and volumes labelled with
/// `project`, one per line.
pub fn leftovers(project: &str) -> String {
    let filter = format!("label=com.docker.compose.project={project}");
    let mut names = String::new();
    for list in [&["ps", "-a", "--format", "{{.Names}}"][..], &["network", "ls", "--format", "{{.Name}}"], &["volume", "ls", "--format", "{{.Name}}"]] {
        let output = Command::new("podman").args(list).args(["--filter", &filter]).output().expect("podman runs");
        names.push_str(&String::from_utf8_lossy(&output.stdout));
    }
    names
}

/// Sends `name` (`-INT`, `-TERM`) to `pid` with the `kill` command.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").args([name, &pid.to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill {name} {pid} failed");
}

/// The lines a child process prints, read on a thread so that a line that
/// never comes fails the test instead of hanging it.
pub struct Lines(std::sync::mpsc::Receiver<String>);

impl Lines {
    pub fn new(output: impl std::io::Read + Send + 'static) -> Lines {
        use std::io::BufRead;
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(output).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Lines(receiver)
    }

    /// Returns the next line, or `None` when the output ends or none comes
    /// within `wait`.
    pub fn next_within(&self, wait: std::time::Duration) -> Option<String> {
        self.0.recv_timeout(wait).ok()
    }

    /// Returns every line until the output ends, waiting at most `wait` in all.
    pub fn rest_within(&self, wait: std::time::Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + wait;
        let mut lines = Vec::new();
        while let Ok(line) = self.0.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
            lines.push(line);
        }
        lines
    }
}

/// A `podman system service` on a socket of its own, killed (by its own
/// pid) when dropped, for running the command on the Engine API backend.
pub struct ApiService {
    child: std::process::Child,
    pub socket: PathBuf,
}

impl ApiService {
    /// Starts the service and waits until it accepts connections.
    pub fn start(name: &str) -> ApiService {
        let socket = std::env::temp_dir().join(format!("{name}.sock"));
        let child = Command::new("podman")
            .args(["system", "service", "--time=0", &format!("unix://{}", socket.display())])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("podman system service starts");
        let service = ApiService { child, socket };
        let began = std::time::Instant::now();
        while std::os::unix::net::UnixStream::connect(&service.socket).is_err() {
            assert!(began.elapsed() < std::time::Duration::from_secs(20), "podman system service did not open {}", service.socket.display());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        service
    }
}

impl Drop for ApiService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}
