use std::sync::Arc;
use std::time::Duration;

use perry_stack_schema::Condition;

use super::plan::{CONFIG_HASH_LABEL, DEPENDS_ON_LABEL, PROJECT_LABEL, SERVICE_LABEL};
use super::*;
use crate::backend::mock::Call;
use crate::backend::{ExecOutput, Fault, MockBackend, Operation};
use crate::testing::*;

const IMAGE: &str = "localhost/perry-busybox:latest";
const SECOND: Duration = Duration::from_secs(1);

fn exit(code: i64, output: &str) -> ExecOutput {
    ExecOutput { exit_code: code, stdout: output.to_string(), stderr: String::new() }
}

/// init (one-shot) <- db (healthy) <- web, like the quickstart.
fn quickstart() -> perry_stack_schema::Project {
    let init = mount_volume(service("init", IMAGE, &["sh", "-c", "echo ok > /data/ready"]), "data", "/data");
    let db = depends_on(service("db", IMAGE, &["nc", "-ll", "-p", "5432", "-e", "echo", "ok"]), "init", Condition::ServiceCompletedSuccessfully);
    let db = healthcheck(db, &["CMD-SHELL", "netstat -ltn | grep -q :5432"], SECOND, 3);
    let web = depends_on(service("web", IMAGE, &["httpd", "-f"]), "db", Condition::ServiceHealthy);
    with_volume(project("demo", vec![init, db, web]), "data")
}

fn quickstart_backend() -> MockBackend {
    MockBackend::new()
        .with_latency(Operation::StartContainer, None, Duration::from_millis(100))
        .with_fault(Operation::StartContainer, Some("demo-init-1"), Fault::ExitAfterStart { code: 0, after: 2 * SECOND })
}

fn engine_on(backend: MockBackend) -> (Engine, Arc<MockBackend>) {
    let backend = Arc::new(backend);
    (Engine::new(backend.clone()), backend)
}

fn start_time(backend: &MockBackend, container: &str) -> Duration {
    backend
        .first_call(Operation::StartContainer, container)
        .unwrap_or_else(|| panic!("{container} was never started"))
}

#[tokio::test(start_paused = true)]
async fn up_follows_conditions_in_order() {
    let (engine, backend) = engine_on(quickstart_backend());

    let report = engine.up(&quickstart(), &UpOptions::default()).await.unwrap();

    let names: Vec<&str> = report.services.iter().map(|service| service.container_name.as_str()).collect();
    assert_eq!(names, ["demo-db-1", "demo-init-1", "demo-web-1"]);
    let init = start_time(&backend, "demo-init-1");
    let db = start_time(&backend, "demo-db-1");
    let web = start_time(&backend, "demo-web-1");
    // init exits 2 s after its start completes; db waits for that exit.
    assert!(db >= init + 2 * SECOND, "db started at {db:?}, init at {init:?}");
    // db passes its first check one interval after it started.
    assert!(web >= db + SECOND, "web started at {web:?}, db at {db:?}");
    assert_eq!(report.networks_created, ["demo_default"]);
    assert_eq!(report.volumes_created, ["demo_data"]);
}

#[tokio::test(start_paused = true)]
async fn up_reports_progress_per_object() {
    let (engine, _backend) = engine_on(quickstart_backend());
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    let progress = Progress::new(move |event: &ProgressEvent| seen.lock().unwrap().push((event.kind.label(), event.object.clone(), event.status.clone())));

    engine.up(&quickstart(), &UpOptions { progress: Some(progress), ..UpOptions::default() }).await.unwrap();

    let events = events.lock().unwrap();
    let has = |kind: &str, object: &str, status: &str| events.iter().any(|event| *event == (kind, object.to_string(), status.to_string()));
    assert!(has("Network", "demo_default", "Created"), "{events:?}");
    assert!(has("Volume", "demo_data", "Created"), "{events:?}");
    assert!(has("Container", "demo-db-1", "Healthy"), "the container is named: {events:?}");
    assert!(has("Container", "demo-web-1", "Started"), "{events:?}");
}

