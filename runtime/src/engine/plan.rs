//! Turning a [`Project`] into the runtime objects to create: names, labels,
//! container specs and the dependency graph.

use std::collections::{BTreeMap, BTreeSet};

use perry_stack_schema::yaml::{Node, Value as NodeValue};
use perry_stack_schema::{Condition, Healthcheck, MountKind, Project};
use sha2::{Digest, Sha256};

use super::EngineError;
use crate::backend::{BuildSpec, ContainerSpec, MountSpec, MountType, NetworkAttachment, NetworkSpec, PortSpec, Subnet, VolumeSpec};

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const CONTAINER_NUMBER_LABEL: &str = "com.docker.compose.container-number";
pub const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";
pub const CONFIG_HASH_LABEL: &str = "com.docker.compose.config-hash";
/// The id of the image that a built service's containers run, so that a
/// rebuilt image changes the config hash.
pub const IMAGE_LABEL: &str = "com.docker.compose.image";
/// The service's dependencies as `service:condition:restart`, comma-separated,
/// which lets `down` order removal without the compose file.
pub const DEPENDS_ON_LABEL: &str = "com.docker.compose.depends_on";
pub const NETWORK_LABEL: &str = "com.docker.compose.network";
pub const VOLUME_LABEL: &str = "com.docker.compose.volume";
/// The service's `stop_grace_period` in whole seconds, which `down`, `stop`
/// and a recreate give the container unless the caller sets a timeout.
pub const STOP_GRACE_LABEL: &str = "dev.perry-stack.stop-grace-period";

/// The stop timeout when neither the caller nor the service sets one, as in
/// docker compose.
pub const DEFAULT_STOP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Returns how long the container with `labels` may take to stop: the
/// `explicit` timeout of the caller, else its service's grace period.
pub(crate) fn stop_timeout(explicit: Option<std::time::Duration>, labels: &BTreeMap<String, String>) -> std::time::Duration {
    let grace = || labels.get(STOP_GRACE_LABEL).and_then(|seconds| seconds.parse().ok()).map(std::time::Duration::from_secs);
    explicit.or_else(grace).unwrap_or(DEFAULT_STOP_TIMEOUT)
}

/// The environment variable that names the project when the file does not.
pub const PROJECT_NAME_VARIABLE: &str = "COMPOSE_PROJECT_NAME";

pub use perry_stack_schema::compose::load::normalize_project_name;

/// Picks the project name as docker compose does: `explicit` (a command-line
/// or option override), else `COMPOSE_PROJECT_NAME`, else the file's `name`,
/// else the name of the folder that contains the compose file. A name from the
/// option or the variable must already be valid, so that a typo cannot
/// address another project.
pub fn resolve_project_name(project: &Project, explicit: Option<&str>) -> Result<String, EngineError> {
    let environment = perry_stack_schema::compose::load::ProcessEnvironment;
    perry_stack_schema::compose::load::checked_project_name(project, explicit, Some(&environment)).map_err(|diagnostic| {
        let help = diagnostic.help.map(|help| format!("; {help}")).unwrap_or_default();
        EngineError::ProjectName(format!("{}{help}", diagnostic.message))
    })
}

/// One service, ready to create.
#[derive(Clone, Debug)]
pub(crate) struct PlannedService {
    pub name: String,
    /// The spec of replica 1; [`PlannedService::replica`] derives the others.
    pub spec: ContainerSpec,
    pub depends_on: BTreeMap<String, Condition>,
    /// Dependencies whose recreation restarts this service (`restart: true`).
    pub restart_on: BTreeSet<String>,
    /// Dependencies declared `required: false`: their failure only warns.
    pub optional: BTreeSet<String>,
    pub healthcheck: Option<Healthcheck>,
    /// How many containers the service runs (`scale`, `deploy.replicas`).
    pub replicas: u32,
    /// Whether `container_name` fixed the name, which allows one replica only.
    pub fixed_name: bool,
    /// The image to build before the containers are created.
    pub build: Option<BuildSpec>,
    /// The services whose containers this one joins or mounts from
    /// (`service:NAME` in `network_mode`, `ipc` or `pid`, and `volumes_from`).
    pub joins: BTreeSet<String>,
}

impl PlannedService {
    /// Returns the spec of container number `number` (from 1).
    pub fn replica(&self, project: &str, number: u32) -> ContainerSpec {
        let mut spec = self.spec.clone();
        if !self.fixed_name {
            spec.name = format!("{project}-{}-{number}", self.name);
        }
        spec.labels.insert(CONTAINER_NUMBER_LABEL.to_string(), number.to_string());
        spec
    }

