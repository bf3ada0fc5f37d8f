//! The engine-backed implementation on a mock backend.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::backend::MockBackend;
use crate::ffi::generated::*;
use crate::ffi::typed::TypedHandle;

fn on_mock() -> Arc<MockBackend> {
    let mock = Arc::new(MockBackend::new());
    backends::install("mock", mock.clone());
    mock
}

fn service(image: &str, command: &[&str], depends_on: &[&str]) -> ComposeService {
    ComposeService {
        image: Some(image.to_owned()),
        command: Some(ComposeCommand::List(command.iter().map(|word| (*word).to_owned()).collect())),
        depends_on: (!depends_on.is_empty()).then(|| ComposeDependsOn::List(depends_on.iter().map(|name| (*name).to_owned()).collect())),
        ..ComposeService::default()
    }
}

fn spec(name: Option<&str>, services: &[(&str, ComposeService)]) -> ComposeSpec {
    ComposeSpec {
        name: name.map(str::to_owned),
        services: services.iter().cloned().map(|(name, service)| (name.to_owned(), service)).collect::<BTreeMap<_, _>>(),
        networks: None,
        volumes: None,
    }
}

fn block<T>(future: crate::ffi::ApiFuture<T>) -> Result<T, ApiError> {
    crate::ffi::bridge::runtime().unwrap().block_on(future)
}

// One test drives the whole sequence, because the installed backend and
// the held projects are process-wide.
#[test]
fn compose_on_mock_backend() {
    let mock = on_mock();
    let web = spec(Some("unit-web"), &[("web", service("busybox", &["sleep", "1"], &[]))]);

    let stack = block(EngineApi.up(web.clone(), None)).unwrap();
    assert_eq!(mock.spec("unit-web-web-1").map(|spec| spec.image), Some("busybox".to_owned()));

    let again = block(EngineApi.up(web.clone(), None)).unwrap();
    assert_eq!(again.handle(), stack.handle(), "the same spec keeps its stack");

    let other = spec(Some("unit-web"), &[("web", service("busybox", &["sleep", "2"], &[]))]);
    let error = block(EngineApi.up(other.clone(), None)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "compose.up: project unit-web is already used by a stack of another spec in this process; give this spec its own `name`, or take the other stack down first"
    );

    let listed = block(ComposeApi::ps(&EngineApi, stack)).unwrap();
    assert_eq!(listed.iter().map(|info| info.name.as_str()).collect::<Vec<_>>(), ["unit-web-web-1"]);
    assert_eq!(listed[0].service.as_deref(), Some("web"));

    block(ComposeApi::down(&EngineApi, stack, None)).unwrap();
    assert!(mock.spec("unit-web-web-1").is_none(), "down removed the container");
    let reused = block(EngineApi.up(other, None)).unwrap();
    block(ComposeApi::down(&EngineApi, reused, None)).unwrap();

    // `services` starts the named ones with their dependencies only.
    let three = spec(
        Some("unit-subset"),
        &[
            ("db", service("busybox", &["sleep", "1"], &[])),
            ("web", service("busybox", &["sleep", "1"], &["db"])),
            ("extra", service("busybox", &["sleep", "1"], &[])),
        ],
    );
    let options = UpOptions { services: Some(vec!["web".to_owned()]), wait: None, remove_orphans: None };
    let subset = block(EngineApi.up(three.clone(), Some(options))).unwrap();
    assert!(mock.spec("unit-subset-web-1").is_some());
    assert!(mock.spec("unit-subset-db-1").is_some());
    assert!(mock.spec("unit-subset-extra-1").is_none());
    block(ComposeApi::down(&EngineApi, subset, None)).unwrap();

    let unknown = UpOptions { services: Some(vec!["ghost".to_owned()]), wait: None, remove_orphans: None };
    let error = block(EngineApi.up(three.clone(), Some(unknown))).unwrap_err();
    assert_eq!(error.to_string(), "compose.up: `services` names ghost, which is not a service of the spec");
    let waiting = UpOptions { services: None, wait: Some(true), remove_orphans: None };
    let all = block(EngineApi.up(three, Some(waiting.clone()))).unwrap();
    block(ComposeApi::down(&EngineApi, all, None)).unwrap();

    // A failed up releases the project for the next spec.
    let no_image = spec(Some("unit-broken"), &[("web", ComposeService { image: None, ..service("x", &[], &[]) })]);
    assert!(block(EngineApi.up(no_image, None)).is_err());
    let fixed = spec(Some("unit-broken"), &[("web", service("busybox", &["true"], &[]))]);
    let stack = block(EngineApi.up(fixed, None)).unwrap();
    block(ComposeApi::down(&EngineApi, stack, None)).unwrap();

    assert_eq!(EngineApi.get_backend().unwrap(), "mock");

    healthy_dependency_waits_for_the_check();

    // `wait` fails when a container exits instead of running.
    let exiting = MockBackend::new().with_fault(
        crate::backend::Operation::StartContainer,
        Some("unit-exit-web-1"),
        crate::backend::Fault::ExitAfterStart { code: 3, after: std::time::Duration::ZERO },
    );
    backends::install("mock", Arc::new(exiting));
    let spec = spec(Some("unit-exit"), &[("web", service("busybox", &["false"], &[]))]);
    let error = block(EngineApi.up(spec, Some(waiting))).unwrap_err();
    assert_eq!(error.to_string(), "compose.up: service web exited with code 3 while up waited for it to run");
}

