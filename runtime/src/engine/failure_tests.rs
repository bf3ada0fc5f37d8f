//! Convergence and failure handling of `up` on the mock backend.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use perry_stack_schema::{Condition, Project};

use super::plan::PROJECT_LABEL;
use super::*;
use crate::backend::{ExecOutput, Fault, LabelFilter, MockBackend, Operation};
use crate::testing::*;

const IMAGE: &str = "localhost/perry-busybox:latest";
const SECOND: Duration = Duration::from_secs(1);

/// Lists what exists for a project: containers with whether they run, then
/// networks, then volumes.
async fn state(backend: &MockBackend, project: &str) -> (BTreeMap<String, bool>, Vec<String>, Vec<String>) {
    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), project.to_string())]);
    let containers = backend.list_containers(&filter).await.unwrap().into_iter().map(|info| (info.name, info.state.running)).collect();
    let networks = backend.list_networks(&filter).await.unwrap().into_iter().map(|info| info.name).collect();
    let volumes = backend.list_volumes(&filter).await.unwrap().into_iter().map(|info| info.name).collect();
    (containers, networks, volumes)
}

/// a (healthy) <- b (built); c (healthy, slow check) <- d; c already runs
/// before the run.
fn graph() -> Project {
    let a = healthcheck(join_network(service("a", IMAGE, &["serve"]), "net"), &["CMD", "check"], SECOND, 1);
    let b = mount_volume(depends_on(build(service("b", IMAGE, &["serve"]), "/src/b"), "a", Condition::ServiceHealthy), "data", "/data");
    let d = depends_on(service("d", IMAGE, &["serve"]), "c", Condition::ServiceHealthy);
    with_network(with_volume(project("f", vec![a, b, c_service(), d]), "data"), "net")
}

fn c_service() -> perry_stack_schema::Service {
    healthcheck(service("c", IMAGE, &["serve"]), &["CMD", "check"], SECOND, 1)
}

/// The steps of `up` where a fault can be injected.
#[derive(Clone, Copy, Debug)]
enum Step {
    Build,
    Network,
    Volume,
    Create,
    Start,
    Healthcheck,
}

fn inject(backend: MockBackend, step: Step) -> MockBackend {
    let fail = || Fault::Fail("injected".to_string());
    match step {
        Step::Build => backend.with_fault(Operation::BuildImage, Some("f-b"), fail()),
        Step::Network => backend.with_fault(Operation::CreateNetwork, Some("f_net"), fail()),
        Step::Volume => backend.with_fault(Operation::CreateVolume, Some("f_data"), fail()),
        Step::Create => backend.with_fault(Operation::CreateContainer, Some("f-b-1"), fail()),
        Step::Start => backend.with_fault(Operation::StartContainer, Some("f-b-1"), fail()),
        Step::Healthcheck => backend.with_fault(
            Operation::Exec,
            Some("f-a-1"),
            Fault::ExecOutputs(vec![ExecOutput { exit_code: 1, stdout: "down".to_string(), stderr: String::new() }]),
        ),
    }
}

type Expected = (&'static [(&'static str, bool)], &'static [&'static str], &'static [&'static str]);

/// The documented state after a failure at `step` under `strategy`:
/// - rollbackAll: only what existed before the run (c and the default
///   network), whatever the step.
/// - a failed build, under every strategy: the same, because images are
///   built before anything else is created.
/// - haltGraph: what was made before the failure. Operations already in
///   flight finish and nothing new is scheduled. Waits are cancelled, so d
///   (which waits for c's slow check) never starts.
/// - partialContinue: like haltGraph for a network or volume (no container
///   is scheduled before they exist); for a service failure, every branch
///   that does not need the failed service runs, so d starts.
fn expected(step: Step, strategy: FailureStrategy) -> Expected {
    use FailureStrategy::*;
    const BEFORE: &[(&str, bool)] = &[("f-c-1", true)];
    const ALL_NETWORKS: &[&str] = &["f_default", "f_net"];
    match (strategy, step) {
        (RollbackAll, _) | (_, Step::Build) => (BEFORE, &["f_default"], &[]),
        (_, Step::Network) => (BEFORE, &["f_default"], &[]),
        (_, Step::Volume) => (BEFORE, ALL_NETWORKS, &[]),
        (HaltGraph, Step::Create) => (&[("f-a-1", true), ("f-c-1", true)], ALL_NETWORKS, &["f_data"]),
        (HaltGraph, Step::Start) => (&[("f-a-1", true), ("f-b-1", false), ("f-c-1", true)], ALL_NETWORKS, &["f_data"]),
        (HaltGraph, Step::Healthcheck) => (&[("f-a-1", true), ("f-c-1", true)], ALL_NETWORKS, &["f_data"]),
        (PartialContinue, Step::Create) => (&[("f-a-1", true), ("f-c-1", true), ("f-d-1", true)], ALL_NETWORKS, &["f_data"]),
        (PartialContinue, Step::Start) => {
            (&[("f-a-1", true), ("f-b-1", false), ("f-c-1", true), ("f-d-1", true)], ALL_NETWORKS, &["f_data"])
        }
        (PartialContinue, Step::Healthcheck) => (&[("f-a-1", true), ("f-c-1", true), ("f-d-1", true)], ALL_NETWORKS, &["f_data"]),
    }
}