    /// Sets the config hash label from the spec and the healthcheck. The
    /// hash leaves out the name and number, so every replica shares it.
    pub fn rehash(&mut self) {
        let mut hashed = self.spec.clone();
        hashed.name.clear();
        hashed.labels.remove(CONTAINER_NUMBER_LABEL);
        hashed.labels.remove(CONFIG_HASH_LABEL);
        // As in docker compose, when to pull is no part of the configuration.
        hashed.options.pull = None;
        let hash = config_hash(&hashed, self.healthcheck.as_ref());
        self.spec.labels.insert(CONFIG_HASH_LABEL.to_string(), hash);
    }
}

/// Everything `up` creates for one project.
#[derive(Debug)]
pub(crate) struct Plan {
    pub project: String,
    pub services: BTreeMap<String, PlannedService>,
    pub networks: Vec<NetworkSpec>,
    pub volumes: Vec<VolumeSpec>,
    /// Networks and volumes declared `external: true`, which `up` must find
    /// instead of creating. One entry per service that uses one.
    pub externals: Vec<ExternalResource>,
    /// Things the plan left out, such as a missing optional dependency.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Sets the config hash of every service. A service that joins another's
    /// containers takes their hashes into its own, so that recreating the
    /// other recreates it too: it would keep the old container's namespace.
    pub fn rehash(&mut self) {
        for service in self.services.values_mut() {
            service.rehash();
        }
        let mut hashes = BTreeMap::new();
        for name in self.services.keys() {
            joined_hash(&self.services, name, &mut hashes);
        }
        for (name, service) in &mut self.services {
            service.spec.labels.insert(CONFIG_HASH_LABEL.to_string(), hashes[name].clone());
        }
    }
}

/// Returns the hash of `name` with those of the services it joins, in name
/// order, folded in. The dependency check ruled out cycles, and each
/// joined service is a dependency.
fn joined_hash(services: &BTreeMap<String, PlannedService>, name: &str, hashes: &mut BTreeMap<String, String>) -> String {
    if let Some(hash) = hashes.get(name) {
        return hash.clone();
    }
    let service = &services[name];
    let mut hash = service.spec.labels[CONFIG_HASH_LABEL].clone();
    // Marks `name` as in progress, so that a cycle ends here.
    hashes.insert(name.to_string(), hash.clone());
    for other in service.joins.iter().filter(|other| services.contains_key(*other)) {
        hash = sha256_hex(&format!("{hash}{}", joined_hash(services, other, hashes)));
    }
    hashes.insert(name.to_string(), hash.clone());
    hash
}

/// Reads `deploy.restart_policy` as a restart policy in the runtime's words,
/// which docker compose applies when the service sets no `restart`.
fn deploy_restart_policy(service: &perry_stack_schema::Service) -> Option<String> {
    let policy = service.unsupported.get("deploy")?.get("restart_policy")?;
    let condition = policy.get("condition").and_then(Node::scalar_text).unwrap_or_else(|| "any".to_string());
    match condition.as_str() {
        "none" | "no" => Some("no".to_string()),
        "any" | "always" => Some("always".to_string()),
        "unless-stopped" => Some("unless-stopped".to_string()),
        "on-failure" => Some(match policy.get("max_attempts").and_then(Node::scalar_text) {
            Some(attempts) => format!("on-failure:{attempts}"),
            None => "on-failure".to_string(),
        }),
        _ => None,
    }
}

/// Returns the services whose containers `service` joins or mounts from.
fn joined_services(service: &perry_stack_schema::Service) -> BTreeSet<String> {
    let text = |key: &str| service.unsupported.get(key).and_then(Node::as_str);
    let mut joined: BTreeSet<String> =
        ["network_mode", "ipc", "pid", "uts"].into_iter().filter_map(|key| text(key)?.strip_prefix("service:")).map(str::to_string).collect();
    if let Some(NodeValue::Sequence(entries)) = service.unsupported.get("volumes_from").map(|node| &node.value) {
        for entry in entries.iter().filter_map(Node::as_str).filter(|entry| !entry.starts_with("container:")) {
            let entry = entry.strip_prefix("service:").unwrap_or(entry);
            joined.insert(entry.split(':').next().unwrap_or(entry).to_string());
        }
    }
    joined
}