#[tokio::test(start_paused = true)]
async fn build_runs_once_and_rebuild_recreates() {
    let (engine, backend) = engine_on(MockBackend::new());
    let project = project("b", vec![build(service("web", IMAGE, &["serve"]), "/src/web")]);
    let builds = |backend: &MockBackend| backend.calls().iter().filter(|call| call.operation == Operation::BuildImage).count();

    let first = engine.up(&project, &UpOptions::default()).await.unwrap();
    assert_eq!(builds(&backend), 1);
    assert_eq!(backend.spec("b-web-1").unwrap().image, "b-web", "the image is named after project and service");

    let again = engine.up(&project, &UpOptions::default()).await.unwrap();
    assert_eq!(builds(&backend), 1, "an existing image is not built again");
    assert!(again.services[0].reused, "{:?}", again.services);

    let rebuilt = engine.up(&project, &UpOptions { build: true, ..UpOptions::default() }).await.unwrap();
    assert_eq!(builds(&backend), 2);
    assert!(rebuilt.services[0].recreated, "a new image id recreates the container: {:?}", rebuilt.services);
    assert_ne!(rebuilt.services[0].container_id, first.services[0].container_id);
}

#[tokio::test(start_paused = true)]
async fn up_starts_service_without_waiting_for_slow_branch() {
    let slow = service("slow", IMAGE, &[]);
    let fast = service("fast", IMAGE, &[]);
    let after_fast = depends_on(service("after-fast", IMAGE, &[]), "fast", Condition::ServiceStarted);
    let backend = MockBackend::new().with_latency(Operation::StartContainer, Some("demo-slow-1"), 10 * SECOND);
    let (engine, backend) = engine_on(backend);

    engine.up(&project("demo", vec![slow, fast, after_fast]), &UpOptions::default()).await.unwrap();

    let after_fast = start_time(&backend, "demo-after-fast-1");
    assert!(after_fast < SECOND, "after-fast started at {after_fast:?}, behind the slow branch");
}

#[tokio::test(start_paused = true)]
async fn unhealthy_without_output() {
    let backend = quickstart_backend().with_fault(Operation::Exec, Some("demo-db-1"), Fault::ExecOutputs(vec![exit(1, " \n")]));
    let (engine, _) = engine_on(backend);

    let error = engine.up(&quickstart(), &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "service db is unhealthy after 3 checks: last output: exit code 1");
}

#[tokio::test(start_paused = true)]
async fn unhealthy_after_retries() {
    let backend = quickstart_backend().with_fault(Operation::Exec, Some("demo-db-1"), Fault::ExecOutputs(vec![exit(1, "not ready")]));
    let (engine, backend) = engine_on(backend);

    let error = engine.up(&quickstart(), &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "service db is unhealthy after 3 checks: last output: exit code 1: not ready");
    let checks = backend.calls().iter().filter(|call| call.operation == Operation::Exec).count();
    assert_eq!(checks, 3);
    assert!(backend.first_call(Operation::StartContainer, "demo-web-1").is_none());
}

#[tokio::test(start_paused = true)]
async fn start_period_failures_do_not_count() {
    let outputs = vec![exit(1, "a"), exit(1, "b"), exit(1, "c"), exit(1, "d"), exit(0, "")];
    let mut stack = quickstart();
    let check = stack.services.get_mut("db").unwrap().healthcheck.as_mut().unwrap();
    check.retries = Some(2);
    check.start_period = Some(Duration::from_millis(3500));
    let backend = quickstart_backend().with_fault(Operation::Exec, Some("demo-db-1"), Fault::ExecOutputs(outputs.clone()));
    let (engine, _) = engine_on(backend);

    engine.up(&stack, &UpOptions::default()).await.unwrap();

    // Without the start period, the second failure ends the wait.
    stack.services.get_mut("db").unwrap().healthcheck.as_mut().unwrap().start_period = None;
    let backend = quickstart_backend().with_fault(Operation::Exec, Some("demo-db-1"), Fault::ExecOutputs(outputs));
    let (engine, _) = engine_on(backend);
    let error = engine.up(&stack, &UpOptions::default()).await.unwrap_err();
    assert_eq!(error.to_string(), "service db is unhealthy after 2 checks: last output: exit code 1: b");
}

#[tokio::test(start_paused = true)]
async fn exit_during_health_wait() {
    let backend = quickstart_backend()
        .with_fault(Operation::Exec, Some("demo-db-1"), Fault::ExecOutputs(vec![exit(1, "")]))
        .with_fault(Operation::StartContainer, Some("demo-db-1"), Fault::ExitAfterStart { code: 2, after: Duration::from_millis(1500) });
    let mut stack = quickstart();
    stack.services.get_mut("db").unwrap().healthcheck.as_mut().unwrap().retries = Some(10);
    let (engine, _) = engine_on(backend);

    let error = engine.up(&stack, &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "service db stopped (exited, exit code 2) while web waited for it to become healthy");
}