#[tokio::test(start_paused = true)]
async fn failure_at_every_step_leaves_the_documented_state() {
    let steps = [Step::Build, Step::Network, Step::Volume, Step::Create, Step::Start, Step::Healthcheck];
    let strategies = [FailureStrategy::RollbackAll, FailureStrategy::HaltGraph, FailureStrategy::PartialContinue];
    // Each case runs twice: with creates that keep an existing object, and
    // with creates that fail on one, where networks and volumes are made
    // while the containers are listed.
    for step in steps {
        for (strategy, exclusive) in strategies.into_iter().flat_map(|strategy| [(strategy, false), (strategy, true)]) {
            // c's check takes 5 s, long after every injected failure.
            let mock = MockBackend::new().with_latency(Operation::Exec, Some("f-c-1"), 5 * SECOND);
            let backend = inject(if exclusive { mock.with_exclusive_creates() } else { mock }, step);
            let backend = Arc::new(backend);
            let engine = Engine::new(backend.clone());
            engine.up(&project("f", vec![c_service()]), &UpOptions::default()).await.unwrap();

            let options = UpOptions { on_failure: strategy, ..UpOptions::default() };
            let error = engine.up(&graph(), &options).await.expect_err("the injected fault fails up");

            let (containers, networks, volumes) = state(&backend, "f").await;
            let (want_containers, want_networks, want_volumes) = expected(step, strategy);
            let want_containers: BTreeMap<String, bool> = want_containers.iter().map(|(name, running)| (name.to_string(), *running)).collect();
            let context = format!("step {step:?}, strategy {strategy:?}, exclusive creates {exclusive}, error: {error}");
            assert_eq!(containers, want_containers, "{context}");
            assert_eq!(networks, want_networks, "{context}");
            assert_eq!(volumes, want_volumes, "{context}");
            let named = match step {
                Step::Build => "build image f-b",
                Step::Network => "f_net",
                Step::Volume => "f_data",
                Step::Create | Step::Start => "f-b-1",
                Step::Healthcheck => "service a is unhealthy",
            };
            assert!(error.to_string().contains(named), "{context}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn partial_continue_reports_the_skipped_dependents() {
    let backend = inject(MockBackend::new(), Step::Healthcheck);
    let engine = Engine::new(Arc::new(backend));
    let options = UpOptions { on_failure: FailureStrategy::PartialContinue, ..UpOptions::default() };
    match engine.up(&graph(), &options).await {
        Err(EngineError::Failed { skipped, .. }) => assert_eq!(skipped, ["b"]),
        other => panic!("expected a failure with skipped services, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn optional_dependency_missing_or_failing_only_warns() {
    let mut web = depends_on(depends_on(service("web", IMAGE, &["serve"]), "cache", Condition::ServiceStarted), "ghost", Condition::ServiceStarted);
    for dependency in web.depends_on.values_mut() {
        dependency.required = false;
    }
    let project = project("o", vec![service("cache", IMAGE, &["serve"]), web]);
    let backend = MockBackend::new().with_fault(Operation::StartContainer, Some("o-cache-1"), Fault::Fail("no memory".to_string()));
    let engine = Engine::new(Arc::new(backend));

    let report = engine.up(&project, &UpOptions::default()).await.unwrap();

    let started: Vec<&str> = report.services.iter().map(|service| service.container_name.as_str()).collect();
    assert_eq!(started, ["o-web-1"]);
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
    assert!(report.warnings.iter().any(|warning| warning.contains("ghost")), "{:?}", report.warnings);
    assert!(report.warnings.iter().any(|warning| warning.contains("no memory")), "{:?}", report.warnings);
}

#[tokio::test(start_paused = true)]
async fn optional_healthy_without_healthcheck_waits_for_start() {
    let mut web = depends_on(service("web", IMAGE, &["serve"]), "db", Condition::ServiceHealthy);
    web.depends_on.get_mut("db").unwrap().required = false;
    let project = project("h", vec![service("db", IMAGE, &["serve"]), web]);
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());

    let report = engine.up(&project, &UpOptions::default()).await.unwrap();

    let started: Vec<&str> = report.services.iter().map(|service| service.container_name.as_str()).collect();
    assert_eq!(started, ["h-db-1", "h-web-1"]);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("db has no healthcheck"), "{:?}", report.warnings);
    let starts: Vec<String> = backend.calls().into_iter().filter(|call| call.operation == Operation::StartContainer).map(|call| call.target).collect();
    assert_eq!(starts, ["h-db-1", "h-web-1"], "web starts after db");

    let mut required = project.clone();
    required.services.get_mut("web").unwrap().depends_on.get_mut("db").unwrap().required = true;
    assert!(matches!(engine.up(&required, &UpOptions::default()).await, Err(EngineError::NoHealthcheck { .. })));
}

#[tokio::test(start_paused = true)]
async fn concurrent_ups_share_the_network() {
    // Both runs list before either creates, so the slower create finds the
    // network made by the other run.
    let backend = Arc::new(MockBackend::new().with_exclusive_creates().with_latency(Operation::CreateNetwork, None, Duration::from_millis(50)));
    let engine = Engine::new(backend.clone());
    let project = project("c", vec![service("db", IMAGE, &["serve"]), service("web", IMAGE, &["serve"])]);
    let only = |service: &str| UpOptions { services: vec![service.to_string()], ..UpOptions::default() };

    let (db_only, web_only) = (only("db"), only("web"));
    let (db, web) = tokio::join!(engine.up(&project, &db_only), engine.up(&project, &web_only));

    assert_eq!(db.unwrap().services[0].container_name, "c-db-1");
    assert_eq!(web.unwrap().services[0].container_name, "c-web-1");
    let creates = backend.calls().iter().filter(|call| call.operation == Operation::CreateNetwork).count();
    assert_eq!(creates, 2, "both runs tried to create the network");
}

#[tokio::test(start_paused = true)]
async fn up_again_keeps_recreates_and_restarts() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    let db = service("db", IMAGE, &["serve"]);
    let mut web = depends_on(service("web", IMAGE, &["serve"]), "db", Condition::ServiceStarted);
    web.depends_on.get_mut("db").unwrap().restart = true;
    let other = service("other", IMAGE, &["serve"]);
    engine.up(&project("r", vec![db, web.clone(), other.clone()]), &UpOptions::default()).await.unwrap();

    let same = engine.up(&project("r", vec![service("db", IMAGE, &["serve"]), web.clone(), other.clone()]), &UpOptions::default()).await.unwrap();
    assert!(same.services.iter().all(|service| service.reused && !service.recreated), "{:?}", same.services);
    assert!(same.restarted.is_empty());

    let changed = engine.up(&project("r", vec![service("db", IMAGE, &["serve", "--fast"]), web, other]), &UpOptions::default()).await.unwrap();
    let flags: Vec<(&str, bool, bool)> = changed.services.iter().map(|s| (s.service.as_str(), s.reused, s.recreated)).collect();
    assert_eq!(flags, [("db", false, true), ("other", true, false), ("web", true, false)]);
    assert_eq!(changed.restarted, ["web"]);
    assert_eq!(backend.calls().iter().filter(|call| call.operation == Operation::StopContainer && call.target == "r-web-1").count(), 1);
}

#[tokio::test(start_paused = true)]
async fn replicas_scale_with_stable_numbers() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    let names = |report: &StackReport| report.services.iter().map(|s| s.container_name.clone()).collect::<Vec<_>>();

    let three = engine.up(&project("s", vec![scale(service("w", IMAGE, &["serve"]), 3)]), &UpOptions::default()).await.unwrap();
    assert_eq!(names(&three), ["s-w-1", "s-w-2", "s-w-3"]);
    let ids: Vec<String> = three.services.iter().map(|s| s.container_id.clone()).collect();

    let one = engine.up(&project("s", vec![scale(service("w", IMAGE, &["serve"]), 1)]), &UpOptions::default()).await.unwrap();
    assert_eq!(names(&one), ["s-w-1"]);
    assert_eq!(one.services[0].container_id, ids[0], "replica 1 is kept");
    assert_eq!(one.removed, ["s-w-2", "s-w-3"]);

    let two = engine.up(&project("s", vec![scale(service("w", IMAGE, &["serve"]), 2)]), &UpOptions::default()).await.unwrap();
    assert_eq!(names(&two), ["s-w-1", "s-w-2"]);
    assert!(two.services[0].reused);
    assert!(!two.services[1].reused);
}

#[tokio::test(start_paused = true)]
async fn orphans_are_reported_then_removed() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    engine.up(&project("p", vec![service("a", IMAGE, &[]), service("old", IMAGE, &[])]), &UpOptions::default()).await.unwrap();

    let kept = engine.up(&project("p", vec![service("a", IMAGE, &[])]), &UpOptions::default()).await.unwrap();
    assert_eq!(kept.orphans, ["p-old-1"]);
    assert!(state(&backend, "p").await.0.contains_key("p-old-1"));

    let options = UpOptions { remove_orphans: true, ..UpOptions::default() };
    let removed = engine.up(&project("p", vec![service("a", IMAGE, &[])]), &options).await.unwrap();
    assert!(removed.orphans.is_empty());
    assert_eq!(removed.removed, ["p-old-1"]);
    assert_eq!(state(&backend, "p").await.0.keys().collect::<Vec<_>>(), ["p-a-1"]);
}

