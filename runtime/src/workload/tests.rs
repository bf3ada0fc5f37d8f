//! The graph engine on the mock backend.

use std::sync::Arc;
use std::time::Duration;

use perry_stack_schema::workload::{self, Execution, FailureStrategy, Graph};

use super::*;
use crate::backend::mock::Call;
use crate::backend::{ConfinementOption, ExecOutput, Fault, MockBackend, Operation};

fn graph(yaml: &str) -> Graph {
    workload::load(yaml, std::path::Path::new("graph.yaml")).unwrap_or_else(|errors| panic!("{}", errors.render(yaml, false)))
}

const PIPELINE: &str = "\
name: pipe
nodes:
  db:
    image: busybox
    tier: hardened
    ports: {pg: 5432}
  batch:
    image: busybox
    tier: isolated
  web:
    image: busybox
    references:
      DATABASE_ADDR: {endpoint: db, port: pg}
      DATABASE_URL: {internalUrl: db, port: pg}
      DATABASE_IP: {ip: db}
";

async fn run(mock: Arc<MockBackend>, graph: &Graph, options: RunOptions) -> Result<GraphReport, GraphError> {
    GraphEngine::new(mock).run(graph, &options).await
}

fn created(mock: &MockBackend) -> Vec<String> {
    mock.calls().into_iter().filter(|call| call.operation == Operation::CreateContainer).map(|call| call.target).collect()
}

#[tokio::test]
async fn references_reach_dependent_environment() {
    let mock = Arc::new(MockBackend::new());
    let report = run(mock.clone(), &graph(PIPELINE), RunOptions::default()).await.unwrap();
    let env = mock.spec("pipe-web-1").unwrap().env;
    assert_eq!(env["DATABASE_ADDR"], "pipe-db-1:5432");
    assert_eq!(env["DATABASE_URL"], "http://pipe-db-1:5432");
    assert!(env["DATABASE_IP"].starts_with("10.89."), "{env:?}");
    assert_eq!(report.nodes["web"].state, NodeState::Running);
    let order = created(&mock);
    let position = |name: &str| order.iter().position(|created| created == name).unwrap();
    assert!(position("pipe-db-1") < position("pipe-web-1"), "{order:?}");
}

#[tokio::test]
async fn tiers_become_concrete_options() {
    let mock = Arc::new(MockBackend::new());
    run(mock.clone(), &graph(PIPELINE), RunOptions::default()).await.unwrap();
    let db = mock.spec("pipe-db-1").unwrap();
    assert!(db.confinement.read_only_rootfs);
    assert!(db.confinement.drop_all_capabilities);
    assert!(db.confinement.no_new_privileges);
    assert!(!db.confinement.no_network);
    assert!(db.mounts.iter().any(|mount| mount.target == "/tmp"), "a read-only root gets a writable /tmp");
    let batch = mock.spec("pipe-batch-1").unwrap();
    assert!(batch.confinement.no_network);
    assert!(batch.networks.is_empty());
    assert!(!batch.confinement.read_only_rootfs);
    let web = mock.spec("pipe-web-1").unwrap();
    assert_eq!(web.confinement, crate::backend::Confinement::default());
    assert_eq!(web.networks[0].network, "pipe_default");
}

#[tokio::test]
async fn dependent_waits_for_healthy_target() {
    let yaml = PIPELINE.replace("    ports: {pg: 5432}\n", "    ports: {pg: 5432}\n    healthcheck: {test: [check], intervalMs: 10}\n");
    let unhealthy = ExecOutput { exit_code: 1, ..ExecOutput::default() };
    let healthy = ExecOutput { exit_code: 0, ..ExecOutput::default() };
    let mock = Arc::new(MockBackend::new().with_fault(Operation::Exec, Some("pipe-db-1"), Fault::ExecOutputs(vec![unhealthy.clone(), unhealthy, healthy])));
    let report = run(mock.clone(), &graph(&yaml), RunOptions::default()).await.unwrap();
    assert_eq!(report.nodes["db"].state, NodeState::Healthy);
    let calls = mock.calls();
    let last_check = calls.iter().rposition(|call| call.operation == Operation::Exec && call.target == "pipe-db-1").unwrap();
    let web_created = calls.iter().position(|call| call.operation == Operation::CreateContainer && call.target == "pipe-web-1").unwrap();
    assert!(last_check < web_created, "web was created before db was healthy: {calls:?}");
    assert_eq!(calls.iter().filter(|call| call.operation == Operation::Exec).count(), 3);
}

