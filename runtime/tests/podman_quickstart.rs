//! The quickstart stack on a real podman: up, ps, logs, exec, down.

mod support;

use std::time::{Duration, Instant};

use perry_stack::{DownOptions, UpOptions};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_up_exec_down() {
    require_podman();
    let name = unique_project("quickstart");
    let _cleanup = Cleanup(name.clone());
    let engine = engine();

    let began = Instant::now();
    let report = engine.up(&quickstart(&name), &UpOptions::default()).await.unwrap();
    let up_time = began.elapsed();
    let services: Vec<&str> = report.services.iter().map(|service| service.service.as_str()).collect();
    assert_eq!(services, ["db", "init", "web"]);

    // web reaches db by its service name, and db serves the file init wrote.
    let argv: Vec<String> = ["nc", "-w", "2", "db", "5432"].iter().map(|word| word.to_string()).collect();
    let output = engine.exec(&name, "web", &argv).await.unwrap();
    assert_eq!(output.exit_code, 0, "stderr: {}", output.stderr);
    assert_eq!(output.stdout.trim(), "initialized");

    let ps = engine.ps(&name).await.unwrap();
    let rows: Vec<(&str, &str, Option<i64>)> = ps.iter().map(|row| (row.service.as_str(), row.status.as_str(), row.exit_code)).collect();
    assert_eq!(rows, [("db", "running", None), ("init", "exited", Some(0)), ("web", "running", None)]);
    let web = &ps[2];
    assert_eq!(web.name, format!("{name}-web-1"));
    assert_eq!(web.ports.len(), 1);
    assert_eq!(web.ports[0].container_port, 8080);
    assert_eq!(web.ports[0].host_ip, "127.0.0.1");
    assert_ne!(web.ports[0].host_port, 0);

    let failing: Vec<String> = ["sh", "-c", "echo oops >&2; exit 7"].iter().map(|word| word.to_string()).collect();
    let output = engine.exec(&name, "web", &failing).await.unwrap();
    assert_eq!(output.exit_code, 7);
    assert_eq!(output.stderr.trim(), "oops");

    let logs = engine.logs(&name, Some("init"), Some(10)).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].container, format!("{name}-init-1"));

    // A second up keeps the unchanged containers.
    let again = engine.up(&quickstart(&name), &UpOptions::default()).await.unwrap();
    assert!(again.services.iter().filter(|service| service.service != "init").all(|service| service.reused), "{again:?}");

    let began = Instant::now();
    let down = engine.down(&name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    let down_time = began.elapsed();
    assert_eq!(down.containers, [format!("{name}-web-1"), format!("{name}-db-1"), format!("{name}-init-1")]);
    assert_eq!(down.volumes, [format!("{name}_data")]);
    assert_eq!(leftovers(&name), Vec::<String>::new());
    eprintln!("quickstart up {up_time:?}, down {down_time:?}");
}