#[tokio::test(start_paused = true)]
async fn down_service_takes_its_dependents_not_its_dependencies() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    let db = service("db", IMAGE, &[]);
    let api = depends_on(service("api", IMAGE, &[]), "db", Condition::ServiceStarted);
    let web = depends_on(service("web", IMAGE, &[]), "api", Condition::ServiceStarted);
    engine.up(&project("d", vec![db, api, web]), &UpOptions::default()).await.unwrap();

    let options = DownOptions { services: vec!["api".to_string()], ..DownOptions::default() };
    let report = engine.down("d", &options).await.unwrap();
    assert_eq!(report.containers, ["d-web-1", "d-api-1"]);
    assert!(report.networks.is_empty(), "networks stay for the remaining services");
    let (containers, networks, _) = state(&backend, "d").await;
    assert_eq!(containers.keys().collect::<Vec<_>>(), ["d-db-1"]);
    assert_eq!(networks, ["d_default"]);
}

#[tokio::test(start_paused = true)]
async fn stop_and_start_follow_dependencies() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    let db = service("db", IMAGE, &[]);
    let web = depends_on(service("web", IMAGE, &[]), "db", Condition::ServiceStarted);
    engine.up(&project("l", vec![db, web]), &UpOptions::default()).await.unwrap();

    let stopped = engine.stop("l", &["db".to_string()], &DownOptions::default()).await.unwrap();
    assert_eq!(stopped, ["l-web-1", "l-db-1"]);
    let started = engine.start("l", &["web".to_string()], &DownOptions::default()).await.unwrap();
    assert_eq!(started, ["l-db-1", "l-web-1"]);
    let error = engine.stop("l", &["nope".to_string()], &DownOptions::default()).await.unwrap_err();
    assert!(error.to_string().contains("nope"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn concurrency_bound_holds() {
    let services: Vec<_> = (0..6).map(|index| service(&format!("s{index}"), IMAGE, &[])).collect();
    let backend = MockBackend::new().with_latency(Operation::CreateContainer, None, SECOND);
    let engine = Engine::new(Arc::new(backend));
    let options = UpOptions { max_parallel: 2, ..UpOptions::default() };
    let report = engine.up(&project("c", services), &options).await.unwrap();
    // Six creates of 1 s, two at a time.
    assert!(report.elapsed >= 3 * SECOND, "{:?}", report.elapsed);
    assert!(report.elapsed < 4 * SECOND, "{:?}", report.elapsed);
}

#[tokio::test(start_paused = true)]
async fn cancel_rolls_back_what_the_run_created() {
    let backend = Arc::new(MockBackend::new().with_latency(Operation::StartContainer, Some("x-slow-1"), 10 * SECOND));
    let engine = Engine::new(backend.clone());
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SECOND).await;
        trigger.cancel();
    });
    let slow = service("slow", IMAGE, &[]);
    let after = depends_on(service("after", IMAGE, &[]), "slow", Condition::ServiceStarted);
    let options = UpOptions { cancel: Some(cancel), ..UpOptions::default() };
    let error = engine.up(&project("x", vec![slow, after, service("fast", IMAGE, &[])]), &options).await.unwrap_err();
    assert!(matches!(error, EngineError::Interrupted { rolled_back: true }), "{error}");
    let (containers, networks, volumes) = state(&backend, "x").await;
    assert!(containers.is_empty(), "{containers:?}");
    assert!(networks.is_empty(), "{networks:?}");
    assert!(volumes.is_empty(), "{volumes:?}");
    assert!(backend.first_call(Operation::CreateContainer, "x-after-1").is_none(), "nothing is scheduled after the cancel");
}

