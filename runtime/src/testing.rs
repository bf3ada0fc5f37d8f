//! Builders of [`Project`] values for tests that do not load YAML.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use perry_stack_schema::{Condition, Dependency, Healthcheck, Mount, MountKind, Project, Service, Span, Volume};

/// A project named `name` with the given services and no file.
pub fn project(name: &str, services: Vec<Service>) -> Project {
    Project {
        name: Some(name.to_string()),
        services: services.into_iter().map(|service| (service.name.clone(), service)).collect(),
        networks: BTreeMap::new(),
        volumes: BTreeMap::new(),
        unsupported: BTreeMap::new(),
        file: PathBuf::from("compose.yaml"),
        files: Vec::new(),
    }
}

/// Declares a named volume under the project's top-level `volumes`.
pub fn with_volume(mut project: Project, name: &str) -> Project {
    project.volumes.insert(name.to_string(), Volume::default());
    project
}

/// A service running `command` on `image`, on the default network.
pub fn service(name: &str, image: &str, command: &[&str]) -> Service {
    Service {
        name: name.to_string(),
        span: Span::default(),
        image: Some(image.to_string()),
        command: (!command.is_empty()).then(|| command.iter().map(|word| word.to_string()).collect()),
        entrypoint: None,
        environment: BTreeMap::new(),
        env_file: Vec::new(),
        ports: Vec::new(),
        volumes: Vec::new(),
        depends_on: BTreeMap::new(),
        healthcheck: None,
        networks: BTreeMap::new(),
        labels: BTreeMap::new(),
        restart: None,
        container_name: None,
        working_dir: None,
        user: None,
        profiles: Vec::new(),
        unsupported: BTreeMap::new(),
    }
}

/// Adds a `depends_on` entry.
pub fn depends_on(mut service: Service, dependency: &str, condition: Condition) -> Service {
    service
        .depends_on
        .insert(dependency.to_string(), Dependency { span: Span::default(), condition, condition_span: Span::default(), restart: false, required: true });
    service
}

/// Sets a healthcheck with the given test, interval and retries, and a
/// timeout of 5 s: one `podman exec` alone takes up to about 0.2 s on a
/// 2-core machine, so a timeout as short as a test's interval would fail.
pub fn healthcheck(mut service: Service, test: &[&str], interval: Duration, retries: u32) -> Service {
    service.healthcheck = Some(Healthcheck {
        span: Span::default(),
        test: test.iter().map(|word| word.to_string()).collect(),
        interval: Some(interval),
        timeout: Some(Duration::from_secs(5)),
        retries: Some(retries),
        start_period: None,
        start_interval: None,
        disable: false,
    });
    service
}

/// Mounts the named volume `volume` at `target`.
pub fn mount_volume(mut service: Service, volume: &str, target: &str) -> Service {
    service.volumes.push(Mount {
        span: Span::default(),
        kind: MountKind::Volume,
        source: Some(volume.to_string()),
        target: target.to_string(),
        read_only: false,
        create_host_path: false,
        unsupported: BTreeMap::new(),
    });
    service
}

/// Mounts the host path `source` at `target`.
pub fn mount_bind(mut service: Service, source: &str, target: &str) -> Service {
    service.volumes.push(Mount {
        span: Span::default(),
        kind: MountKind::Bind,
        source: Some(source.to_string()),
        target: target.to_string(),
        read_only: false,
        create_host_path: false,
        unsupported: BTreeMap::new(),
    });
    service
}

/// Sets `build` to `{context: CONTEXT}`, as the loader keeps it among a
/// service's unparsed keys, and removes `image`.
pub fn build(mut service: Service, context: &str) -> Service {
    use perry_stack_schema::yaml::{Node, Value};
    let key = Node::new(Value::String("context".to_string()), Span::default());
    let value = Node::new(Value::String(context.to_string()), Span::default());
    service.unsupported.insert("build".to_string(), Node::new(Value::Mapping(vec![(key, value)]), Span::default()));
    service.image = None;
    service
}

/// Sets `scale`, which the model keeps among a service's unparsed keys.
pub fn scale(mut service: Service, replicas: i64) -> Service {
    let node = perry_stack_schema::yaml::Node::new(perry_stack_schema::yaml::Value::Int(replicas), Span::default());
    service.unsupported.insert("scale".to_string(), node);
    service
}

/// Joins the service to the declared network `network`.
pub fn join_network(mut service: Service, network: &str) -> Service {
    service.networks.insert(network.to_string(), Default::default());
    service
}

/// Declares a network under the project's top-level `networks`.
pub fn with_network(mut project: Project, name: &str) -> Project {
    project.networks.insert(name.to_string(), Default::default());
    project
}