/// A spec whose `web` waits for `db` to pass `db`'s healthcheck, with `db`
/// mounting the named volume `data`.
fn healthy_spec(name: &str, retries: f64) -> ComposeSpec {
    let db = ComposeService {
        healthcheck: Some(ComposeHealthcheck {
            test: Some(ComposeCommand::List(vec!["CMD".to_owned(), "pg_isready".to_owned()])),
            interval: Some("10ms".to_owned()),
            timeout: Some("1s".to_owned()),
            retries: Some(retries),
            ..ComposeHealthcheck::default()
        }),
        volumes: Some(vec![ComposeVolumeMount::Long(ComposeServiceVolume {
            r#type: "volume".to_owned(),
            source: Some("data".to_owned()),
            target: "/var/lib/data".to_owned(),
            read_only: None,
        })]),
        ..service("busybox", &["sleep", "60"], &[])
    };
    let condition = ComposeDependency { condition: "service_healthy".to_owned(), restart: None, required: None };
    let web = ComposeService {
        depends_on: Some(ComposeDependsOn::Map(BTreeMap::from([("db".to_owned(), condition)]))),
        ..service("busybox", &["sleep", "60"], &[])
    };
    let volume = ComposeVolume { labels: Some(ComposeLabels::List(vec!["tier=data".to_owned()])), ..ComposeVolume::default() };
    ComposeSpec {
        volumes: Some(BTreeMap::from([("data".to_owned(), ComposeVolumeEntry::Settings(volume))])),
        ..spec(Some(name), &[("db", db), ("web", web)])
    }
}

/// The healthcheck, the `service_healthy` condition and the named volume of
/// a spec reach the engine: `web` starts only after `db`'s check passed,
/// and a check that keeps failing fails `up` after the declared retries.
fn healthy_dependency_waits_for_the_check() {
    use crate::backend::{ExecOutput, Fault, Operation};

    let failing = ExecOutput { exit_code: 1, stdout: "no response".to_owned(), stderr: String::new() };
    let passing = ExecOutput { exit_code: 0, ..ExecOutput::default() };
    let outputs = Fault::ExecOutputs(vec![failing.clone(), passing]);
    let mock = Arc::new(MockBackend::new().with_fault(Operation::Exec, Some("unit-healthy-db-1"), outputs));
    backends::install("mock", mock.clone());

    let stack = block(EngineApi.up(healthy_spec("unit-healthy", 3.0), None)).unwrap();
    let checks = mock.calls().iter().filter(|call| call.operation == Operation::Exec && call.target == "unit-healthy-db-1").count();
    assert_eq!(checks, 2, "one failed check, then one that passed");
    let last_check = mock.calls().iter().rev().find(|call| call.operation == Operation::Exec).map(|call| call.at).unwrap();
    let web_started = mock.first_call(Operation::StartContainer, "unit-healthy-web-1").unwrap();
    assert!(last_check < web_started, "web started before db was healthy");

    let volume = mock.created_volume("unit-healthy_data").unwrap();
    assert_eq!(volume.labels.get("tier").map(String::as_str), Some("data"));
    let mounts = mock.spec("unit-healthy-db-1").unwrap().mounts;
    assert_eq!(mounts.len(), 1);
    assert_eq!(mounts[0].source.as_deref(), Some("unit-healthy_data"));
    assert_eq!(mounts[0].target, "/var/lib/data");
    block(ComposeApi::down(&EngineApi, stack, None)).unwrap();

    let unhealthy = Arc::new(MockBackend::new().with_fault(Operation::Exec, Some("unit-sick-db-1"), Fault::ExecOutputs(vec![failing])));
    backends::install("mock", unhealthy.clone());
    let error = block(EngineApi.up(healthy_spec("unit-sick", 2.0), None)).unwrap_err();
    assert!(error.to_string().contains("db is unhealthy after 2 checks: last output: exit code 1: no response"), "{error}");
    assert!(unhealthy.spec("unit-sick-web-1").is_none_or(|_| unhealthy.first_call(Operation::StartContainer, "unit-sick-web-1").is_none()));
}