#[tokio::test(start_paused = true)]
async fn refuses_what_the_backend_cannot_honour() {
    use crate::backend::{Capabilities, Feature, Isolation};
    let capabilities = Capabilities { isolation: Isolation::VmPerContainer, unsupported: [Feature::MultipleNetworks].into() };
    let backend = Arc::new(MockBackend::new().with_capabilities(capabilities));
    let engine = Engine::new(backend.clone());
    let web = join_network(join_network(service("web", IMAGE, &[]), "front"), "back");
    let project = with_network(with_network(project("cap", vec![web]), "front"), "back");

    let error = engine.up(&project, &UpOptions::default()).await.unwrap_err();

    assert_eq!(error.to_string(), "backend mock cannot run service web: networks is not supported there (joining more than one network)");
    assert!(backend.calls().iter().all(|call| call.operation != Operation::CreateNetwork), "nothing is created");
}

#[tokio::test(start_paused = true)]
async fn refuses_settings_that_apple_container_lacks() {
    use perry_stack_schema::yaml::{Node, Value};
    let capabilities = crate::backend::CliBackend::apple_container().capabilities();
    let backend = Arc::new(MockBackend::new().with_capabilities(capabilities));
    let engine = Engine::new(backend.clone());
    let mut web = service("web", IMAGE, &[]);
    let flag = Node::new(Value::Bool(true), Default::default());
    web.unsupported.insert("tty".to_string(), flag.clone());
    assert!(engine.up(&project("tty", vec![web.clone()]), &UpOptions::default()).await.is_ok(), "container run has --tty");

    web.unsupported.insert("privileged".to_string(), flag);
    let error = engine.up(&project("priv", vec![web]), &UpOptions::default()).await.unwrap_err();
    assert_eq!(error.to_string(), "backend mock cannot run service web: privileged is not supported there (its run command has no such option)");
}