#[tokio::test]
async fn untrusted_shared_kernel_needs_opt_in() {
    let yaml = "name: u\nnodes:\n  plugin:\n    image: busybox\n    tier: untrusted\n";
    let mock = Arc::new(MockBackend::new());
    let options = RunOptions { allow_untrusted_shared_kernel: Some(false), ..RunOptions::default() };
    let error = run(mock.clone(), &graph(yaml), options).await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("node `plugin` is rejected: tier `untrusted` needs a VM per container"), "{text}");
    assert!(text.contains(ALLOW_SHARED_KERNEL_VARIABLE), "{text}");
    assert!(mock.calls().is_empty(), "nothing may start: {:?}", mock.calls());

    let options = RunOptions { allow_untrusted_shared_kernel: Some(true), ..RunOptions::default() };
    let report = run(mock.clone(), &graph(yaml), options).await.unwrap();
    assert!(report.nodes["plugin"].note.as_deref().unwrap().contains("shared kernel"));
    let spec = mock.spec("u-plugin-1").unwrap();
    assert!(spec.confinement.read_only_rootfs);
    assert!(spec.confinement.no_network);
    let status = GraphEngine::new(mock.clone()).status(&graph(yaml), "u").await.unwrap();
    assert!(status["plugin"].note.as_deref().unwrap().contains(ALLOW_SHARED_KERNEL_VARIABLE));
}

#[tokio::test]
async fn unenforced_option_fails_before_start() {
    let mock = Arc::new(MockBackend::new().without_enforcing(ConfinementOption::ReadOnlyRootfs));
    let error = run(mock.clone(), &graph(PIPELINE), RunOptions::default()).await.unwrap_err();
    assert_eq!(error.to_string(), "node `db` is rejected: the runtime `mock` cannot enforce the option `read-only root filesystem` that tier `hardened` needs");
    assert!(mock.calls().is_empty(), "{:?}", mock.calls());
}

#[tokio::test]
async fn missing_runtime_lists_candidates() {
    for (runtime, candidates) in [("microvm", MICROVM_CANDIDATES), ("wasm", WASM_CANDIDATES)] {
        let yaml = format!("name: v\nnodes:\n  a:\n    image: busybox\n    runtime: {runtime}\n");
        let error = run(Arc::new(MockBackend::new()), &graph(&yaml), RunOptions::default()).await.unwrap_err().to_string();
        assert!(error.contains(&format!("the runtime `{runtime}` has no backend configured. Looked for: ")), "{error}");
        assert!(error.contains(&candidates.join(", ")), "{error}");
    }
}

const THREE: &str = "\
name: par
nodes:
  a: {image: busybox}
  b: {image: busybox}
  c: {image: busybox}
";

/// The largest number of starts that overlapped, from the mock's call log
/// of `StartContainer` calls that each take `latency`.
fn max_overlap(calls: &[Call], latency: Duration) -> usize {
    let starts: Vec<Duration> = calls.iter().filter(|call| call.operation == Operation::StartContainer).map(|call| call.at).collect();
    starts.iter().map(|at| starts.iter().filter(|other| **other <= *at && *at < **other + latency).count()).max().unwrap_or(0)
}

async fn overlap(yaml: &str, execution: Execution) -> usize {
    let latency = Duration::from_millis(100);
    let mock = Arc::new(MockBackend::new().with_latency(Operation::StartContainer, None, latency));
    run(mock.clone(), &graph(yaml), RunOptions { execution: Some(execution), ..RunOptions::default() }).await.unwrap();
    max_overlap(&mock.calls(), latency)
}

