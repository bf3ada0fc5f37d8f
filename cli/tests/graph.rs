//! `perry-stack graph` on a real podman.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;
use support::{leftovers, signal, unique_project, Guard, IMAGE};

/// Creates a unique project whose graph file has a `web` that waits for
/// `db`, which never becomes healthy, so `graph up` is still running when a
/// test signals it. Returns the project, the file and the guard.
fn slow_graph(prefix: &str) -> (String, PathBuf, Guard) {
    let (project, dir, guard) = unique_project(prefix);
    let file = dir.join("graph.yaml");
    std::fs::write(
        &file,
        format!(
            "name: {project}\nnodes:\n  db:\n    image: {IMAGE}\n    command: [sleep, '3600']\n    healthcheck:\n      test: [sh, -c, 'false']\n      intervalMs: 500\n      retries: 1000\n  web:\n    image: {IMAGE}\n    command: [sleep, '3600']\n    references:\n      DB: {{ip: db}}\n"
        ),
    )
    .unwrap();
    (project, file, guard)
}

/// Starts `graph FILE up`, waits until the `db` node's container exists,
/// then sends the signal `name` (`-INT`, `-TERM`) and returns the exit status and
/// standard error.
fn signal_during_up(project: &str, file: &PathBuf, name: &str) -> (std::process::ExitStatus, String) {
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
    signal(child.id(), name);
    let output = child.wait_with_output().expect("perry-stack exits");
    (output.status, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn graph_up_ctrl_c_removes_the_run() {
    let (project, file, _guard) = slow_graph("perrygraph-int");

    let (status, stderr) = signal_during_up(&project, &file, "-INT");

    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("interrupted; stopping"), "{stderr}");
    assert!(stderr.contains(&format!("graph up was interrupted; the containers and network of project {project} were removed")), "{stderr}");
    assert_eq!(leftovers(&project), "");
}

#[test]
fn graph_up_sigterm_removes_the_run() {
    let (project, file, _guard) = slow_graph("perrygraph-term");

    let (status, stderr) = signal_during_up(&project, &file, "-TERM");

    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains(&format!("graph up was interrupted; the containers and network of project {project} were removed")), "{stderr}");
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

#[test]
fn graph_project_option_is_checked() {
    let (project, dir, _guard) = unique_project("perrygraph-badname");
    let file = dir.join("graph.yaml");
    std::fs::write(&file, format!("name: {project}\nnodes:\n  a:\n    image: {IMAGE}\n")).unwrap();

    let output = graph_command(&["-p", "Bad Name", file.to_str().unwrap(), "up"]);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: invalid project name `Bad Name` from the project name option: "), "{stderr}");
    assert!(stderr.contains("; use `badname`"), "{stderr}");
    assert_eq!(leftovers("badname"), "", "nothing was created");
    assert_eq!(leftovers(&project), "");
}

#[test]
fn graph_unknown_node_lists_nodes() {
    let (project, dir, _guard) = unique_project("perrygraph-nonode");
    let file = dir.join("graph.yaml");
    std::fs::write(&file, format!("name: {project}\nnodes:\n  web:\n    image: {IMAGE}\n  db:\n    image: {IMAGE}\n")).unwrap();

    for action in [&["exec", "nope", "true"][..], &["logs", "nope"]] {
        let output = graph_command(&[&[file.to_str().unwrap()][..], action].concat());
        let stderr = String::from_utf8_lossy(&output.stderr);

        assert_eq!(output.status.code(), Some(1), "{action:?}: {stderr}");
        assert!(stderr.contains("error: no node `nope` in the workload graph; nodes of the graph: db, web"), "{action:?}: {stderr}");
    }
}

#[test]
fn graph_exec_passes_input_and_exit_code() {
    let (project, dir, _guard) = unique_project("perrygraph-exec");
    let file = dir.join("graph.yaml");
    std::fs::write(&file, format!("name: {project}\nnodes:\n  web:\n    image: {IMAGE}\n    command: [sleep, '3600']\n")).unwrap();
    let graph = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_perry-stack"));
        command.arg("graph").arg(&file).args(["-p", &project]).args(args).env("PERRY_CONTAINER_BACKEND", "podman");
        command
    };
    assert!(graph(&["up"]).output().unwrap().status.success());

    let mut child = graph(&["exec", "web", "sh", "-c", "cat; exit 3"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"piped\n").unwrap();
    let output = child.wait_with_output().unwrap();

    assert_eq!(String::from_utf8_lossy(&output.stdout), "piped\n");
    assert_eq!(output.status.code(), Some(3));
    assert!(graph(&["down"]).output().unwrap().status.success());
    assert_eq!(leftovers(&project), "");
}