#[tokio::test(start_paused = true)]
async fn external_resources_are_never_touched() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    // The external network and volume exist already, without project labels.
    backend.create_network(&crate::backend::NetworkSpec { name: "shared".to_string(), ..Default::default() }).await.unwrap();
    backend.create_volume(&crate::backend::VolumeSpec { name: "cache".to_string(), ..Default::default() }).await.unwrap();
    let app = mount_volume(join_network(service("app", IMAGE, &[]), "outside"), "store", "/store");
    let mut project = with_volume(with_network(project("e", vec![app]), "outside"), "store");
    let network = project.networks.get_mut("outside").unwrap();
    network.external = true;
    network.name = Some("shared".to_string());
    let volume = project.volumes.get_mut("store").unwrap();
    volume.external = true;
    volume.name = Some("cache".to_string());

    let report = engine.up(&project, &UpOptions::default()).await.unwrap();
    assert!(report.networks_created.is_empty(), "{:?}", report.networks_created);
    assert!(report.volumes_created.is_empty(), "{:?}", report.volumes_created);
    assert_eq!(backend.spec("e-app-1").unwrap().networks[0].network, "shared");

    engine.down("e", &DownOptions { volumes: true, ..DownOptions::default() }).await.unwrap();
    assert_eq!(backend.resource_names(), (vec!["shared".to_string()], vec!["cache".to_string()]));
}

#[tokio::test(start_paused = true)]
async fn resources_carry_labels_and_driver_options() {
    use perry_stack_schema::yaml::{Node, Value};
    use perry_stack_schema::Span;
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    let options = |key: &str, value: &str| {
        let entry = (Node::new(Value::String(key.to_string()), Span::default()), Node::new(Value::String(value.to_string()), Span::default()));
        Node::new(Value::Mapping(vec![entry]), Span::default())
    };
    let app = mount_volume(join_network(service("app", IMAGE, &[]), "back"), "data", "/data");
    let mut project = with_volume(with_network(project("l", vec![app]), "back"), "data");
    let network = project.networks.get_mut("back").unwrap();
    network.internal = true;
    network.unsupported.insert("driver_opts".to_string(), options("com.docker.network.driver.mtu", "1400"));
    project.volumes.get_mut("data").unwrap().unsupported.insert("driver_opts".to_string(), options("type", "tmpfs"));

    engine.up(&project, &UpOptions::default()).await.unwrap();

    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), "l".to_string())]);
    let networks = backend.list_networks(&filter).await.unwrap();
    let back = networks.iter().find(|network| network.name == "l_back").expect("l_back exists");
    assert_eq!(back.labels.get("com.docker.compose.network").map(String::as_str), Some("back"));
    let (networks, volumes) = backend.resource_names();
    assert_eq!(networks, ["l_back"]);
    assert_eq!(volumes, ["l_data"]);
    let created = backend.created_network("l_back").unwrap();
    assert!(created.internal);
    assert_eq!(created.options.get("com.docker.network.driver.mtu").map(String::as_str), Some("1400"));
    assert_eq!(backend.created_volume("l_data").unwrap().options.get("type").map(String::as_str), Some("tmpfs"));
}