/// Gives the alias of each `links: [SERVICE:ALIAS]` entry to SERVICE on the
/// networks that it shares with the linking service. Docker's legacy links
/// show the alias to the linking container only, but podman has no links,
/// so on both runtimes every container of those networks can use it.
fn add_link_aliases(project: &Project, services: &mut BTreeMap<String, PlannedService>) {
    for (name, service) in &project.services {
        let Some(NodeValue::Sequence(links)) = service.unsupported.get("links").map(|node| &node.value) else { continue };
        let Some(linking) = services.get(name) else { continue };
        let shared: BTreeSet<String> = linking.spec.networks.iter().map(|attachment| attachment.network.clone()).collect();
        for link in links.iter().filter_map(Node::as_str) {
            let Some((target, alias)) = link.split_once(':') else { continue };
            let Some(target) = services.get_mut(target) else { continue };
            for attachment in target.spec.networks.iter_mut().filter(|attachment| shared.contains(&attachment.network)) {
                if !attachment.aliases.iter().any(|existing| existing == alias) {
                    attachment.aliases.push(alias.to_string());
                }
            }
        }
    }
}

/// Reads a whole number at `path` inside a service's keys that the model
/// keeps unparsed, such as `scale` or `deploy.replicas`.
fn unparsed_count(unsupported: &BTreeMap<String, Node>, path: &[&str]) -> Option<i64> {
    let (first, rest) = path.split_first()?;
    let mut node = unsupported.get(*first)?;
    for key in rest {
        node = node.get(key)?;
    }
    match &node.value {
        NodeValue::Int(value) => Some(*value),
        _ => node.scalar_text()?.trim().parse().ok(),
    }
}

/// Reads the address ranges of a network's `ipam.config`.
fn subnets(unsupported: &BTreeMap<String, Node>) -> Vec<Subnet> {
    let config = unsupported.get("ipam").and_then(|ipam| ipam.get("config"));
    let Some(NodeValue::Sequence(entries)) = config.map(|node| &node.value) else { return Vec::new() };
    entries
        .iter()
        .filter_map(|entry| {
            let text = |key: &str| entry.get(key).and_then(Node::scalar_text);
            Some(Subnet { subnet: text("subnet")?, gateway: text("gateway"), ip_range: text("ip_range") })
        })
        .collect()
}

/// Reads a mapping of strings such as `driver_opts`.
fn unparsed_strings(unsupported: &BTreeMap<String, Node>, key: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(NodeValue::Mapping(entries)) = unsupported.get(key).map(|node| &node.value) {
        for (name, value) in entries {
            if let (Some(name), Some(value)) = (name.scalar_text(), value.scalar_text()) {
                map.insert(name, value);
            }
        }
    }
    map
}

pub(crate) fn condition_name(condition: Condition) -> &'static str {
    match condition {
        Condition::ServiceStarted => "service_started",
        Condition::ServiceHealthy => "service_healthy",
        Condition::ServiceCompletedSuccessfully => "service_completed_successfully",
    }
}

/// Builds the plan of `project` under the name `name`. `environment` supplies
/// the values of `environment` entries written without `=`.
/// A network or volume declared `external: true` and the service that uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExternalResource {
    /// `network` or `volume`.
    pub kind: &'static str,
    /// The name on the runtime.
    pub name: String,
    /// The compose key that declares it, such as `volumes.data`.
    pub key: String,
    pub service: String,
}