#[tokio::test(start_paused = true)]
async fn dependency_exit_code_fails_up() {
    let backend = MockBackend::new().with_fault(
        Operation::StartContainer,
        Some("demo-init-1"),
        Fault::ExitAfterStart { code: 3, after: SECOND },
    );
    let (engine, backend) = engine_on(backend);

    let error = engine.up(&quickstart(), &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "service init exited with code 3, but db requires it to complete successfully");
    assert!(backend.first_call(Operation::CreateContainer, "demo-db-1").is_none());
}

#[tokio::test(start_paused = true)]
async fn completion_wait_times_out() {
    // init never exits.
    let (engine, _) = engine_on(MockBackend::new());
    let options = UpOptions { completion_timeout: Some(5 * SECOND), ..UpOptions::default() };

    let error = engine.up(&quickstart(), &options).await.unwrap_err();

    assert_eq!(error.to_string(), "timed out after 5 s waiting for service init to complete, which db depends on");
}

#[tokio::test]
async fn healthy_wait_needs_healthcheck() {
    let mut stack = quickstart();
    stack.services.get_mut("db").unwrap().healthcheck = None;
    let (engine, backend) = engine_on(MockBackend::new());

    let error = engine.up(&stack, &UpOptions::default()).await.unwrap_err();

    assert!(matches!(&error, EngineError::NoHealthcheck { .. }), "{error:?}");
    assert!(error.to_string().contains("web waits for db to be healthy, but db has no healthcheck"), "{error}");
    assert!(backend.calls().is_empty(), "nothing may be created: {:?}", backend.calls());
}

#[tokio::test]
async fn dependency_cycle_reports_path() {
    let a = depends_on(service("a", IMAGE, &[]), "b", Condition::ServiceStarted);
    let b = depends_on(service("b", IMAGE, &[]), "a", Condition::ServiceStarted);
    let (engine, _) = engine_on(MockBackend::new());

    let error = engine.up(&project("demo", vec![a, b]), &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "dependency cycle between services: a -> b -> a");
}