#[tokio::test(start_paused = true)]
async fn execution_strategies_bound_overlap() {
    assert_eq!(overlap(THREE, Execution::Sequential).await, 1);
    assert_eq!(overlap(THREE, Execution::MaxParallel(2)).await, 2);
    assert_eq!(overlap(THREE, Execution::DependencyAware).await, 3);
    assert_eq!(overlap(THREE, Execution::ParallelSafe).await, 3);
    let exclusive = THREE.replace("b: {image: busybox}", "b: {image: busybox, options: {exclusive: true}}");
    let mock_overlap = overlap(&exclusive, Execution::ParallelSafe).await;
    assert_eq!(mock_overlap, 2, "a and c overlap, b runs alone");
    let shared = THREE.replace("a: {image: busybox}", "a: {image: busybox, volumes: [\"data:/data\"]}").replace("c: {image: busybox}", "c: {image: busybox, volumes: [\"data:/d\"]}");
    assert_eq!(overlap(&shared, Execution::ParallelSafe).await, 2, "a and c share a volume");
}

#[tokio::test(start_paused = true)]
async fn sequential_follows_dependency_order() {
    let mock = Arc::new(MockBackend::new());
    run(mock.clone(), &graph(PIPELINE), RunOptions { execution: Some(Execution::Sequential), ..RunOptions::default() }).await.unwrap();
    assert_eq!(created(&mock), vec!["pipe-batch-1", "pipe-db-1", "pipe-web-1"]);
}

const CHAIN: &str = "\
name: f
nodes:
  base: {image: busybox}
  broken: {image: busybox, dependsOn: [base]}
  after: {image: busybox, dependsOn: [broken]}
  other: {image: busybox, dependsOn: [base]}
";

fn failing() -> Arc<MockBackend> {
    Arc::new(MockBackend::new().with_fault(Operation::StartContainer, Some("f-broken-1"), Fault::Fail("no such image".into())))
}

#[tokio::test]
async fn rollback_all_removes_created_containers() {
    let mock = failing();
    let options = RunOptions { failure: Some(FailureStrategy::RollbackAll), execution: Some(Execution::Sequential), ..RunOptions::default() };
    let error = run(mock.clone(), &graph(CHAIN), options).await.unwrap_err();
    let GraphError::Failed { node, report, .. } = &error else { panic!("{error}") };
    assert_eq!(node, "broken");
    assert!(matches!(&report.nodes["broken"].state, NodeState::Failed(reason) if reason.contains("no such image")));
    let containers = GraphEngine::new(mock.clone()).status(&graph(CHAIN), "f").await.unwrap();
    assert!(containers.values().all(|status| status.container.is_none()), "{containers:?}");
    assert!(mock.resource_names().0.is_empty(), "the network is removed too");
}

#[tokio::test]
async fn halt_graph_leaves_running_nodes() {
    let mock = failing();
    let options = RunOptions { failure: Some(FailureStrategy::HaltGraph), execution: Some(Execution::Sequential), ..RunOptions::default() };
    let error = run(mock.clone(), &graph(CHAIN), options).await.unwrap_err();
    let GraphError::Failed { report, .. } = &error else { panic!("{error}") };
    assert_eq!(report.nodes["base"].state, NodeState::Running);
    assert_eq!(report.nodes["after"].state, NodeState::Pending);
    assert_eq!(report.nodes["other"].state, NodeState::Pending, "sequential halts before the independent branch");
    assert_eq!(created(&mock), vec!["f-base-1", "f-broken-1"]);
}

#[tokio::test]
async fn partial_continue_skips_dependents() {
    let mock = failing();
    let options = RunOptions { failure: Some(FailureStrategy::PartialContinue), execution: Some(Execution::Sequential), ..RunOptions::default() };
    let report = run(mock.clone(), &graph(CHAIN), options).await.unwrap();
    assert_eq!(report.nodes["other"].state, NodeState::Running);
    assert_eq!(report.nodes["after"].state, NodeState::Failed("skipped because `broken` failed".into()));
    assert!(!created(&mock).contains(&"f-after-1".to_string()));
}

