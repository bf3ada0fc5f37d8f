//! Runtime detection against fake executables: liveness probes, pins,
//! modes, timeouts and the reasons reported for each candidate.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use perry_stack::backend::{detect_with, DetectError, DetectOptions};
use perry_stack::Backend;

mod support;
use support::serial;

/// A folder of fake executables; each is a shell script body.
struct Bin(PathBuf);

impl Bin {
    fn new(test: &str, programs: &[(&str, &str)]) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("perry-detect-{test}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in programs {
            let path = dir.join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Self(dir)
    }

    fn options(&self, os: &str) -> DetectOptions {
        DetectOptions {
            pin: None,
            mode: None,
            path: Some(self.0.clone().into_os_string()),
            home: Some(self.0.clone()),
            os: os.to_string(),
            probe_timeout: Duration::from_secs(5),
        }
    }
}

impl Drop for Bin {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const WORKS: &str = "echo 1.0";
const NO_DAEMON: &str = "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' >&2; exit 1";

fn reasons(error: DetectError) -> Vec<(&'static str, String)> {
    match error {
        DetectError::NoneAvailable { failures } => failures,
        other => panic!("expected a list of failures, got {other}"),
    }
}

#[tokio::test]
async fn binary_without_engine_is_skipped() {
    let _serial = serial();
    let bin = Bin::new("skip", &[("podman", "echo 'cannot open storage' >&2; exit 125"), ("docker", WORKS)]);
    let backend = detect_with(&bin.options("linux")).await.unwrap();
    assert_eq!(backend.name(), "docker");
}

#[tokio::test]
async fn every_failure_is_reported_in_order() {
    let _serial = serial();
    let bin = Bin::new("none", &[("podman", "exit 3"), ("docker", NO_DAEMON)]);
    let failures = reasons(detect_with(&bin.options("linux")).await.unwrap_err());
    let names: Vec<&str> = failures.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["podman", "nerdctl", "docker", "rancher-desktop", "colima", "lima"]);
    assert!(failures[0].1.contains("failed"), "{}", failures[0].1);
    assert_eq!(failures[1].1, "`nerdctl` not found on PATH");
    assert!(failures[2].1.contains("Cannot connect to the Docker daemon"), "{}", failures[2].1);
}

#[tokio::test]
async fn pinned_list_keeps_its_order() {
    let _serial = serial();
    let bin = Bin::new("pin", &[("podman", WORKS), ("docker", WORKS), ("nerdctl", WORKS)]);
    let options = DetectOptions { pin: Some("nerdctl, docker".to_string()), ..bin.options("linux") };
    assert_eq!(detect_with(&options).await.unwrap().name(), "nerdctl");

    let options = DetectOptions { pin: Some("podman,kubernetes".to_string()), ..bin.options("linux") };
    let error = detect_with(&options).await.unwrap_err();
    assert!(matches!(error, DetectError::UnknownPin { .. }), "{error}");
    assert!(error.to_string().contains("apple/container, orbstack"), "{error}");
}

#[tokio::test]
async fn mode_orders_local_and_server_runtimes() {
    let _serial = serial();
    let bin = Bin::new("mode", &[("podman", WORKS), ("docker", WORKS)]);
    let server = DetectOptions { mode: Some("server-first".to_string()), ..bin.options("linux") };
    assert_eq!(detect_with(&server).await.unwrap().name(), "docker");
    let local = DetectOptions { mode: Some("local-first".to_string()), ..bin.options("linux") };
    assert_eq!(detect_with(&local).await.unwrap().name(), "podman");
    let wrong = DetectOptions { mode: Some("fastest".to_string()), ..bin.options("linux") };
    assert!(matches!(detect_with(&wrong).await.unwrap_err(), DetectError::UnknownMode { .. }));
}

#[tokio::test]
async fn probe_times_out() {
    let _serial = serial();
    let bin = Bin::new("slow", &[("podman", "sleep 30"), ("docker", WORKS)]);
    let options = DetectOptions { pin: Some("podman".to_string()), probe_timeout: Duration::from_millis(300), ..bin.options("linux") };
    let failures = reasons(detect_with(&options).await.unwrap_err());
    assert!(failures[0].1.starts_with("timed out after 0.3 s"), "{}", failures[0].1);
}

#[tokio::test]
async fn macos_order_and_vm_runtimes() {
    let _serial = serial();
    // colima runs; orbstack is installed but stopped; apple/container is missing.
    let bin = Bin::new("mac", &[
        ("orb", "echo Stopped"),
        ("colima", "echo 'colima is running' >&2"),
        ("docker", r#"[ -n "$DOCKER_HOST" ] && echo 24.0.7"#),
        ("limactl", r#"echo '{"name":"default","status":"Running"}'"#),
    ]);
    let options = bin.options("macos");
    let backend = detect_with(&options).await.unwrap();
    assert_eq!(backend.name(), "colima");

    let lima = DetectOptions { pin: Some("lima".to_string()), ..bin.options("macos") };
    assert_eq!(detect_with(&lima).await.unwrap().name(), "lima");

    let apple = DetectOptions { pin: Some("apple/container,orbstack".to_string()), ..bin.options("macos") };
    let failures = reasons(detect_with(&apple).await.unwrap_err());
    assert_eq!(failures[0], ("apple/container", "`container` not found on PATH".to_string()));
    assert!(failures[1].1.contains("not running"), "{}", failures[1].1);
}

#[tokio::test]
async fn apple_container_when_its_service_runs() {
    let _serial = serial();
    let running = Bin::new("apple", &[("container", r#"[ "$1 $2" = "system status" ] && echo 'apiserver is running'"#)]);
    let backend = detect_with(&running.options("macos")).await.unwrap();
    assert_eq!(backend.name(), "apple/container");

    let stopped = Bin::new("apple-stopped", &[("container", "echo 'apiserver is not running and not registered with launchd' >&2; exit 1")]);
    let options = DetectOptions { pin: Some("apple/container".to_string()), ..stopped.options("macos") };
    let failures = reasons(detect_with(&options).await.unwrap_err());
    assert!(failures[0].1.contains("apiserver is not running"), "{}", failures[0].1);
}
