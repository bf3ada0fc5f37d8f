//! An in-memory backend for unit tests, with injectable latency and faults.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    Backend, BackendError, Capabilities, ContainerInfo, ContainerSpec, ContainerState, ContainerStatus, ExecOutput,
    LabelFilter, Logs, MountType, NetworkSpec, PublishedPort, ResourceInfo, VolumeSpec,
};

/// A backend operation, for latency, faults and the call log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    CreateNetwork,
    RemoveNetwork,
    ListNetworks,
    CreateVolume,
    RemoveVolume,
    ListVolumes,
    CreateContainer,
    StartContainer,
    StopContainer,
    RemoveContainer,
    RenameContainer,
    InspectContainer,
    ListContainers,
    Logs,
    Exec,
    InspectImage,
    BuildImage,
}

/// A misbehaviour to inject.
#[derive(Clone, Debug)]
pub enum Fault {
    /// The operation fails with this runtime error output.
    Fail(String),
    /// The container exits with `code` this long after it starts.
    ExitAfterStart { code: i64, after: Duration },
    /// `exec` returns these outputs one per call; the last one repeats.
    ExecOutputs(Vec<ExecOutput>),
    /// The operation never returns.
    Hang,
}

/// One recorded call: when it began (since the backend was created), what
/// it was, and the container, network or volume name it addressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub at: Duration,
    pub operation: Operation,
    pub target: String,
}

#[derive(Debug)]
struct MockContainer {
    id: String,
    spec: ContainerSpec,
    started_at: Option<Instant>,
    exit_code: Option<i64>,
    exit_after_start: Option<(i64, Duration)>,
    exec_outputs: VecDeque<ExecOutput>,
    logs: String,
}

#[derive(Debug, Default)]
struct State {
    containers: BTreeMap<String, MockContainer>,
    networks: BTreeMap<String, NetworkSpec>,
    volumes: BTreeMap<String, VolumeSpec>,
    /// Built images by tag, with their ids.
    images: BTreeMap<String, String>,
    next_id: u64,
    calls: Vec<Call>,
}

/// A backend that keeps containers, networks and volumes in memory.
///
/// Latency and faults are keyed by operation and, optionally, by the
/// container, network or volume name; a keyed entry wins over a general one.
#[derive(Debug)]
pub struct MockBackend {
    created: Instant,
    latency: HashMap<(Operation, Option<String>), Duration>,
    faults: HashMap<(Operation, Option<String>), Fault>,
    capabilities: Capabilities,
    state: Mutex<State>,
    /// Confinement options this mock claims not to enforce.
    unenforced: Vec<super::ConfinementOption>,
    /// Whether creating an existing volume fails, as on podman.
    exclusive: bool,
}

impl Default for MockBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl MockBackend {
    pub fn new() -> Self {
        Self {
            created: Instant::now(),
            latency: HashMap::new(),
            faults: HashMap::new(),
            capabilities: Capabilities::default(),
            state: Mutex::new(State::default()),
            unenforced: Vec::new(),
            exclusive: false,
        }
    }

    /// Makes creating an existing volume fail, as podman does; networks
    /// always fail so. The mock then reports [`Backend::creates_exclusively`].
    pub fn with_exclusive_creates(mut self) -> Self {
        self.exclusive = true;
        self
    }

    /// Makes the mock a runtime that cannot enforce `option`.
    pub fn without_enforcing(mut self, option: super::ConfinementOption) -> Self {
        self.unenforced.push(option);
        self
    }

    /// Delays every call of `operation`, or only those on `target`.
    pub fn with_latency(mut self, operation: Operation, target: Option<&str>, latency: Duration) -> Self {
        self.latency.insert((operation, target.map(str::to_string)), latency);
        self
    }

