//! Failure strategies on a real podman: a failed `up` leaves exactly the
//! documented state, and a rollback never removes a container that existed
//! before the run.

mod support;

use std::time::Duration;

use perry_stack::schema::{Condition, Project};
use perry_stack::testing::*;
use perry_stack::{DownOptions, FailureStrategy, UpOptions};
use support::*;

/// c alone, brought up before the run under test.
fn before(name: &str) -> Project {
    project(name, vec![service("c", IMAGE, &["sleep", "60"])])
}

/// a <- b, plus c unchanged; `b` is given by the caller.
fn graph(name: &str, b: perry_stack::schema::Service) -> Project {
    let b = depends_on(b, "a", Condition::ServiceStarted);
    with_volume(project(name, vec![service("a", IMAGE, &["sleep", "60"]), b, service("c", IMAGE, &["sleep", "60"])]), "data")
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

async fn finish(name: &str) {
    engine().down(name, &DownOptions { volumes: true, timeout: Some(Duration::ZERO), ..DownOptions::default() }).await.unwrap();
    assert_eq!(leftovers(name), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_failure_rolls_back_only_this_run() {
    require_podman();
    let name = unique_project("rollstart");
    let _cleanup = Cleanup(name.clone());
    engine().up(&before(&name), &UpOptions::default()).await.unwrap();

    // podman creates the container, then fails to start a missing executable.
    let b = service("b", IMAGE, &["/no/such/program"]);
    let error = engine().up(&graph(&name, b), &UpOptions::default()).await.unwrap_err();

    assert!(error.to_string().contains(&format!("start container {name}-b-1")), "{error}");
    assert_eq!(sorted(leftovers(&name)), sorted(vec![format!("{name}-c-1"), format!("{name}_default")]));
    let ps = engine().ps(&name).await.unwrap();
    assert_eq!(ps.iter().map(|row| row.status.as_str()).collect::<Vec<_>>(), ["running"], "c still runs");
    finish(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_failure_under_halt_leaves_what_was_made() {
    require_podman();
    let name = unique_project("haltstart");
    let _cleanup = Cleanup(name.clone());
    engine().up(&before(&name), &UpOptions::default()).await.unwrap();

    let b = service("b", IMAGE, &["/no/such/program"]);
    let options = UpOptions { on_failure: FailureStrategy::HaltGraph, ..UpOptions::default() };
    engine().up(&graph(&name, b), &options).await.unwrap_err();

    let ps = engine().ps(&name).await.unwrap();
    let rows: Vec<(&str, bool)> = ps.iter().map(|row| (row.service.as_str(), row.status == "running")).collect();
    assert_eq!(rows, [("a", true), ("b", false), ("c", true)]);
    assert!(leftovers(&name).contains(&format!("{name}_data")), "the volume stays");
    finish(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_failure_rolls_back_networks_and_volumes() {
    require_podman();
    let name = unique_project("rollcreate");
    let _cleanup = Cleanup(name.clone());
    engine().up(&before(&name), &UpOptions::default()).await.unwrap();

    // No registry is reachable, so a missing local image fails the create.
    let b = service("b", "localhost/perry-missing-image:latest", &[]);
    let error = engine().up(&graph(&name, b), &UpOptions::default()).await.unwrap_err();

    assert!(error.to_string().contains(&format!("create container {name}-b-1")), "{error}");
    assert_eq!(sorted(leftovers(&name)), sorted(vec![format!("{name}-c-1"), format!("{name}_default")]), "a and the data volume are gone");
    finish(&name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_restores_a_recreated_container() {
    require_podman();
    let name = unique_project("rollrecreate");
    let _cleanup = Cleanup(name.clone());
    let first = engine().up(&before(&name), &UpOptions::default()).await.unwrap();
    let old_id = first.services[0].container_id.clone();

    // c changes, so it is recreated; then b fails to start and the run rolls back.
    let b = depends_on(service("b", IMAGE, &["/no/such/program"]), "c", Condition::ServiceStarted);
    let changed = project(&name, vec![service("c", IMAGE, &["sleep", "61"]), b]);
    let error = engine().up(&changed, &UpOptions::default()).await.unwrap_err();
    assert!(error.to_string().contains(&format!("start container {name}-b-1")), "{error}");

    assert_eq!(sorted(leftovers(&name)), sorted(vec![format!("{name}-c-1"), format!("{name}_default")]));
    let ps = engine().ps(&name).await.unwrap();
    let rows: Vec<(&str, &str)> = ps.iter().map(|row| (row.name.as_str(), row.status.as_str())).collect();
    assert_eq!(rows, [(format!("{name}-c-1").as_str(), "running")], "the old c is back under its name");
    let inspected = engine().backend().inspect_container(&format!("{name}-c-1")).await.unwrap();
    assert_eq!(inspected.id, old_id);
    finish(&name).await;
}

/// Removes a volume by name, also when the test panics: a runtime that
/// creates a missing external volume leaves it without the project label.
struct RemoveVolume(String);

impl Drop for RemoveVolume {
    fn drop(&mut self) {
        let _ = std::process::Command::new("podman").args(["volume", "rm", "-f", &self.0]).output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_external_volume_fails_before_creating() {
    require_podman();
    let name = unique_project("extvol");
    let _cleanup = Cleanup(name.clone());
    let volume_name = format!("{name}-no-such-volume");
    let _volume = RemoveVolume(volume_name.clone());
    let web = mount_volume(service("web", IMAGE, &["sleep", "60"]), "data", "/data");
    let mut stack = with_volume(project(&name, vec![web]), "data");
    let declared = stack.volumes.get_mut("data").unwrap();
    declared.external = true;
    declared.name = Some(volume_name.clone());

    let error = engine().up(&stack, &UpOptions::default()).await.unwrap_err();

    let message = error.to_string();
    assert!(message.contains(&format!("external volume {volume_name} not found")), "{message}");
    assert!(message.contains("volumes.data"), "{message}");
    assert!(message.contains("service web"), "{message}");
    assert_eq!(leftovers(&name), Vec::<String>::new(), "no network or container was made");
    let exists = std::process::Command::new("podman").args(["volume", "exists", &volume_name]).status().expect("podman runs");
    assert!(!exists.success(), "podman created the external volume {volume_name}");
}