pub(crate) fn plan(project: &Project, name: &str, environment: &dyn Fn(&str) -> Option<String>) -> Result<Plan, EngineError> {
    let mut warnings = Vec::new();
    let project = &relax_optional(project, &mut warnings);
    check_dependencies(project)?;

    let mut networks = BTreeMap::new();
    let mut externals = Vec::new();
    let mut services = BTreeMap::new();
    for (service_name, service) in &project.services {
        let builds = service.unsupported.contains_key("build");
        if service.image.is_none() && !builds {
            return Err(EngineError::MissingImage { service: service_name.clone() });
        }
        let image = super::build::image_name(name, service_name, service.image.as_deref());
        let build = super::build::build_spec(&image, service_name, service, environment, &mut warnings);

        let mut env = BTreeMap::new();
        for (key, value) in &service.environment {
            match value {
                Some(value) => {
                    env.insert(key.clone(), value.clone());
                }
                None => {
                    if let Some(value) = environment(key) {
                        env.insert(key.clone(), value);
                    }
                }
            }
        }

        let ports = service
            .ports
            .iter()
            .map(|port| PortSpec {
                host_ip: port.host_ip.clone(),
                published: port.published.clone(),
                target: port.target,
                protocol: port.protocol.clone(),
            })
            .collect();

        let mut mounts = Vec::new();
        for mount in &service.volumes {
            let (kind, source) = match mount.kind {
                MountKind::Volume => {
                    let source = match &mount.source {
                        Some(volume) => {
                            let declared = project.volumes.get(volume).ok_or_else(|| EngineError::UndeclaredVolume {
                                service: service_name.clone(),
                                volume: volume.clone(),
                            })?;
                            let volume_name = resource_name(name, volume, declared.name.as_deref(), declared.external);
                            if declared.external {
                                externals.push(ExternalResource {
                                    kind: "volume",
                                    name: volume_name.clone(),
                                    key: format!("volumes.{volume}"),
                                    service: service_name.clone(),
                                });
                            }
                            Some(volume_name)
                        }
                        None => None,
                    };
                    (MountType::Volume, source)
                }
                MountKind::Bind => (MountType::Bind, Some(bind_source(service_name, mount.source.as_deref(), environment)?)),
                MountKind::Tmpfs => (MountType::Tmpfs, None),
                other => {
                    return Err(EngineError::UnsupportedMount { service: service_name.clone(), kind: format!("{other:?}").to_lowercase() });
                }
            };
            let create_host_path = kind == MountType::Bind && mount.create_host_path;
            mounts.push(MountSpec { kind, source, target: mount.target.clone(), read_only: mount.read_only, create_host_path });
        }

        let container_of = |other: &str| {
            let container_name = project.services.get(other).and_then(|other| other.container_name.clone());
            container_name.unwrap_or_else(|| format!("{name}-{other}-1"))
        };
        let mut settings = super::settings::read(project, service_name, service, &container_of, &mut warnings)?;
        // A missing file would become an empty folder on some runtimes.
        for (mut mount, what) in std::mem::take(&mut settings.mounts) {
            let source = bind_source(service_name, mount.source.as_deref(), environment)?;
            if !std::path::Path::new(&source).exists() {
                return Err(EngineError::MissingFile { service: service_name.clone(), what, path: source });
            }
            mount.source = Some(source);
            mounts.push(mount);
        }

        let mut attachments = Vec::new();
        let mut service_networks: Vec<String> = service.networks.keys().cloned().collect();
        // A service with its own network mode joins no network of the project.
        if service_networks.is_empty() && settings.options.network_mode.is_none() {
            service_networks.push("default".to_string());
        }
        for key in &service_networks {
            let declared = project.networks.get(key);
            if declared.is_none() && key != "default" {
                return Err(EngineError::UndeclaredNetwork { service: service_name.clone(), network: key.clone() });
            }
            let declared = declared.cloned().unwrap_or_default();
            let network_name = resource_name(name, key, declared.name.as_deref(), declared.external);
            if declared.external {
                externals.push(ExternalResource {
                    kind: "network",
                    name: network_name.clone(),
                    key: format!("networks.{key}"),
                    service: service_name.clone(),
                });
            } else {
                let mut labels = declared.labels.clone();
                labels.insert(PROJECT_LABEL.to_string(), name.to_string());
                labels.insert(NETWORK_LABEL.to_string(), key.clone());
                let mut spec = NetworkSpec {
                    name: network_name.clone(),
                    driver: declared.driver.clone(),
                    internal: declared.internal,
                    labels,
                    options: unparsed_strings(&declared.unsupported, "driver_opts"),
                    subnets: subnets(&declared.unsupported),
                    enable_ipv6: declared.unsupported.get("enable_ipv6").is_some_and(|node| matches!(node.value, NodeValue::Bool(true))),
                };
                // A network cannot change in place, so `up` compares this
                // hash with the existing network's before it touches a container.
                let settings = format!("{:?}|{}|{:?}|{:?}|{}|{:?}", spec.driver, spec.internal, spec.options, spec.subnets, spec.enable_ipv6, declared.labels);
                spec.labels.insert(CONFIG_HASH_LABEL.to_string(), sha256_hex(&settings));
                networks.entry(network_name.clone()).or_insert(spec);
            }

            // Every service answers to its own name on each of its networks.
            let mut aliases = vec![service_name.clone()];
            if let Some(entry) = service.networks.get(key) {
                for alias in &entry.aliases {
                    if !aliases.contains(alias) {
                        aliases.push(alias.clone());
                    }
                }
            }
            let address = |field: &str| service.networks.get(key).and_then(|entry| entry.unsupported.get(field)).and_then(Node::scalar_text);
            attachments.push(NetworkAttachment { network: network_name, aliases, ipv4_address: address("ipv4_address"), ipv6_address: address("ipv6_address") });
        }

        let depends_on: BTreeMap<String, Condition> =
            service.depends_on.iter().map(|(dependency, entry)| (dependency.clone(), entry.condition)).collect();
        let depends_label: Vec<String> = service
            .depends_on
            .iter()
            .map(|(dependency, entry)| format!("{dependency}:{}:{}", condition_name(entry.condition), entry.restart))
            .collect();

        let mut labels = service.labels.clone();
        labels.insert(PROJECT_LABEL.to_string(), name.to_string());
        labels.insert(SERVICE_LABEL.to_string(), service_name.clone());
        labels.insert(CONTAINER_NUMBER_LABEL.to_string(), "1".to_string());
        labels.insert(ONEOFF_LABEL.to_string(), "False".to_string());
        labels.insert(DEPENDS_ON_LABEL.to_string(), depends_label.join(","));
        if let Some(seconds) = settings.options.stop_timeout {
            labels.insert(STOP_GRACE_LABEL.to_string(), seconds.to_string());
        }

        let spec = ContainerSpec {
            name: service.container_name.clone().unwrap_or_else(|| format!("{name}-{service_name}-1")),
            image,
            command: service.command.clone(),
            entrypoint: service.entrypoint.clone(),
            env,
            labels,
            ports,
            mounts,
            networks: attachments,
            working_dir: service.working_dir.clone(),
            user: service.user.clone(),
            restart: service.restart.clone().or_else(|| deploy_restart_policy(service)),
            confinement: settings.confinement,
            options: settings.options,
        };
        let replicas = replica_count(service_name, service)?;
        let fixed_name = service.container_name.is_some();
        if fixed_name && replicas > 1 {
            return Err(EngineError::FixedNameReplicas { service: service_name.clone(), replicas });
        }

        let restart_on = service.depends_on.iter().filter(|(_, entry)| entry.restart).map(|(name, _)| name.clone()).collect();
        let optional = service.depends_on.iter().filter(|(_, entry)| !entry.required).map(|(name, _)| name.clone()).collect();
        let mut planned = PlannedService {
            name: service_name.clone(),
            spec,
            depends_on,
            restart_on,
            optional,
            healthcheck: service.healthcheck.clone(),
            replicas,
            fixed_name,
            build,
            joins: joined_services(service),
        };
        planned.rehash();
        services.insert(service_name.clone(), planned);
    }

    let mut volumes = Vec::new();
    for (key, volume) in &project.volumes {
        if volume.external {
            continue;
        }
        let mut labels = volume.labels.clone();
        labels.insert(PROJECT_LABEL.to_string(), name.to_string());
        labels.insert(VOLUME_LABEL.to_string(), key.clone());
        volumes.push(VolumeSpec {
            name: resource_name(name, key, volume.name.as_deref(), false),
            driver: volume.driver.clone(),
            labels,
            options: unparsed_strings(&volume.unsupported, "driver_opts"),
        });
    }

    add_link_aliases(project, &mut services);
    let mut plan = Plan { project: name.to_string(), services, networks: networks.into_values().collect(), volumes, externals, warnings };
    plan.rehash();
    Ok(plan)
}