    /// Injects `fault` into `operation`, on every target or only on `target`.
    /// [`Fault::ExitAfterStart`] belongs to [`Operation::StartContainer`] and
    /// [`Fault::ExecOutputs`] to [`Operation::Exec`].
    pub fn with_fault(mut self, operation: Operation, target: Option<&str>, fault: Fault) -> Self {
        self.faults.insert((operation, target.map(str::to_string)), fault);
        self
    }

    /// Reports `capabilities` instead of full support.
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Every call so far, in the order they began.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// When the first call of `operation` on `target` began.
    pub fn first_call(&self, operation: Operation, target: &str) -> Option<Duration> {
        self.lock().calls.iter().find(|call| call.operation == operation && call.target == target).map(|call| call.at)
    }

    /// Names of the networks and volumes that exist now.
    pub fn resource_names(&self) -> (Vec<String>, Vec<String>) {
        let state = self.lock();
        (state.networks.keys().cloned().collect(), state.volumes.keys().cloned().collect())
    }

    /// The spec a network was created from.
    pub fn created_network(&self, name: &str) -> Option<NetworkSpec> {
        self.lock().networks.get(name).cloned()
    }

    /// The spec a volume was created from.
    pub fn created_volume(&self, name: &str) -> Option<VolumeSpec> {
        self.lock().volumes.get(name).cloned()
    }

    /// The spec a container was created from.
    pub fn spec(&self, name: &str) -> Option<ContainerSpec> {
        self.lock().containers.get(name).map(|container| container.spec.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lookup<'a, T>(map: &'a HashMap<(Operation, Option<String>), T>, operation: Operation, target: &str) -> Option<&'a T> {
        map.get(&(operation, Some(target.to_string()))).or_else(|| map.get(&(operation, None)))
    }

    /// Records the call, waits for its latency and applies a `Fail` or
    /// `Hang` fault. Returns the fault for the caller to apply otherwise.
    async fn enter(&self, operation: Operation, target: &str) -> Result<Option<Fault>, BackendError> {
        let at = self.created.elapsed();
        self.lock().calls.push(Call { at, operation, target: target.to_string() });

        if let Some(latency) = Self::lookup(&self.latency, operation, target) {
            tokio::time::sleep(*latency).await;
        }
        match Self::lookup(&self.faults, operation, target).cloned() {
            Some(Fault::Fail(stderr)) => Err(BackendError::Failed {
                command: format!("mock {operation:?} {target}"),
                exit_code: Some(125),
                stderr,
            }),
            Some(Fault::Hang) => std::future::pending().await,
            other => Ok(other),
        }
    }

    /// Finds a container's name by id or name.
    fn resolve(state: &State, id: &str) -> Option<String> {
        if state.containers.contains_key(id) {
            return Some(id.to_string());
        }
        state.containers.values().find(|container| container.id == id).map(|container| container.spec.name.clone())
    }

    fn not_found(kind: &'static str, name: &str, operation: Operation) -> BackendError {
        BackendError::NotFound {
            kind,
            name: name.to_string(),
            command: format!("mock {operation:?} {name}"),
            stderr: format!("no such {kind}"),
        }
    }

    fn target_name(&self, id: &str) -> String {
        Self::resolve(&self.lock(), id).unwrap_or_else(|| id.to_string())
    }

    fn info(container: &mut MockContainer) -> ContainerInfo {
        // A container with a scheduled exit has exited once its time passed.
        if let (Some(started), Some((code, after)), None) =
            (container.started_at, container.exit_after_start, container.exit_code)
            && started.elapsed() >= after
        {
            container.exit_code = Some(code);
        }

        let (status, running) = match (container.started_at, container.exit_code) {
            (None, None) => (ContainerStatus::Created, false),
            (_, Some(_)) => (ContainerStatus::Exited, false),
            (Some(_), None) => (ContainerStatus::Running, true),
        };
        let ports = container
            .spec
            .ports
            .iter()
            .enumerate()
            .map(|(index, port)| PublishedPort {
                host_ip: port.host_ip.clone().unwrap_or_else(|| "0.0.0.0".to_string()),
                host_port: port.published.as_deref().and_then(|text| text.parse().ok()).unwrap_or(40000 + index as u16),
                container_port: port.target,
                protocol: port.protocol.clone(),
            })
            .collect();
        ContainerInfo {
            id: container.id.clone(),
            name: container.spec.name.clone(),
            image: container.spec.image.clone(),
            labels: container.spec.labels.clone(),
            state: ContainerState { status, running, exit_code: container.exit_code },
            ports,
        }
    }
}