/// Builds a project with a changed db and a new service that needs it, and
/// a mock on which that new service fails to start.
fn changed_db_with_failing_dependent() -> (Project, MockBackend) {
    let late = depends_on(service("late", IMAGE, &["serve"]), "db", Condition::ServiceStarted);
    let project = project("x", vec![service("db", IMAGE, &["serve", "--v2"]), late]);
    let backend = MockBackend::new().with_fault(Operation::StartContainer, Some("x-late-1"), Fault::Fail("injected".to_string()));
    (project, backend)
}

#[tokio::test(start_paused = true)]
async fn rollback_restores_a_recreated_container() {
    let (changed, backend) = changed_db_with_failing_dependent();
    let backend = Arc::new(backend);
    let engine = Engine::new(backend.clone());
    let first = engine.up(&project("x", vec![service("db", IMAGE, &["serve"])]), &UpOptions::default()).await.unwrap();

    let error = engine.up(&changed, &UpOptions::default()).await.expect_err("late fails to start");
    assert!(error.to_string().contains("x-late-1"), "{error}");

    let (containers, _, _) = state(&backend, "x").await;
    assert_eq!(containers, BTreeMap::from([("x-db-1".to_string(), true)]));
    let db = backend.inspect_container("x-db-1").await.unwrap();
    assert_eq!(db.id, first.services[0].container_id, "the container from before the run is back");
    assert_eq!(backend.spec("x-db-1").unwrap().command, Some(vec!["serve".to_string()]));
}

#[tokio::test(start_paused = true)]
async fn halt_keeps_recreated_container() {
    let (changed, backend) = changed_db_with_failing_dependent();
    let backend = Arc::new(backend);
    let engine = Engine::new(backend.clone());
    let first = engine.up(&project("x", vec![service("db", IMAGE, &["serve"])]), &UpOptions::default()).await.unwrap();

    let options = UpOptions { on_failure: FailureStrategy::HaltGraph, ..UpOptions::default() };
    engine.up(&changed, &options).await.expect_err("late fails to start");

    let (containers, _, _) = state(&backend, "x").await;
    assert_eq!(containers, BTreeMap::from([("x-db-1".to_string(), true), ("x-late-1".to_string(), false)]));
    let db = backend.inspect_container("x-db-1").await.unwrap();
    assert_ne!(db.id, first.services[0].container_id, "db was recreated before late failed");
}

#[tokio::test(start_paused = true)]
async fn failed_retirement_restores_the_old_container() {
    // The stop comes after the rename, so its fault targets the new name:
    // the first 12 characters of the mock's first id, then the old name.
    for (operation, target, strategy) in [
        (Operation::RenameContainer, "x-db-1", FailureStrategy::RollbackAll),
        (Operation::StopContainer, "mock00000000_x-db-1", FailureStrategy::RollbackAll),
        (Operation::StopContainer, "mock00000000_x-db-1", FailureStrategy::HaltGraph),
    ] {
        let backend = Arc::new(MockBackend::new().with_fault(operation, Some(target), Fault::Fail("injected".to_string())));
        let engine = Engine::new(backend.clone());
        let first = engine.up(&project("x", vec![service("db", IMAGE, &["serve"])]), &UpOptions::default()).await.unwrap();

        let options = UpOptions { on_failure: strategy, ..UpOptions::default() };
        let changed = project("x", vec![service("db", IMAGE, &["serve", "--v2"])]);
        let error = engine.up(&changed, &options).await.expect_err("the injected fault fails up");
        let context = format!("{operation:?} under {strategy:?}: {error}");
        let verb = if operation == Operation::RenameContainer { "rename" } else { "stop" };
        assert!(error.to_string().contains(&format!("{verb} container x-db-1 of service db")), "{context}");

        let (containers, _, _) = state(&backend, "x").await;
        assert_eq!(containers, BTreeMap::from([("x-db-1".to_string(), true)]), "{context}");
        assert_eq!(backend.inspect_container("x-db-1").await.unwrap().id, first.services[0].container_id, "{context}");
    }
}

#[tokio::test(start_paused = true)]
async fn rollback_restarts_scaled_down_replicas() {
    let late = depends_on(service("late", IMAGE, &["serve"]), "w", Condition::ServiceStarted);
    let backend = Arc::new(MockBackend::new().with_fault(Operation::StartContainer, Some("s-late-1"), Fault::Fail("injected".to_string())));
    let engine = Engine::new(backend.clone());
    let three = engine.up(&project("s", vec![scale(service("w", IMAGE, &["serve"]), 3)]), &UpOptions::default()).await.unwrap();

    engine.up(&project("s", vec![scale(service("w", IMAGE, &["serve"]), 1), late]), &UpOptions::default()).await.expect_err("late fails to start");

    let (containers, _, _) = state(&backend, "s").await;
    let want: BTreeMap<String, bool> = ["s-w-1", "s-w-2", "s-w-3"].into_iter().map(|name| (name.to_string(), true)).collect();
    assert_eq!(containers, want);
    for report in &three.services {
        assert_eq!(backend.inspect_container(&report.container_name).await.unwrap().id, report.container_id);
    }
}