#[test]
fn misspelled_key_names_the_key() {
    let text = r#"{"services": {"web": {"image": "busybox", "depends_on": {"db": {"conditon": "service_healthy"}}}}}"#;
    let error = serde_json::from_str::<ComposeSpec>(text).unwrap_err().to_string();
    assert!(error.contains("unknown field `conditon`"), "{error}");

    let text = r#"{"services": {"web": {"image": "busybox", "helthcheck": {}}}}"#;
    let error = serde_json::from_str::<ComposeSpec>(text).unwrap_err().to_string();
    assert!(error.contains("unknown field `helthcheck`"), "{error}");

    let text = r#"{"services": {"web": {"command": 3}}}"#;
    let error = serde_json::from_str::<ComposeSpec>(text).unwrap_err().to_string();
    assert!(error.starts_with("invalid type: a number, expected a string or an array"), "{error}");
}

#[test]
fn undefined_condition_is_rejected() {
    let text = r#"{"services": {"db": {"image": "busybox"}, "web": {"image": "busybox", "depends_on": {"db": {"condition": "service_ready"}}}}}"#;
    let spec: ComposeSpec = serde_json::from_str(text).unwrap();
    let error = block(EngineApi.config(spec)).unwrap_err().to_string();
    assert!(error.starts_with("compose.config: invalid spec:\n"), "{error}");
    assert!(error.contains("service_ready"), "{error}");
}

#[test]
fn short_and_long_forms_round_trip() {
    let text = r#"{"services": {"web": {
        "image": "busybox",
        "command": "sleep 60",
        "environment": {"A": "1", "B": null},
        "ports": ["8080:80", 81, {"target": 82, "published": 8082}],
        "volumes": ["data:/data:ro"],
        "networks": {"front": {"aliases": ["www"]}, "back": null},
        "labels": ["a=b"]
    }}, "networks": {"front": null, "back": {"internal": true}}, "volumes": {"data": null}}"#;
    let spec: ComposeSpec = serde_json::from_str(text).unwrap();
    let web = &spec.services["web"];
    assert_eq!(web.command, Some(ComposeCommand::Text("sleep 60".to_owned())));
    assert!(matches!(&web.ports.as_ref().unwrap()[1], ComposePort::Target(port) if *port == 81.0));
    assert_eq!(serde_json::from_value::<ComposeSpec>(serde_json::to_value(&spec).unwrap()).unwrap(), spec);

    // Every form goes through the loader, numbers included.
    let yaml = block(EngineApi.config(ComposeSpec { name: Some("forms".to_owned()), ..spec })).unwrap();
    for expected in ["target: 81", "published: \"8082\"", "- www", "internal: true", "B: null"] {
        assert!(yaml.contains(expected), "{expected} in {yaml}");
    }
}