#[tokio::test(start_paused = true)]
async fn status_logs_and_exec_per_node() {
    let yaml = "name: s\nnodes:\n  job: {image: busybox}\n  svc: {image: busybox}\n";
    let mock = Arc::new(
        MockBackend::new()
            .with_fault(Operation::StartContainer, Some("s-job-1"), Fault::ExitAfterStart { code: 3, after: Duration::from_millis(10) })
            .with_fault(Operation::Exec, Some("s-svc-1"), Fault::ExecOutputs(vec![ExecOutput { exit_code: 0, stdout: "hi\n".into(), stderr: String::new() }])),
    );
    let engine = GraphEngine::new(mock.clone());
    engine.run(&graph(yaml), &RunOptions::default()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status = engine.status(&graph(yaml), "s").await.unwrap();
    assert_eq!(status["job"].state, NodeState::Exited(3));
    assert_eq!(status["svc"].state, NodeState::Running);
    assert_eq!(format_status(&status), "job\texited with code 3\nsvc\trunning\n");
    assert_eq!(engine.exec("s", "svc", &["echo".into(), "hi".into()], &Default::default()).await.unwrap().stdout, "hi\n");
    engine.logs("s", "svc", None).await.unwrap();
    engine.down("s", Duration::ZERO).await.unwrap();
    assert!(engine.status(&graph(yaml), "s").await.unwrap().values().all(|status| status.state == NodeState::Pending));
}

#[test]
fn tier_check_names_missing_options() {
    let applied = crate::backend::AppliedConfinement {
        read_only_rootfs: false,
        effective_capabilities: vec!["CAP_CHOWN".into()],
        no_new_privileges: true,
        default_seccomp: true,
        network_mode: "bridge".into(),
        ..Default::default()
    };
    assert_eq!(tier_mismatches(workload::Tier::Untrusted, &applied), vec![
        "the root filesystem is writable".to_owned(),
        "capabilities remain: CAP_CHOWN".to_owned(),
        "the network mode is `bridge`, not `none`".to_owned(),
    ]);
    assert!(tier_mismatches(workload::Tier::Default, &applied).is_empty());
}

#[test]
fn shared_kernel_opt_in_is_exactly_one() {
    assert!(allows_shared_kernel(Some("1")));
    for value in [None, Some(""), Some("true"), Some("yes"), Some("01"), Some(" 1"), Some("1 ")] {
        assert!(!allows_shared_kernel(value), "{value:?}");
    }
}

#[tokio::test]
async fn second_run_refuses_and_down_stops_nodes_together() {
    let mock = Arc::new(MockBackend::new().with_latency(Operation::StopContainer, None, Duration::from_millis(50)));
    let engine = GraphEngine::new(mock.clone());
    engine.run(&graph(PIPELINE), &RunOptions::default()).await.unwrap();

    let error = engine.run(&graph(PIPELINE), &RunOptions::default()).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "project `pipe` already has containers (pipe-batch-1, pipe-db-1, pipe-web-1); take it down first, or choose another project name"
    );

    engine.down("pipe", Duration::ZERO).await.unwrap();
    let stops: Vec<Call> = mock.calls().into_iter().filter(|call| call.operation == Operation::StopContainer).collect();
    assert_eq!(stops.len(), 3, "{stops:?}");
    // Each stop takes 50 ms, so one after another they would begin 50 ms apart.
    assert!(stops[2].at - stops[0].at < Duration::from_millis(50), "the three stops overlap: {stops:?}");
    assert_eq!(mock.resource_names(), (Vec::new(), Vec::new()));

    // After down, the graph starts again.
    engine.run(&graph(PIPELINE), &RunOptions::default()).await.unwrap();
}
