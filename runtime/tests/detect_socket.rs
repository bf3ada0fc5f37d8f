//! Detection with `PERRY_CONTAINER_MODE` between a daemonless command line
//! (a fake `podman` that answers its probe) and a real Docker Engine API
//! socket served by `podman system service`, which the tests start and stop.

#![cfg(feature = "docker-api")]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use perry_stack::backend::{default_sockets, detect_backend, detect_backend_with, DetectError, DetectOptions, LabelFilter};
use support::{serial, serve, unique_project};

/// A folder with a fake `podman` whose probe passes.
struct FakeCli(PathBuf);

impl FakeCli {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(unique_project(test));
        std::fs::create_dir_all(&dir).unwrap();
        let program = dir.join("podman");
        std::fs::write(&program, "#!/bin/sh\necho '{\"Client\":{\"Version\":\"4.3.1\"}}'\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self(dir)
    }

    fn options(&self, mode: Option<&str>) -> DetectOptions {
        DetectOptions {
            pin: None,
            mode: mode.map(str::to_string),
            path: Some(self.0.clone().into_os_string()),
            home: Some(self.0.clone()),
            os: "linux".to_string(),
            probe_timeout: Duration::from_secs(5),
        }
    }
}

impl Drop for FakeCli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn failures(error: DetectError) -> Vec<(&'static str, String)> {
    match error {
        DetectError::NoneAvailable { failures } => failures,
        other => panic!("expected a list of failures, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_first_prefers_a_live_socket() {
    let _serial = serial();
    let service = serve("sockfirst");
    let cli = FakeCli::new("sockfirst-bin");
    let missing = std::env::temp_dir().join(format!("{}.sock", unique_project("nosock")));
    let sockets = [missing.clone(), service.socket.clone()];

    let server = detect_backend_with(&cli.options(Some("server-first")), &sockets).await.unwrap();
    assert_eq!(server.name(), "docker-api");
    // The chosen backend talks to the live service.
    let filter = LabelFilter::from([("com.docker.compose.project".to_string(), unique_project("none"))]);
    assert!(server.list_containers(&filter).await.unwrap().is_empty());

    let local = detect_backend_with(&cli.options(Some("local-first")), &sockets).await.unwrap();
    assert_eq!(local.name(), "podman");
    let default = detect_backend_with(&cli.options(None), &sockets).await.unwrap();
    assert_eq!(default.name(), "podman", "without a mode the command line comes first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_socket_fails_its_probe() {
    let _serial = serial();
    // A socket file whose listener is gone: it exists but nobody answers.
    let listener_gone = std::env::temp_dir().join(format!("{}.sock", unique_project("deadsock")));
    drop(std::os::unix::net::UnixListener::bind(&listener_gone).unwrap());
    let socket = std::env::temp_dir().join(format!("{}.sock", unique_project("nosock")));
    let empty = FakeCli(std::env::temp_dir().join(unique_project("emptybin")));
    std::fs::create_dir_all(&empty.0).unwrap();

    let result = detect_backend_with(&empty.options(Some("server-first")), &[listener_gone.clone(), socket.clone()]).await;
    let failures = failures(result.err().expect("no backend answers"));
    assert_eq!(failures[0].0, "docker-api");
    assert!(failures[0].1.contains("does not answer"), "{}", failures[0].1);
    assert!(failures[1].1.starts_with("no socket at"), "{}", failures[1].1);
    assert!(failures.iter().any(|(name, reason)| *name == "podman" && reason.contains("not found on PATH")), "{failures:?}");
    let _ = std::fs::remove_file(&listener_gone);
}

/// Reads the mode and `DOCKER_HOST` from the environment, as the engine does.
/// The only test here that sets process variables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mode_variable_selects_the_socket() {
    let _serial = serial();
    let service = serve("sockenv");
    // SAFETY: no other test in this binary reads these variables.
    unsafe {
        std::env::set_var("PERRY_CONTAINER_MODE", "server-first");
        std::env::set_var("DOCKER_HOST", format!("unix://{}", service.socket.display()));
    }
    assert_eq!(default_sockets().first().map(PathBuf::as_path), Some(Path::new(&service.socket)));
    let backend = detect_backend().await.unwrap();
    assert_eq!(backend.name(), "docker-api");
    unsafe {
        std::env::set_var("PERRY_CONTAINER_MODE", "local-first");
    }
    // podman is installed on the machines that run these tests.
    assert_eq!(detect_backend().await.unwrap().name(), "podman");
    unsafe {
        std::env::remove_var("PERRY_CONTAINER_MODE");
        std::env::remove_var("DOCKER_HOST");
    }
}