fn matches(labels: &BTreeMap<String, String>, filter: &LabelFilter) -> bool {
    filter.iter().all(|(key, value)| labels.get(key) == Some(value))
}

#[async_trait]
impl Backend for MockBackend {
    fn name(&self) -> &str {
        "mock"
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities.clone()
    }

    fn creates_exclusively(&self) -> bool {
        self.exclusive
    }

    async fn volume_mounts(&self, id: &str) -> Result<BTreeMap<String, String>, BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::InspectContainer, &name).await?;
        let state = self.lock();
        let container = state.containers.get(&name).ok_or_else(|| Self::not_found("container", id, Operation::InspectContainer))?;
        let volumes = container.spec.mounts.iter().filter(|mount| mount.kind == MountType::Volume);
        Ok(volumes.filter_map(|mount| Some((mount.target.clone(), mount.source.clone()?))).collect())
    }

    async fn image_id(&self, name: &str) -> Result<Option<String>, BackendError> {
        self.enter(Operation::InspectImage, name).await?;
        Ok(self.lock().images.get(name).cloned())
    }

    async fn build_image(&self, spec: &super::BuildSpec) -> Result<(), BackendError> {
        self.enter(Operation::BuildImage, &spec.image).await?;
        let mut state = self.lock();
        state.next_id += 1;
        let id = format!("sha256:{:060}", state.next_id);
        state.images.insert(spec.image.clone(), id);
        Ok(())
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), BackendError> {
        self.enter(Operation::CreateNetwork, &spec.name).await?;
        let mut state = self.lock();
        if state.networks.contains_key(&spec.name) {
            return Err(BackendError::Failed {
                command: format!("mock network create {}", spec.name),
                exit_code: Some(125),
                stderr: "network name already used".to_string(),
            });
        }
        state.networks.insert(spec.name.clone(), spec.clone());
        Ok(())
    }

    async fn remove_network(&self, name: &str) -> Result<(), BackendError> {
        self.enter(Operation::RemoveNetwork, name).await?;
        let mut state = self.lock();
        let in_use = state.containers.values().any(|c| c.spec.networks.iter().any(|n| n.network == name));
        if in_use {
            return Err(BackendError::Failed {
                command: format!("mock network rm {name}"),
                exit_code: Some(2),
                stderr: "network is in use by a container".to_string(),
            });
        }
        match state.networks.remove(name) {
            Some(_) => Ok(()),
            None => Err(Self::not_found("network", name, Operation::RemoveNetwork)),
        }
    }

    async fn list_networks(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        self.enter(Operation::ListNetworks, "").await?;
        let state = self.lock();
        Ok(state
            .networks
            .values()
            .filter(|spec| matches(&spec.labels, labels))
            .map(|spec| ResourceInfo { name: spec.name.clone(), labels: spec.labels.clone() })
            .collect())
    }

    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), BackendError> {
        self.enter(Operation::CreateVolume, &spec.name).await?;
        let mut state = self.lock();
        if self.exclusive && state.volumes.contains_key(&spec.name) {
            return Err(BackendError::Failed {
                command: format!("mock volume create {}", spec.name),
                exit_code: Some(125),
                stderr: format!("volume with name {} already exists", spec.name),
            });
        }
        state.volumes.insert(spec.name.clone(), spec.clone());
        Ok(())
    }

    async fn remove_volume(&self, name: &str) -> Result<(), BackendError> {
        self.enter(Operation::RemoveVolume, name).await?;
        match self.lock().volumes.remove(name) {
            Some(_) => Ok(()),
            None => Err(Self::not_found("volume", name, Operation::RemoveVolume)),
        }
    }

    async fn list_volumes(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError> {
        self.enter(Operation::ListVolumes, "").await?;
        let state = self.lock();
        Ok(state
            .volumes
            .values()
            .filter(|spec| matches(&spec.labels, labels))
            .map(|spec| ResourceInfo { name: spec.name.clone(), labels: spec.labels.clone() })
            .collect())
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, BackendError> {
        self.enter(Operation::CreateContainer, &spec.name).await?;
        let mut state = self.lock();
        if state.containers.contains_key(&spec.name) {
            return Err(BackendError::Failed {
                command: format!("mock create {}", spec.name),
                exit_code: Some(125),
                stderr: format!("the container name \"{}\" is already in use", spec.name),
            });
        }
        for attachment in &spec.networks {
            if !state.networks.contains_key(&attachment.network) {
                return Err(Self::not_found("network", &attachment.network, Operation::CreateContainer));
            }
        }
        state.next_id += 1;
        let id = format!("mock{:060}", state.next_id);
        // An anonymous volume gets a name of its own, as a runtime gives it.
        let mut spec = spec.clone();
        for (position, mount) in spec.mounts.iter_mut().enumerate() {
            if mount.kind == MountType::Volume && mount.source.is_none() {
                mount.source = Some(format!("anonymous{:04}-{position}", state.next_id));
            }
        }
        state.containers.insert(
            spec.name.clone(),
            MockContainer {
                id: id.clone(),
                spec,
                started_at: None,
                exit_code: None,
                exit_after_start: None,
                exec_outputs: VecDeque::new(),
                logs: String::new(),
            },
        );
        Ok(id)
    }

    async fn start_container(&self, id: &str) -> Result<(), BackendError> {
        let name = self.target_name(id);
        let fault = self.enter(Operation::StartContainer, &name).await?;
        let exec_fault = Self::lookup(&self.faults, Operation::Exec, &name).cloned();

        let mut state = self.lock();
        let container = state.containers.get_mut(&name).ok_or_else(|| Self::not_found("container", id, Operation::StartContainer))?;
        container.started_at = Some(Instant::now());
        container.exit_code = None;
        if let Some(Fault::ExitAfterStart { code, after }) = fault {
            container.exit_after_start = Some((code, after));
        }
        if let Some(Fault::ExecOutputs(outputs)) = exec_fault {
            container.exec_outputs = outputs.into();
        }
        container.logs.push_str(&format!("{name} started\n"));
        Ok(())
    }

    async fn stop_container(&self, id: &str, _timeout: Duration) -> Result<(), BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::StopContainer, &name).await?;
        let mut state = self.lock();
        let container = state.containers.get_mut(&name).ok_or_else(|| Self::not_found("container", id, Operation::StopContainer))?;
        if container.started_at.is_some() && container.exit_code.is_none() {
            container.exit_code = Some(137);
        }
        Ok(())
    }

    async fn remove_container(&self, id: &str, force: bool) -> Result<(), BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::RemoveContainer, &name).await?;
        let mut state = self.lock();
        let container = state.containers.get_mut(&name).ok_or_else(|| Self::not_found("container", id, Operation::RemoveContainer))?;
        if Self::info(container).state.running && !force {
            return Err(BackendError::Failed {
                command: format!("mock rm {name}"),
                exit_code: Some(2),
                stderr: "cannot remove a running container without force".to_string(),
            });
        }
        state.containers.remove(&name);
        Ok(())
    }

    async fn rename_container(&self, id: &str, new_name: &str) -> Result<(), BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::RenameContainer, &name).await?;
        let mut state = self.lock();
        if state.containers.contains_key(new_name) {
            return Err(BackendError::Failed {
                command: format!("mock rename {name} {new_name}"),
                exit_code: Some(125),
                stderr: format!("the container name \"{new_name}\" is already in use"),
            });
        }
        let mut container = state.containers.remove(&name).ok_or_else(|| Self::not_found("container", id, Operation::RenameContainer))?;
        container.spec.name = new_name.to_string();
        state.containers.insert(new_name.to_string(), container);
        Ok(())
    }

    async fn inspect_container(&self, id: &str) -> Result<ContainerInfo, BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::InspectContainer, &name).await?;
        let mut state = self.lock();
        let container = state.containers.get_mut(&name).ok_or_else(|| Self::not_found("container", id, Operation::InspectContainer))?;
        Ok(Self::info(container))
    }

    async fn list_containers(&self, labels: &LabelFilter) -> Result<Vec<ContainerInfo>, BackendError> {
        self.enter(Operation::ListContainers, "").await?;
        let mut state = self.lock();
        Ok(state
            .containers
            .values_mut()
            .filter(|container| matches(&container.spec.labels, labels))
            .map(Self::info)
            .collect())
    }

    async fn logs(&self, id: &str, tail: Option<usize>) -> Result<Logs, BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::Logs, &name).await?;
        let state = self.lock();
        let container = state.containers.get(&name).ok_or_else(|| Self::not_found("container", id, Operation::Logs))?;
        let lines: Vec<&str> = container.logs.lines().collect();
        let keep = tail.unwrap_or(lines.len()).min(lines.len());
        let mut stdout = lines[lines.len() - keep..].join("\n");
        if !stdout.is_empty() {
            stdout.push('\n');
        }
        Ok(Logs { stdout, stderr: String::new() })
    }

    async fn exec_with(&self, id: &str, argv: &[String], _settings: &super::ExecSettings) -> Result<ExecOutput, BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::Exec, &name).await?;
        let mut state = self.lock();
        let container = state.containers.get_mut(&name).ok_or_else(|| Self::not_found("container", id, Operation::Exec))?;
        if !Self::info(container).state.running {
            return Err(BackendError::Failed {
                command: format!("mock exec {name} {}", argv.join(" ")),
                exit_code: Some(125),
                stderr: "container is not running".to_string(),
            });
        }
        let output = if container.exec_outputs.len() > 1 {
            container.exec_outputs.pop_front()
        } else {
            container.exec_outputs.front().cloned()
        };
        Ok(output.unwrap_or_default())
    }

    fn enforces(&self, option: super::ConfinementOption) -> bool {
        !self.unenforced.contains(&option)
    }

    /// Reports what the spec asked for, with one made-up address per network.
    async fn inspect_confinement(&self, id: &str) -> Result<Option<super::AppliedConfinement>, BackendError> {
        let name = self.target_name(id);
        self.enter(Operation::InspectContainer, &name).await?;
        let state = self.lock();
        let container = state.containers.get(&name).ok_or_else(|| Self::not_found("container", id, Operation::InspectContainer))?;
        let confinement = &container.spec.confinement;
        let capabilities = if confinement.drop_all_capabilities { Vec::new() } else { vec!["CAP_CHOWN".to_string()] };
        let addresses = container.spec.networks.iter().enumerate().map(|(index, attachment)| (attachment.network.clone(), format!("10.89.{index}.{}", container.id.trim_start_matches("mock").trim_start_matches('0')))).collect();
        Ok(Some(super::AppliedConfinement {
            read_only_rootfs: confinement.read_only_rootfs,
            effective_capabilities: capabilities,
            no_new_privileges: confinement.no_new_privileges,
            default_seccomp: !confinement.privileged,
            network_mode: if confinement.no_network { "none".to_string() } else { "bridge".to_string() },
            privileged: confinement.privileged,
            addresses,
        }))
    }
}