/// Returns the number of containers of a service: `scale`, else
/// `deploy.replicas`, else one.
fn replica_count(name: &str, service: &perry_stack_schema::Service) -> Result<u32, EngineError> {
    let (value, key) = match unparsed_count(&service.unsupported, &["scale"]) {
        Some(value) => (value, "scale"),
        None => match unparsed_count(&service.unsupported, &["deploy", "replicas"]) {
            Some(value) => (value, "deploy.replicas"),
            None => return Ok(1),
        },
    };
    u32::try_from(value).map_err(|_| EngineError::InvalidReplicas { service: name.to_string(), key, value })
}

/// Returns the host path of a bind mount: absolute, with a leading `~`
/// replaced by `HOME` (a project checked at build time keeps `~`). The
/// runtime would take a relative path from its own working folder.
fn bind_source(service: &str, source: Option<&str>, environment: &dyn Fn(&str) -> Option<String>) -> Result<String, EngineError> {
    let source = source.unwrap_or_default();
    let expanded = match source.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => match environment("HOME").filter(|home| !home.is_empty()) {
            Some(home) => format!("{}{rest}", home.trim_end_matches('/')),
            None => source.to_string(),
        },
        _ => source.to_string(),
    };
    if !expanded.starts_with('/') {
        return Err(EngineError::RelativeBindSource { service: service.to_string(), path: source.to_string() });
    }
    Ok(expanded)
}