#[tokio::test]
async fn start_failure_names_service() {
    let backend = MockBackend::new().with_fault(Operation::StartContainer, Some("demo-web-1"), Fault::Fail("no space left".into()));
    let web = service("web", IMAGE, &[]);
    let (engine, _) = engine_on(backend);

    let error = engine.up(&project("demo", vec![web]), &UpOptions::default()).await.unwrap_err();

    let message = error.to_string();
    assert!(message.starts_with("could not start container demo-web-1 of service web: "), "{message}");
    assert!(message.ends_with("no space left"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn labels_names_and_aliases() {
    let (engine, backend) = engine_on(quickstart_backend());
    engine.up(&quickstart(), &UpOptions::default()).await.unwrap();

    let db = backend.spec("demo-db-1").unwrap();
    assert_eq!(db.labels[PROJECT_LABEL], "demo");
    assert_eq!(db.labels[SERVICE_LABEL], "db");
    assert_eq!(db.labels["com.docker.compose.container-number"], "1");
    assert_eq!(db.labels["com.docker.compose.oneoff"], "False");
    assert_eq!(db.labels[DEPENDS_ON_LABEL], "init:service_completed_successfully:false");
    assert_eq!(db.labels[CONFIG_HASH_LABEL].len(), 64);
    assert_eq!(db.networks[0].network, "demo_default");
    assert_eq!(db.networks[0].aliases, ["db"]);
    let init = backend.spec("demo-init-1").unwrap();
    assert_eq!(init.mounts[0].source.as_deref(), Some("demo_data"));
}

#[test]
fn config_hash_is_deterministic() {
    let environment = |_: &str| None;
    let first = plan::plan(&quickstart(), "demo", &environment).unwrap();
    let second = plan::plan(&quickstart(), "demo", &environment).unwrap();
    let hash = |plan: &plan::Plan| plan.services["db"].spec.labels[CONFIG_HASH_LABEL].clone();
    assert_eq!(hash(&first), hash(&second));

    let mut changed = quickstart();
    changed.services.get_mut("db").unwrap().command = Some(vec!["true".into()]);
    let third = plan::plan(&changed, "demo", &environment).unwrap();
    assert_ne!(hash(&first), hash(&third));
}

#[test]
fn environment_without_value_reads_environment() {
    let mut stack = quickstart();
    let environment = &mut stack.services.get_mut("web").unwrap().environment;
    environment.insert("FROM_HOST".into(), None);
    environment.insert("MISSING".into(), None);
    environment.insert("FIXED".into(), Some("1".into()));
    let lookup = |name: &str| (name == "FROM_HOST").then(|| "host value".to_string());

    let plan = plan::plan(&stack, "demo", &lookup).unwrap();

    let env = &plan.services["web"].spec.env;
    assert_eq!(env.get("FROM_HOST").map(String::as_str), Some("host value"));
    assert_eq!(env.get("FIXED").map(String::as_str), Some("1"));
    assert!(!env.contains_key("MISSING"));
}

#[test]
fn bind_sources_expand_home_or_fail() {
    let with_bind = |source: &str| project("demo", vec![mount_bind(service("web", IMAGE, &["serve"]), source, "/data")]);
    let home = |name: &str| (name == "HOME").then(|| "/home/dev".to_string());
    let source = |plan: plan::Plan| plan.services["web"].spec.mounts[0].source.clone();

    assert_eq!(source(plan::plan(&with_bind("~/data"), "demo", &home).unwrap()).as_deref(), Some("/home/dev/data"));
    assert_eq!(source(plan::plan(&with_bind("/srv/data"), "demo", &home).unwrap()).as_deref(), Some("/srv/data"));
    for relative in ["data", "~other/data"] {
        match plan::plan(&with_bind(relative), "demo", &home) {
            Err(error @ EngineError::RelativeBindSource { .. }) => assert!(error.to_string().contains(&format!("`{relative}`")), "{error}"),
            other => panic!("{relative}: expected a relative-path error, got {:?}", other.map(|_| ())),
        }
    }
    let no_home = |_: &str| None;
    assert!(matches!(plan::plan(&with_bind("~/data"), "demo", &no_home), Err(EngineError::RelativeBindSource { .. })));
}

#[tokio::test(start_paused = true)]
async fn second_up_keeps_unchanged_containers() {
    let (engine, backend) = engine_on(quickstart_backend());
    engine.up(&quickstart(), &UpOptions::default()).await.unwrap();

    let report = engine.up(&quickstart(), &UpOptions::default()).await.unwrap();

    assert!(report.services.iter().all(|service| service.reused), "{report:?}");
    let creates = backend.calls().iter().filter(|call| call.operation == Operation::CreateContainer).count();
    assert_eq!(creates, 3);
}

#[tokio::test(start_paused = true)]
async fn down_removes_dependents_first() {
    let (engine, backend) = engine_on(quickstart_backend());
    engine.up(&quickstart(), &UpOptions::default()).await.unwrap();

    let report = engine.down("demo", &DownOptions::default()).await.unwrap();

    assert_eq!(report.containers, ["demo-web-1", "demo-db-1", "demo-init-1"]);
    let removals: Vec<String> = backend
        .calls()
        .into_iter()
        .filter(|call: &Call| call.operation == Operation::RemoveContainer)
        .map(|call| call.target)
        .collect();
    assert_eq!(removals, ["demo-web-1", "demo-db-1", "demo-init-1"]);
    assert_eq!(report.networks, ["demo_default"]);
    assert!(report.volumes.is_empty());
    assert_eq!(backend.resource_names(), (vec![], vec!["demo_data".to_string()]));

    let report = engine.down("demo", &DownOptions { volumes: true, ..DownOptions::default() }).await.unwrap();
    assert_eq!(report.volumes, ["demo_data"]);
    assert_eq!(backend.resource_names(), (vec![], vec![]));
}

#[tokio::test(start_paused = true)]
async fn ps_logs_and_exec_find_by_label() {
    let backend = quickstart_backend().with_fault(Operation::Exec, Some("demo-web-1"), Fault::ExecOutputs(vec![exit(0, "ok")]));
    let (engine, _) = engine_on(backend);
    engine.up(&quickstart(), &UpOptions::default()).await.unwrap();
    // Let init exit.
    tokio::time::sleep(3 * SECOND).await;

    let ps = engine.ps("demo").await.unwrap();
    let rows: Vec<(&str, &str, Option<i64>)> = ps.iter().map(|row| (row.service.as_str(), row.status.as_str(), row.exit_code)).collect();
    assert_eq!(rows, [("db", "running", None), ("init", "exited", Some(0)), ("web", "running", None)]);

    let output = engine.exec("demo", "web", &["true".to_string()]).await.unwrap();
    assert_eq!(output.stdout, "ok");
    let error = engine.exec("demo", "init", &["true".to_string()]).await.unwrap_err();
    assert!(matches!(error, EngineError::NotRunning { .. }), "{error}");
    let error = engine.exec("demo", "nope", &["true".to_string()]).await.unwrap_err();
    assert_eq!(error.to_string(), "project demo has no container for service nope; run `up` first");

    let logs = engine.logs("demo", Some("web"), Some(1)).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].logs.stdout, "demo-web-1 started\n");
    assert_eq!(engine.logs("demo", None, None).await.unwrap().len(), 3);
}
