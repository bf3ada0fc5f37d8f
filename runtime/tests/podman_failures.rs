//! Failing conditions on a real podman: the error names the service, and
//! `down` still removes everything.

mod support;

use std::time::Duration;

use perry_stack::schema::Condition;
use perry_stack::testing::*;
use perry_stack::{DownOptions, EngineError, FailureStrategy, UpOptions};
use support::*;

async fn down_and_check(name: &str) {
    engine().down(name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    assert_eq!(leftovers(name), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_healthcheck_fails_up() {
    require_podman();
    let name = unique_project("unhealthy");
    let _cleanup = Cleanup(name.clone());
    let db = service("db", IMAGE, &["sleep", "60"]);
    let db = healthcheck(db, &["CMD-SHELL", "echo not ready; exit 1"], Duration::from_millis(200), 3);
    let web = depends_on(service("web", IMAGE, &["sleep", "60"]), "db", Condition::ServiceHealthy);

    let options = UpOptions { on_failure: FailureStrategy::HaltGraph, ..UpOptions::default() };
    let error = engine().up(&project(&name, vec![db, web]), &options).await.unwrap_err();

    // podman sometimes appends a warning of its own (no syslog here) to the
    // check's stderr, so only the start of the message is fixed.
    let message = error.to_string();
    assert!(message.starts_with("service db is unhealthy after 3 checks: last output: exit code 1: not ready"), "{message}");
    let ps = engine().ps(&name).await.unwrap();
    let services: Vec<&str> = ps.iter().map(|row| row.service.as_str()).collect();
    assert_eq!(services, ["db"], "web must not be created");
    down_and_check(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependency_exit_code_fails_up() {
    require_podman();
    let name = unique_project("exitcode");
    let _cleanup = Cleanup(name.clone());
    let init = service("init", IMAGE, &["sh", "-c", "exit 3"]);
    let app = depends_on(service("app", IMAGE, &["sleep", "60"]), "init", Condition::ServiceCompletedSuccessfully);

    let error = engine().up(&project(&name, vec![init, app]), &UpOptions::default()).await.unwrap_err();

    assert!(matches!(error, EngineError::CompletedWithFailure { exit_code: 3, .. }), "{error}");
    assert_eq!(error.to_string(), "service init exited with code 3, but app requires it to complete successfully");
    down_and_check(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_while_waiting_for_health() {
    require_podman();
    let name = unique_project("exitwait");
    let _cleanup = Cleanup(name.clone());
    let db = service("db", IMAGE, &["sh", "-c", "sleep 1; exit 4"]);
    let db = healthcheck(db, &["CMD", "false"], Duration::from_millis(300), 100);
    let web = depends_on(service("web", IMAGE, &["sleep", "60"]), "db", Condition::ServiceHealthy);

    let error = engine().up(&project(&name, vec![db, web]), &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "service db stopped (exited, exit code 4) while web waited for it to become healthy");
    down_and_check(&name).await;
}
