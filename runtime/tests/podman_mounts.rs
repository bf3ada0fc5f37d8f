//! Mounts on a real podman: a missing host folder is created when a bind
//! mount requests it, as docker compose does for the short syntax, and
//! `down -v` removes anonymous volumes.

mod support;

use std::time::Duration;

use perry_stack::schema::{Mount, MountKind};
use perry_stack::testing::*;
use perry_stack::{DownOptions, UpOptions};
use support::*;

fn bind(source: &std::path::Path, target: &str, create_host_path: bool) -> Mount {
    Mount {
        span: Default::default(),
        kind: MountKind::Bind,
        source: Some(source.display().to_string()),
        target: target.to_string(),
        read_only: false,
        create_host_path,
        unsupported: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_host_folder_is_created() {
    require_podman();
    let name = unique_project("bindmake");
    let _cleanup = Cleanup(name.clone());
    let folder = std::env::temp_dir().join(&name);
    let requested = folder.join("made/deeper");

    let mut app = service("app", IMAGE, &["sh", "-c", "echo hi > /data/file; sleep 60"]);
    app.volumes.push(bind(&requested, "/data", true));
    let report = engine().up(&project(&name, vec![app]), &UpOptions::default()).await;
    let created = requested.is_dir();
    engine().down(&name, &DownOptions { timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    let _ = std::fs::remove_dir_all(&folder);

    report.unwrap();
    assert!(created, "{} was not created", requested.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_host_folder_without_flag_fails() {
    require_podman();
    let name = unique_project("bindmiss");
    let _cleanup = Cleanup(name.clone());
    let missing = std::env::temp_dir().join(&name).join("absent");

    let mut app = service("app", IMAGE, &["sleep", "60"]);
    app.volumes.push(bind(&missing, "/data", false));
    let error = engine().up(&project(&name, vec![app]), &UpOptions::default()).await.unwrap_err();

    assert!(!missing.exists(), "a long-syntax bind mount without create_host_path creates nothing");
    assert!(error.to_string().contains(&format!("container {name}-app-1")), "{error}");
    assert_eq!(leftovers(&name), Vec::<String>::new(), "the rollback removed what up created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_with_volumes_removes_anonymous_volumes() {
    require_podman();
    // Both ways down removes: at once (no grace period) and after a stop.
    for (suffix, timeout) in [("now", Duration::ZERO), ("stop", Duration::from_secs(1))] {
        let name = unique_project(&format!("anonvol{suffix}"));
        let _cleanup = Cleanup(name.clone());
        let mut app = service("app", IMAGE, &["sleep", "60"]);
        app.volumes.push(Mount {
            span: Default::default(),
            kind: MountKind::Volume,
            source: None,
            target: "/cache".to_string(),
            read_only: false,
            create_host_path: false,
            unsupported: Default::default(),
        });
        let report = engine().up(&project(&name, vec![app]), &UpOptions::default()).await.unwrap();
        let inspect = std::process::Command::new("podman")
            .args(["container", "inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", &report.services[0].container_id])
            .output()
            .unwrap();
        let volume = String::from_utf8_lossy(&inspect.stdout).trim().to_string();
        assert!(!volume.is_empty(), "{suffix}: the container has an anonymous volume");

        engine().down(&name, &DownOptions { volumes: true, timeout: Some(timeout), ..DownOptions::default() }).await.unwrap();

        let exists = std::process::Command::new("podman").args(["volume", "exists", &volume]).status().unwrap();
        if exists.success() {
            let _ = std::process::Command::new("podman").args(["volume", "rm", "-f", &volume]).output();
        }
        assert!(!exists.success(), "{suffix}: anonymous volume {volume} is left");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreate_keeps_anonymous_volume_data() {
    require_podman();
    let name = unique_project("anonkeep");
    let _cleanup = Cleanup(name.clone());
    let with_command = |command: &[&str]| {
        let mut app = service("app", IMAGE, command);
        app.volumes.push(Mount {
            span: Default::default(),
            kind: MountKind::Volume,
            source: None,
            target: "/cache".to_string(),
            read_only: false,
            create_host_path: false,
            unsupported: Default::default(),
        });
        project(&name, vec![app])
    };
    let sh = |script: &str| ["sh".to_string(), "-c".to_string(), script.to_string()];
    engine().up(&with_command(&["sleep", "60"]), &UpOptions::default()).await.unwrap();
    engine().exec(&name, "app", &sh("echo kept > /cache/file")).await.unwrap();

    let recreated = engine().up(&with_command(&["sleep", "61"]), &UpOptions::default()).await.unwrap();
    let read = engine().exec(&name, "app", &sh("cat /cache/file")).await.unwrap();
    let volume = std::process::Command::new("podman")
        .args(["container", "inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", &recreated.services[0].container_id])
        .output()
        .unwrap();
    let volume = String::from_utf8_lossy(&volume.stdout).trim().to_string();
    engine().down(&name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    let exists = std::process::Command::new("podman").args(["volume", "exists", &volume]).status().unwrap();
    if exists.success() {
        let _ = std::process::Command::new("podman").args(["volume", "rm", "-f", &volume]).output();
    }

    assert!(recreated.services[0].recreated, "{:?}", recreated.services);
    assert_eq!(read.stdout, "kept\n", "the replacement mounts the same anonymous volume: {read:?}");
    assert!(!exists.success(), "down -v removed the volume {volume}");
}
