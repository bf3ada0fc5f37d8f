//! The example workload graph on a real podman: a hardened database, an
//! isolated batch job and a web node that references the database.

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use perry_stack::schema::workload::{self, Graph};
use perry_stack::workload::{GraphEngine, NodeState, RunOptions};
use perry_stack::CliBackend;
use serde_json::Value;
use support::*;

fn pipeline() -> Graph {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/workloads/pipeline.yaml");
    let source = std::fs::read_to_string(&path).expect("the example graph is readable");
    workload::load(&source, &path).unwrap_or_else(|errors| panic!("{}", errors.render(&source, false)))
}

fn graph_engine() -> GraphEngine {
    GraphEngine::new(Arc::new(CliBackend::podman().with_timeout(Duration::from_secs(60))))
}

fn inspect(container: &str) -> Value {
    let output = Command::new("podman").args(["container", "inspect", container]).output().expect("podman runs");
    assert!(output.status.success(), "inspect {container}: {}", String::from_utf8_lossy(&output.stderr));
    let records: Value = serde_json::from_slice(&output.stdout).expect("inspect prints JSON");
    records[0].clone()
}

/// The confinement of one container as podman reports it: read-only root,
/// effective capabilities, security options and network mode.
fn confinement(container: &str) -> (bool, Vec<String>, Vec<String>, String) {
    let record = inspect(container);
    let strings = |value: &Value| -> Vec<String> { value.as_array().map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect()).unwrap_or_default() };
    (
        record["HostConfig"]["ReadonlyRootfs"].as_bool().unwrap_or(false),
        strings(&record["EffectiveCaps"]),
        strings(&record["HostConfig"]["SecurityOpt"]),
        record["HostConfig"]["NetworkMode"].as_str().unwrap_or_default().to_owned(),
    )
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| word.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_node_graph_applies_tiers() {
    require_podman();
    let project = unique_project("workloads");
    let _cleanup = Cleanup(project.clone());
    let engine = graph_engine();
    let graph = pipeline();

    let options = RunOptions { project: Some(project.clone()), allow_untrusted_shared_kernel: Some(false), ..RunOptions::default() };
    let report = engine.run(&graph, &options).await.unwrap();
    assert_eq!(report.nodes["db"].state, NodeState::Healthy);
    assert_eq!(report.nodes["web"].state, NodeState::Running);
    let position = |node: &str| report.started.iter().position(|started| started == node).unwrap();
    assert!(position("db") < position("web"), "{:?}", report.started);

    // The reference reached web's environment and leads to the database.
    let printed = engine.exec(&project, "web", &argv(&["sh", "-c", "echo $DATABASE_ADDR"]), &Default::default()).await.unwrap();
    assert_eq!(printed.stdout.trim(), format!("{project}-db-1:5432"));
    let reply = engine.exec(&project, "web", &argv(&["sh", "-c", "nc -w 2 ${DATABASE_ADDR%:*} ${DATABASE_ADDR##*:}"]), &Default::default()).await.unwrap();
    assert_eq!(reply.stdout.trim(), "pong", "stderr: {}", reply.stderr);

    // Each container carries exactly its tier's options.
    let (read_only, caps, security, network) = confinement(&format!("{project}-db-1"));
    assert!(read_only, "db has a read-only root");
    assert!(caps.is_empty(), "db keeps no capabilities: {caps:?}");
    assert_eq!(security, ["no-new-privileges"]);
    assert_ne!(network, "none");
    let seccomp = engine.exec(&project, "db", &argv(&["grep", "Seccomp:", "/proc/1/status"]), &Default::default()).await.unwrap();
    assert_eq!(seccomp.stdout.split_whitespace().collect::<Vec<_>>(), ["Seccomp:", "2"], "db runs under a seccomp filter");
    let denied = engine.exec(&project, "db", &argv(&["touch", "/etc/x"]), &Default::default()).await.unwrap();
    assert_ne!(denied.exit_code, 0, "the root filesystem of db is writable");

    let (read_only, caps, security, network) = confinement(&format!("{project}-batch-1"));
    assert!(!read_only, "batch has a writable root");
    assert!(security.is_empty(), "batch has no extra security options: {security:?}");
    assert_eq!(network, "none");
    assert!(!caps.is_empty(), "isolated keeps the default capabilities");

    let (read_only, caps, security, network) = confinement(&format!("{project}-web-1"));
    assert!(!read_only, "web has a writable root");
    assert!(security.is_empty(), "web has no extra security options: {security:?}");
    assert!(!caps.is_empty(), "web keeps the default capabilities");
    assert_ne!(network, "none");

    // The batch job exits by itself; status reports its code.
    let mut status = engine.status(&graph, &project).await.unwrap();
    for _ in 0..50 {
        if status["batch"].state != NodeState::Running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = engine.status(&graph, &project).await.unwrap();
    }
    assert_eq!(status["batch"].state, NodeState::Exited(0));
    assert_eq!(status["db"].state, NodeState::Healthy);
    assert_eq!(status["web"].state, NodeState::Running);
    let logs = engine.logs(&project, "batch", None).await.unwrap();
    assert_eq!(logs.stdout.trim(), "batch done");

    engine.down(&project, Duration::ZERO).await.unwrap();
    assert_eq!(leftovers(&project), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_shared_kernel_needs_opt_in() {
    require_podman();
    let project = unique_project("untrusted");
    let _cleanup = Cleanup(project.clone());
    let engine = graph_engine();
    let source = format!("name: u\nnodes:\n  plugin:\n    image: {IMAGE}\n    command: [sleep, \"3600\"]\n    tier: untrusted\n");
    let graph = workload::load(&source, std::path::Path::new("u.yaml")).unwrap();

    let without_opt_in = RunOptions { project: Some(project.clone()), allow_untrusted_shared_kernel: Some(false), ..RunOptions::default() };
    let error = engine.run(&graph, &without_opt_in).await.unwrap_err().to_string();
    assert!(error.contains("tier `untrusted` needs a VM per container, but `podman` shares the host kernel"), "{error}");
    assert_eq!(leftovers(&project), Vec::<String>::new(), "nothing starts without the opt-in");

    let allowed = RunOptions { allow_untrusted_shared_kernel: Some(true), ..without_opt_in };
    let report = engine.run(&graph, &allowed).await.unwrap();
    assert!(report.nodes["plugin"].note.as_deref().unwrap_or_default().contains("PERRY_ALLOW_UNTRUSTED_SHARED_KERNEL=1"));
    let (read_only, caps, security, network) = confinement(&format!("{project}-plugin-1"));
    assert!(read_only, "plugin has a read-only root");
    assert!(caps.is_empty(), "plugin keeps no capabilities: {caps:?}");
    assert_eq!(security, ["no-new-privileges"]);
    assert_eq!(network, "none");
    let status = engine.status(&graph, &project).await.unwrap();
    assert!(status["plugin"].note.is_some(), "status says the node runs on a shared kernel");

    engine.down(&project, Duration::ZERO).await.unwrap();
    assert_eq!(leftovers(&project), Vec::<String>::new());
}