/// Every declared key of a service and of the top-level networks and
/// volumes is one the loader accepts.
#[test]
fn every_declared_key_loads() {
    let text = r#"{"name": "keys", "services": {
        "db": {
            "image": "busybox",
            "entrypoint": ["sh", "-c"],
            "command": ["sleep 60"],
            "environment": ["A=1", "B"],
            "volumes": [{"type": "bind", "source": "/srv", "target": "/srv", "read_only": true}, {"type": "tmpfs", "target": "/tmp"}],
            "healthcheck": {"test": "true", "interval": "1s", "timeout": "2s", "start_period": "3s", "start_interval": "500ms", "retries": 4, "disable": false},
            "networks": ["back"],
            "labels": {"tier": "data"},
            "restart": "on-failure:3",
            "user": "1000:1000",
            "working_dir": "/srv",
            "container_name": "keys-db"
        },
        "web": {
            "image": "busybox",
            "ports": [{"target": 80, "published": "8000-8001", "host_ip": "127.0.0.1", "protocol": "udp", "name": "web", "app_protocol": "http", "mode": "host"}],
            "depends_on": {"db": {"condition": "service_healthy", "restart": true, "required": false}},
            "scale": 2,
            "deploy": {"replicas": 2}
        }
    },
    "networks": {"back": {"name": "keys-back", "driver": "bridge", "driver_opts": {"mtu": "1400"}, "external": false, "internal": true, "labels": ["a=b"]}},
    "volumes": {"data": {"name": "keys-data", "driver": "local", "driver_opts": {"type": "tmpfs"}, "external": false, "labels": {"a": "b"}}}}"#;
    let spec: ComposeSpec = serde_json::from_str(text).unwrap();
    let yaml = block(EngineApi.config(spec)).unwrap();
    for expected in ["start_interval: 500ms", "condition: service_healthy", "required: false", "mode: host", "restart: on-failure:3", "mtu: \"1400\""] {
        assert!(yaml.contains(expected), "{expected} in {yaml}");
    }
}

#[test]
fn spec_values_are_literal() {
    let spec = spec(Some("literal"), &[("web", service("busybox", &["echo", "$HOME", "$${X}"], &[]))]);
    let yaml = block(EngineApi.config(spec)).unwrap();
    assert!(yaml.contains("$HOME"), "{yaml}");
    assert!(yaml.contains("$${X}"), "{yaml}");
}

#[test]
fn invalid_spec_names_the_problem() {
    let spec = spec(Some("broken"), &[("web", service("busybox", &[], &["ghost"]))]);
    let error = block(EngineApi.config(spec)).unwrap_err().to_string();
    assert!(error.starts_with("compose.config: invalid spec:\n"), "{error}");
    assert!(error.ends_with("<compose.config spec>:7:9: service `web` depends on undefined service `ghost`"), "{error}");
}

#[test]
fn project_name_falls_back_to_digest() {
    let named = spec(Some("My_App"), &[("web", service("busybox", &[], &[]))]);
    assert_eq!(compose::project_name("compose.up", &named, "abc").unwrap(), "my_app");

    let unnamed = spec(None, &[("web", service("busybox", &[], &[]))]);
    let digest = compose::digest("compose.up", &unnamed).unwrap();
    assert_eq!(digest.len(), 12);
    assert_eq!(digest, compose::digest("compose.up", &unnamed.clone()).unwrap());
    if std::env::var_os("COMPOSE_PROJECT_NAME").is_none() {
        assert_eq!(compose::project_name("compose.up", &unnamed, &digest).unwrap(), format!("perry-{digest}"));
    }
    let other = spec(None, &[("api", service("busybox", &[], &[]))]);
    assert_ne!(compose::digest("compose.up", &other).unwrap(), digest, "different specs get different projects");
}

#[test]
fn container_spec_maps_ports_and_mounts() {
    let spec = ContainerSpec {
        image: "busybox".to_owned(),
        name: None,
        command: None,
        entrypoint: None,
        env: None,
        ports: Some(vec![PortMapping { container_port: 80.0, host_port: Some(8080.0), host_ip: None, protocol: None }]),
        volumes: Some(vec!["data:/data:ro".to_owned(), "/srv:/srv".to_owned()]),
        labels: None,
        network: None,
        workdir: None,
        user: None,
    };
    let mapped = container::backend_spec("container.run", spec.clone()).unwrap();
    assert!(mapped.name.starts_with("perry-"), "{}", mapped.name);
    assert_eq!(mapped.labels.get(container::MANAGED_LABEL).map(String::as_str), Some("true"));
    assert_eq!(mapped.ports[0].target, 80);
    assert_eq!(mapped.ports[0].published.as_deref(), Some("8080"));
    assert_eq!(mapped.ports[0].protocol, "tcp");
    assert_eq!(mapped.mounts[0].source.as_deref(), Some("data"));
    assert!(mapped.mounts[0].read_only);
    assert_eq!(mapped.mounts[1].kind, crate::backend::MountType::Bind);

    let fractional = ContainerSpec { ports: Some(vec![PortMapping { container_port: 80.5, host_port: None, host_ip: None, protocol: None }]), ..spec };
    let error = container::backend_spec("container.run", fractional).unwrap_err();
    assert_eq!(error.to_string(), "container.run: `containerPort` must be a whole number from 1 to 65535, received 80.5");
}