/// Relaxes `required: false` dependencies that cannot be met, as docker
/// compose does, with a warning each. One on a service that the project
/// does not have is dropped. One that waits for a service without a
/// healthcheck to be healthy waits only for it to start.
fn relax_optional(project: &Project, warnings: &mut Vec<String>) -> Project {
    let mut project = project.clone();
    let checked: BTreeMap<String, bool> = project
        .services
        .iter()
        .map(|(name, service)| (name.clone(), service.healthcheck.as_ref().is_some_and(|check| !check.is_disabled() && !check.test.is_empty())))
        .collect();
    for (service_name, service) in project.services.iter_mut() {
        service.depends_on.retain(|dependency, entry| {
            if entry.required {
                return true;
            }
            let Some(&has_check) = checked.get(dependency) else {
                warnings.push(format!("service {service_name} depends on {dependency}, which is missing; it is optional (required: false), so {service_name} starts without it"));
                return false;
            };
            if entry.condition == Condition::ServiceHealthy && !has_check {
                warnings.push(format!("service {service_name} waits for {dependency} to be healthy, but {dependency} has no healthcheck; it is optional (required: false), so {service_name} waits only for it to start"));
                entry.condition = Condition::ServiceStarted;
            }
            true
        });
    }
    project
}

/// The runtime name of a network or volume: its own `name`, else the key for
/// an external one, else `<project>_<key>`.
fn resource_name(project: &str, key: &str, name: Option<&str>, external: bool) -> String {
    match name {
        Some(name) => name.to_string(),
        None if external => key.to_string(),
        None => format!("{project}_{key}"),
    }
}

/// A sha256 of the resolved container spec and healthcheck, hex encoded.
/// Serialization goes through `BTreeMap`s and `Vec`s, so equal configs give
/// equal hashes in every process.
fn config_hash(spec: &ContainerSpec, healthcheck: Option<&Healthcheck>) -> String {
    let value = serde_json::json!({ "spec": spec, "healthcheck": healthcheck });
    sha256_hex(&value.to_string())
}

/// Returns the SHA-256 of `text` in lower-case hex.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Checks that every dependency exists, that a `service_healthy` dependency
/// has a healthcheck, and that the graph has no cycle.
fn check_dependencies(project: &Project) -> Result<(), EngineError> {
    for (name, service) in &project.services {
        for (dependency, entry) in &service.depends_on {
            let Some(target) = project.services.get(dependency) else {
                return Err(EngineError::UnknownDependency { service: name.clone(), dependency: dependency.clone() });
            };
            let has_check = target.healthcheck.as_ref().is_some_and(|check| !check.is_disabled() && !check.test.is_empty());
            if entry.condition == Condition::ServiceHealthy && !has_check {
                return Err(EngineError::NoHealthcheck { service: dependency.clone(), dependent: name.clone() });
            }
        }
    }

    let graph: BTreeMap<&str, Vec<&str>> = project
        .services
        .iter()
        .map(|(name, service)| (name.as_str(), service.depends_on.keys().map(String::as_str).collect()))
        .collect();
    if let Some(path) = find_cycle(&graph) {
        return Err(EngineError::DependencyCycle { path: path.join(" -> ") });
    }
    Ok(())
}

/// Returns a cycle as a path that ends where it starts, searching services
/// in name order so the reported path is deterministic.
pub(crate) fn find_cycle(graph: &BTreeMap<&str, Vec<&str>>) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(position) = stack.iter().position(|entry| *entry == node) {
            let mut path: Vec<String> = stack[position..].iter().map(|entry| entry.to_string()).collect();
            path.push(node.to_string());
            return Some(path);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(path) = visit(next, graph, stack, done) {
                return Some(path);
            }
        }
        stack.pop();
        done.insert(node);
        None
    }

    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(path) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(path);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_name_normalized() {
        assert_eq!(normalize_project_name("My App.2"), "myapp2");
        assert_eq!(normalize_project_name("__x-y_z"), "x-y_z");
        assert_eq!(normalize_project_name("É!"), "");
    }

    #[test]
    fn cycle_path_in_name_order() {
        let graph = BTreeMap::from([("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec![])]);
        assert_eq!(find_cycle(&graph).unwrap().join(" -> "), "a -> b -> c -> a");
    }
}