#[tokio::test(start_paused = true)]
async fn recreate_removes_the_replaced_container_after_success() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    engine.up(&project("k", vec![service("db", IMAGE, &["serve"])]), &UpOptions::default()).await.unwrap();
    let changed = engine.up(&project("k", vec![service("db", IMAGE, &["serve", "--v2"])]), &UpOptions::default()).await.unwrap();
    assert!(changed.services[0].recreated);
    assert!(changed.removed.is_empty(), "a recreate is not a removal: {:?}", changed.removed);

    let (containers, _, _) = state(&backend, "k").await;
    assert_eq!(containers, BTreeMap::from([("k-db-1".to_string(), true)]));
    let calls = backend.calls();
    let renamed = calls.iter().position(|call| call.operation == Operation::RenameContainer && call.target == "k-db-1").expect("the old container is renamed");
    let created = calls.iter().rposition(|call| call.operation == Operation::CreateContainer && call.target == "k-db-1").unwrap();
    assert!(renamed < created, "the name is freed before the replacement takes it");
}

#[tokio::test(start_paused = true)]
async fn recreate_without_rename_removes_first() {
    let capabilities = crate::backend::Capabilities {
        unsupported: [crate::backend::Feature::Rename].into(),
        ..crate::backend::Capabilities::default()
    };
    let backend = Arc::new(MockBackend::new().with_capabilities(capabilities));
    let engine = Engine::new(backend.clone());
    engine.up(&project("n", vec![service("db", IMAGE, &["serve"])]), &UpOptions::default()).await.unwrap();
    let changed = engine.up(&project("n", vec![service("db", IMAGE, &["serve", "--v2"])]), &UpOptions::default()).await.unwrap();

    assert!(changed.services[0].recreated);
    let calls = backend.calls();
    assert!(!calls.iter().any(|call| call.operation == Operation::RenameContainer), "{calls:?}");
    let removed = calls.iter().position(|call| call.operation == Operation::RemoveContainer && call.target == "n-db-1").expect("the old container goes");
    let created = calls.iter().rposition(|call| call.operation == Operation::CreateContainer && call.target == "n-db-1").unwrap();
    assert!(removed < created);
}

#[tokio::test(start_paused = true)]
async fn early_creates_skip_existing_resources() {
    let late = mount_volume(depends_on(service("late", IMAGE, &["serve"]), "a", Condition::ServiceStarted), "data", "/data");
    let backend = Arc::new(
        MockBackend::new().with_exclusive_creates().with_fault(Operation::StartContainer, Some("e-late-1"), Fault::Fail("injected".to_string())),
    );
    let engine = Engine::new(backend.clone());
    let first = with_volume(project("e", vec![mount_volume(service("a", IMAGE, &["serve"]), "data", "/data")]), "data");
    let report = engine.up(&first, &UpOptions::default()).await.unwrap();
    assert_eq!((report.networks_created, report.volumes_created), (vec!["e_default".to_string()], vec!["e_data".to_string()]));

    // The second run's creates fail on the existing network and volume,
    // which is no error; its rollback must leave both in place.
    let second = with_volume(project("e", vec![mount_volume(service("a", IMAGE, &["serve"]), "data", "/data"), late]), "data");
    let error = engine.up(&second, &UpOptions::default()).await.unwrap_err();
    assert!(error.to_string().contains("e-late-1"), "{error}");
    let (containers, networks, volumes) = state(&backend, "e").await;
    assert_eq!(containers, BTreeMap::from([("e-a-1".to_string(), true)]));
    assert_eq!((networks, volumes), (vec!["e_default".to_string()], vec!["e_data".to_string()]));
    let creates = backend.calls().iter().filter(|call| call.operation == Operation::CreateNetwork && call.target == "e_default").count();
    assert_eq!(creates, 2, "the second run tried to create the network while listing");
}

