//! Bind mounts on a real podman: a missing host folder is created when the
//! mount requests it, as docker compose does for the short syntax.

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
    engine().down(&name, &DownOptions { timeout: Duration::ZERO, ..DownOptions::default() }).await.unwrap();
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
