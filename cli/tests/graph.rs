//! `perry-stack graph` on a real podman.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const IMAGE: &str = "localhost/perry-busybox:latest";

/// Removes the project's containers and networks, also on panic, and the
/// folder of its files.
struct Guard {
    project: String,
    dir: PathBuf,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let filter = format!("label=com.docker.compose.project={}", self.project);
        for (list, remove) in [(&["ps", "-a", "-q"][..], &["rm", "-f", "-t", "0"][..]), (&["network", "ls", "-q"], &["network", "rm", "-f"])] {
            let Ok(output) = Command::new("podman").args(list).args(["--filter", &filter]).output() else { continue };
            for id in String::from_utf8_lossy(&output.stdout).split_whitespace() {
                let _ = Command::new("podman").args(remove).arg(id).output();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Lists the names of the containers and networks labelled with `project`.
fn leftovers(project: &str) -> String {
    let filter = format!("label=com.docker.compose.project={project}");
    let mut names = String::new();
    for list in [&["ps", "-a", "--format", "{{.Names}}"][..], &["network", "ls", "--format", "{{.Name}}"]] {
        let output = Command::new("podman").args(list).args(["--filter", &filter]).output().expect("podman runs");
        names.push_str(&String::from_utf8_lossy(&output.stdout));
    }
    names
}

/// Writes a graph whose `web` waits for `db`, which never becomes healthy,
/// so `graph up` is still running when a test signals it.
fn slow_graph(project: &str) -> (Guard, PathBuf) {
    let dir = std::env::temp_dir().join(project);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("graph.yaml");
    std::fs::write(
        &file,
        format!(
            "name: {project}\nnodes:\n  db:\n    image: {IMAGE}\n    command: [sleep, '3600']\n    healthcheck:\n      test: [sh, -c, 'false']\n      intervalMs: 500\n      retries: 1000\n  web:\n    image: {IMAGE}\n    command: [sleep, '3600']\n    references:\n      DB: {{ip: db}}\n"
        ),
    )
    .unwrap();
    (Guard { project: project.to_string(), dir }, file)
}

/// Starts `graph FILE up`, waits until the `db` node's container exists,
/// then sends `signal` (`-INT`, `-TERM`) and returns the exit status and
/// standard error.
fn signal_during_up(project: &str, file: &PathBuf, signal: &str) -> (std::process::ExitStatus, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_perry-stack"))
        .arg("graph")
        .arg(file)
        .args(["-p", project, "up"])
        .env("PERRY_CONTAINER_BACKEND", "podman")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("perry-stack starts");
    let began = Instant::now();
    while !leftovers(project).contains(&format!("{project}-db")) {
        assert!(began.elapsed() < Duration::from_secs(30), "db was never created");
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success(), "kill {signal} failed");
    let output = child.wait_with_output().expect("perry-stack exits");
    (output.status, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn graph_up_ctrl_c_removes_the_run() {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let project = format!("perrygraph-int-{}-{nanos}", std::process::id());
    let (_guard, file) = slow_graph(&project);

    let (status, stderr) = signal_during_up(&project, &file, "-INT");

    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("interrupted; stopping"), "{stderr}");
    assert!(stderr.contains(&format!("graph up was interrupted; the containers and network of project {project} were removed")), "{stderr}");
    assert_eq!(leftovers(&project), "");
}

#[test]
fn graph_up_sigterm_removes_the_run() {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let project = format!("perrygraph-term-{}-{nanos}", std::process::id());
    let (_guard, file) = slow_graph(&project);

    let (status, stderr) = signal_during_up(&project, &file, "-TERM");

    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("graph up was interrupted"), "{stderr}");
    assert_eq!(leftovers(&project), "");
}

fn graph_command(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_perry-stack")).arg("graph").args(args).output().expect("perry-stack runs")
}

#[test]
fn graph_exec_help_describes_arguments() {
    let output = graph_command(&["any.yaml", "exec", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "{help}");
    assert!(help.contains("The node whose container runs the command"), "{help}");
    assert!(help.contains("The command and its arguments, passed without a shell"), "{help}");
}

#[test]
fn graph_format_with_action_is_rejected() {
    let output = graph_command(&["any.yaml", "--format", "dot", "status"]);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--format dot applies only when no action is given, but the action is `status`"), "{stderr}");
}