#[tokio::test(start_paused = true)]
async fn scale_down_stops_replicas_together() {
    let backend = Arc::new(MockBackend::new().with_latency(Operation::StopContainer, None, 10 * SECOND));
    let engine = Engine::new(backend.clone());
    engine.up(&project("t", vec![scale(service("w", IMAGE, &["serve"]), 3)]), &UpOptions::default()).await.unwrap();
    let one = engine.up(&project("t", vec![scale(service("w", IMAGE, &["serve"]), 1)]), &UpOptions::default()).await.unwrap();

    assert_eq!(one.removed, ["t-w-2", "t-w-3"]);
    let stops: Vec<Duration> = backend.calls().iter().filter(|call| call.operation == Operation::StopContainer).map(|call| call.at).collect();
    assert_eq!(stops.len(), 2, "{stops:?}");
    assert!(stops[1] - stops[0] < SECOND, "the second stop did not wait for the first: {stops:?}");
}

/// Builds a project whose `web` mounts the external volume `outside-data` and
/// joins the external network `outside-net`, and whose `other` uses neither.
fn external_project() -> Project {
    let web = join_network(mount_volume(service("web", IMAGE, &["serve"]), "data", "/data"), "outside");
    let mut project = with_network(with_volume(project("x", vec![web, service("other", IMAGE, &["serve"])]), "data"), "outside");
    let volume = project.volumes.get_mut("data").unwrap();
    volume.external = true;
    volume.name = Some("outside-data".to_string());
    let network = project.networks.get_mut("outside").unwrap();
    network.external = true;
    network.name = Some("outside-net".to_string());
    project
}

#[tokio::test(start_paused = true)]
async fn missing_external_volume_creates_nothing() {
    let backend = Arc::new(MockBackend::new());
    let network = crate::backend::NetworkSpec { name: "outside-net".to_string(), ..Default::default() };
    backend.create_network(&network).await.unwrap();
    let engine = Engine::new(backend.clone());

    let error = engine.up(&external_project(), &UpOptions::default()).await.expect_err("the external volume is missing");

    match &error {
        EngineError::ExternalNotFound { kind, name, key, service, .. } => {
            assert_eq!(*kind, "volume");
            assert_eq!(name, "outside-data");
            assert_eq!(key, "volumes.data");
            assert_eq!(service, "web");
        }
        other => panic!("expected ExternalNotFound, got {other:?}"),
    }
    assert!(error.to_string().contains("external volume outside-data not found"), "{error}");
    let creates: Vec<_> = backend
        .calls()
        .into_iter()
        .filter(|call| matches!(call.operation, Operation::CreateNetwork | Operation::CreateVolume | Operation::CreateContainer))
        .filter(|call| call.target != "outside-net")
        .collect();
    assert!(creates.is_empty(), "up created {creates:?}");
    assert_eq!(backend.resource_names(), (vec!["outside-net".to_string()], Vec::new()));
}

#[tokio::test(start_paused = true)]
async fn missing_external_network_names_its_key() {
    let backend = Arc::new(MockBackend::new());
    let volume = crate::backend::VolumeSpec { name: "outside-data".to_string(), ..Default::default() };
    backend.create_volume(&volume).await.unwrap();
    let engine = Engine::new(backend.clone());

    let error = engine.up(&external_project(), &UpOptions::default()).await.expect_err("the external network is missing");

    let message = error.to_string();
    assert!(message.contains("external network outside-net not found"), "{message}");
    assert!(message.contains("networks.outside"), "{message}");
    assert!(message.contains("service web"), "{message}");
    assert!(!backend.calls().iter().any(|call| call.operation == Operation::CreateContainer));
}

#[tokio::test(start_paused = true)]
async fn present_externals_are_used_not_created() {
    let backend = Arc::new(MockBackend::new());
    backend.create_network(&crate::backend::NetworkSpec { name: "outside-net".to_string(), ..Default::default() }).await.unwrap();
    backend.create_volume(&crate::backend::VolumeSpec { name: "outside-data".to_string(), ..Default::default() }).await.unwrap();
    let engine = Engine::new(backend.clone());

    let report = engine.up(&external_project(), &UpOptions::default()).await.unwrap();

    assert_eq!(report.networks_created, ["x_default"]);
    assert!(report.volumes_created.is_empty(), "{:?}", report.volumes_created);
    let spec = backend.spec("x-web-1").unwrap();
    assert_eq!(spec.mounts[0].source.as_deref(), Some("outside-data"));
    assert_eq!(spec.networks[0].network, "outside-net");
}

#[tokio::test(start_paused = true)]
async fn unselected_service_needs_no_externals() {
    let backend = Arc::new(MockBackend::new());
    let engine = Engine::new(backend.clone());
    let options = UpOptions { services: vec!["other".to_string()], ..UpOptions::default() };

    let report = engine.up(&external_project(), &options).await.unwrap();

    assert_eq!(report.services.len(), 1);
    assert_eq!(report.services[0].service, "other");
}
