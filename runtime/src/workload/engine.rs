//! Runs a workload graph through a [`Backend`]: checks everything that can be
//! checked before anything starts, starts nodes as the execution strategy
//! allows, resolves references into dependents' environments, verifies each
//! tier by inspecting the started container, and applies the failure
//! strategy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use perry_stack_schema::workload::{validate, Execution, FailureStrategy, Graph, Tier, WorkloadNode};
use tokio::task::JoinSet;

use crate::backend::{
    AppliedConfinement, Backend, BackendError, Confinement, ConfinementOption, ContainerSpec, ContainerStatus, ExecOutput, Isolation, LabelFilter,
    Logs, MountSpec, MountType, NetworkAttachment, NetworkSpec,
};

use super::state::{NodeState, NodeStatus};

/// The variable that lets `untrusted` nodes run on a shared kernel when it
/// is exactly `1`.
pub const ALLOW_SHARED_KERNEL_VARIABLE: &str = "PERRY_ALLOW_UNTRUSTED_SHARED_KERNEL";

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const NODE_LABEL: &str = "com.docker.compose.service";
pub const TIER_LABEL: &str = "io.perry.workload.tier";
pub const SHARED_KERNEL_LABEL: &str = "io.perry.workload.untrusted-shared-kernel";

/// Programs whose presence would mean a microvm or wasm runtime is installed.
pub const MICROVM_CANDIDATES: &[&str] = &["krun", "kata-runtime", "firecracker"];
pub const WASM_CANDIDATES: &[&str] = &["wasmtime", "wasmedge", "crun-wasm"];

/// How to run a graph. Every field is optional: the graph's own execution
/// and failure strategies apply when unset, the project is the graph's
/// name, and the shared-kernel permission comes from the environment.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub execution: Option<Execution>,
    pub failure: Option<FailureStrategy>,
    pub project: Option<String>,
    /// Overrides [`ALLOW_SHARED_KERNEL_VARIABLE`].
    pub allow_untrusted_shared_kernel: Option<bool>,
    /// How long a stop waits before it kills; busybox as PID 1 ignores
    /// SIGTERM, so tests use zero.
    pub stop_timeout: Duration,
}

/// Errors that stop a run.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("the workload graph is invalid:\n{0}")]
    Invalid(perry_stack_schema::Diagnostics),

    #[error("node `{node}` is rejected: {reason}")]
    Rejected { node: String, reason: String },

    #[error("node `{node}` failed: {reason}. {}", match .strategy {
        FailureStrategy::RollbackAll => "Every container of this run was removed",
        FailureStrategy::HaltGraph => "Nothing more was started, and running nodes were left running",
        FailureStrategy::PartialContinue => "Its dependents were skipped",
    })]
    Failed { node: String, reason: String, strategy: FailureStrategy, report: GraphReport },

    #[error(transparent)]
    Backend(#[from] BackendError),

    #[error("a node's start task ended abnormally: {0}")]
    Task(String),

    #[error(
        "project `{project}` already has containers ({}); take it down first, or choose another project name",
        .containers.join(", ")
    )]
    AlreadyUp { project: String, containers: Vec<String> },
}

/// The state of every node after a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphReport {
    pub project: String,
    pub nodes: BTreeMap<String, NodeStatus>,
    /// The order in which nodes began to start.
    pub started: Vec<String>,
}

/// The runtimes a graph's nodes can run on.
#[derive(Clone)]
pub struct Runtimes {
    /// The OCI runtime, for `auto` and `oci` nodes.
    pub oci: Arc<dyn Backend>,
    /// A runtime that gives each container its own VM.
    /// NOTE: no backend for krun, kata or firecracker exists yet, so this is
    /// only set by callers that bring their own `Backend`.
    pub microvm: Option<Arc<dyn Backend>>,
    /// A WebAssembly runtime behind the same `Backend` interface.
    pub wasm: Option<Arc<dyn Backend>>,
}

/// Runs workload graphs.
#[derive(Clone)]
pub struct GraphEngine {
    runtimes: Runtimes,
}

/// What the engine decided for one node before anything starts.
#[derive(Clone)]
struct Placement {
    backend: Arc<dyn Backend>,
    shared_kernel_untrusted: bool,
}

impl GraphEngine {
    pub fn new(oci: Arc<dyn Backend>) -> Self {
        Self { runtimes: Runtimes { oci, microvm: None, wasm: None } }
    }

    pub fn with_runtimes(runtimes: Runtimes) -> Self {
        Self { runtimes }
    }

    /// Validates, checks each node's runtime and options, then starts the graph.
    pub async fn run(&self, graph: &Graph, options: &RunOptions) -> Result<GraphReport, GraphError> {
        let diagnostics = validate(graph, Path::new(&graph.name));
        if diagnostics.has_errors() {
            return Err(GraphError::Invalid(diagnostics));
        }
        let allow_shared = options.allow_untrusted_shared_kernel.unwrap_or_else(|| allows_shared_kernel(std::env::var(ALLOW_SHARED_KERNEL_VARIABLE).ok().as_deref()));
        let mut placements = BTreeMap::new();
        for (name, node) in &graph.nodes {
            placements.insert(name.clone(), self.place(name, node, allow_shared)?);
        }

        let project = options.project.clone().unwrap_or_else(|| graph.name.clone());
        // NOTE: a graph is started whole; a second run refuses instead of
        // converging node by node as `up` does for compose stacks.
        let filter = LabelFilter::from([(PROJECT_LABEL.to_owned(), project.clone())]);
        let existing = self.runtimes.oci.list_containers(&filter).await?;
        if !existing.is_empty() {
            let mut containers: Vec<String> = existing.into_iter().map(|container| container.name).collect();
            containers.sort();
            return Err(GraphError::AlreadyUp { project, containers });
        }
        let network = format!("{project}_default");
        let needs_network = graph.nodes.values().any(|node| !node.tier.without_network());
        // A network left by an interrupted run is reused.
        let network_exists = needs_network && self.runtimes.oci.list_networks(&filter).await?.iter().any(|found| found.name == network);
        if needs_network && !network_exists {
            let labels = BTreeMap::from([(PROJECT_LABEL.to_owned(), project.clone())]);
            self.runtimes.oci.create_network(&NetworkSpec { name: network.clone(), labels, ..NetworkSpec::default() }).await?;
        }

        let run = Run {
            graph,
            project: project.clone(),
            network: needs_network.then_some(network),
            network_backend: self.runtimes.oci.clone(),
            placements,
            execution: options.execution.unwrap_or(graph.execution),
            failure: options.failure.unwrap_or(graph.failure),
            stop_timeout: options.stop_timeout,
            report: GraphReport {
                project,
                nodes: graph.nodes.keys().map(|name| (name.clone(), NodeStatus::new(NodeState::Pending))).collect(),
                started: Vec::new(),
            },
            created: Vec::new(),
            resolved: BTreeMap::new(),
        };
        run.execute().await
    }

    /// Chooses the runtime of a node and rejects what it cannot enforce.
    fn place(&self, name: &str, node: &WorkloadNode, allow_shared: bool) -> Result<Placement, GraphError> {
        use perry_stack_schema::workload::Runtime;

        let reject = |reason: String| GraphError::Rejected { node: name.to_owned(), reason };
        let missing = |runtime: &str, candidates: &[&str]| {
            let found = installed(candidates);
            let found = if found.is_empty() { "none of them is on PATH".to_owned() } else { format!("found {} on PATH, but no backend drives it yet", found.join(", ")) };
            reject(format!("the runtime `{runtime}` has no backend configured. Looked for: {} ({found})", candidates.join(", ")))
        };
        let (backend, shared_kernel_untrusted) = match node.runtime {
            Runtime::Wasm => (self.runtimes.wasm.clone().ok_or_else(|| missing("wasm", WASM_CANDIDATES))?, false),
            Runtime::Microvm => (self.runtimes.microvm.clone().ok_or_else(|| missing("microvm", MICROVM_CANDIDATES))?, false),
            Runtime::Auto | Runtime::Oci => {
                let vm = if node.tier == Tier::Untrusted && node.runtime == Runtime::Auto { self.runtimes.microvm.clone() } else { None };
                match vm {
                    Some(vm) => (vm, false),
                    None => (self.runtimes.oci.clone(), false),
                }
            }
        };
        let mut shared = shared_kernel_untrusted;
        if node.tier == Tier::Untrusted && backend.isolation() != Isolation::VmPerContainer {
            if !allow_shared {
                return Err(reject(format!(
                    "tier `untrusted` needs a VM per container, but `{}` shares the host kernel. Install a microvm runtime ({}) or set {ALLOW_SHARED_KERNEL_VARIABLE}=1 to accept a shared kernel",
                    backend.name(),
                    MICROVM_CANDIDATES.join(", ")
                )));
            }
            shared = true;
        }
        for option in required_options(node) {
            if !backend.enforces(option) {
                return Err(reject(format!("the runtime `{}` cannot enforce the option `{}` that tier `{}` needs", backend.name(), option.as_str(), node.tier.as_str())));
            }
        }
        Ok(Placement { backend, shared_kernel_untrusted: shared })
    }

    /// Each node's state now, read from the runtime by the project label.
    pub async fn status(&self, graph: &Graph, project: &str) -> Result<BTreeMap<String, NodeStatus>, GraphError> {
        let filter = LabelFilter::from([(PROJECT_LABEL.to_owned(), project.to_owned())]);
        let containers = self.runtimes.oci.list_containers(&filter).await?;
        let mut states = BTreeMap::new();
        for (name, node) in &graph.nodes {
            let Some(container) = containers.iter().find(|container| container.labels.get(NODE_LABEL) == Some(name)) else {
                states.insert(name.clone(), NodeStatus::new(NodeState::Pending));
                continue;
            };
            let state = match (&container.state.status, container.state.exit_code) {
                (ContainerStatus::Running, _) => match &node.healthcheck {
                    Some(check) => match self.runtimes.oci.exec(&container.id, &check.test).await {
                        Ok(ExecOutput { exit_code: 0, .. }) => NodeState::Healthy,
                        _ => NodeState::Running,
                    },
                    None => NodeState::Running,
                },
                (ContainerStatus::Exited | ContainerStatus::Dead, Some(code)) => NodeState::Exited(code),
                (ContainerStatus::Created, _) => NodeState::Starting,
                (other, _) => NodeState::Failed(format!("the runtime reports the status `{}`", other.as_str())),
            };
            let mut status = NodeStatus::new(state);
            status.container = Some(container.name.clone());
            if container.labels.get(SHARED_KERNEL_LABEL).map(String::as_str) == Some("true") {
                status.note = Some(shared_kernel_note());
            }
            states.insert(name.clone(), status);
        }
        Ok(states)
    }

    /// The output of one node's container.
    pub async fn logs(&self, project: &str, node: &str, tail: Option<usize>) -> Result<Logs, GraphError> {
        Ok(self.runtimes.oci.logs(&container_name(project, node), tail).await?)
    }

    /// Runs `argv` in one node's container with `settings`, without a shell.
    pub async fn exec(&self, project: &str, node: &str, argv: &[String], settings: &crate::backend::ExecSettings) -> Result<ExecOutput, GraphError> {
        Ok(self.runtimes.oci.exec_with(&container_name(project, node), argv, settings).await?)
    }

    /// Runs `argv` in a node's container attached to this process (see
    /// [`crate::Backend::exec_attached`]) and returns its exit code.
    pub async fn exec_attached(&self, project: &str, node: &str, argv: &[String], attach: crate::backend::Attach) -> Result<i64, GraphError> {
        Ok(self.runtimes.oci.exec_attached(&container_name(project, node), argv, &Default::default(), attach).await?)
    }

    /// Removes every container and the network of `project`. The containers
    /// stop all at once, so the stop timeout is waited for once, not per node.
    pub async fn down(&self, project: &str, stop_timeout: Duration) -> Result<(), GraphError> {
        let filter = LabelFilter::from([(PROJECT_LABEL.to_owned(), project.to_owned())]);
        let containers = self.runtimes.oci.list_containers(&filter).await?;
        let stops = containers.iter().filter(|container| container.state.running).map(|container| async {
            // A stop that fails is followed by a forced removal anyway.
            let _ = self.runtimes.oci.stop_container(&container.id, stop_timeout).await;
        });
        futures_util::future::join_all(stops).await;
        let ids: Vec<String> = containers.into_iter().map(|container| container.id).collect();
        self.runtimes.oci.remove_containers(&ids).await?;
        for network in self.runtimes.oci.list_networks(&filter).await? {
            self.runtimes.oci.remove_network(&network.name).await?;
        }
        Ok(())
    }
}

/// Reads [`ALLOW_SHARED_KERNEL_VARIABLE`]: only the exact text `1` allows.
pub fn allows_shared_kernel(value: Option<&str>) -> bool {
    value == Some("1")
}

/// The candidates that are executable files in a folder of `PATH`.
fn installed(candidates: &[&str]) -> Vec<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let folders: Vec<std::path::PathBuf> = std::env::split_paths(&path).collect();
    candidates.iter().filter(|name| folders.iter().any(|folder| folder.join(name).is_file())).map(|name| (*name).to_owned()).collect()
}

/// The container of `node` in `project`, named as docker compose names a
/// service's first container.
pub fn container_name(project: &str, node: &str) -> String {
    format!("{project}-{node}-1")
}

fn shared_kernel_note() -> String {
    format!("untrusted on a shared kernel, allowed by {ALLOW_SHARED_KERNEL_VARIABLE}=1")
}

/// The options a node's tier and resources need from its runtime.
pub fn required_options(node: &WorkloadNode) -> Vec<ConfinementOption> {
    let mut options = Vec::new();
    if node.tier.locked_down() {
        options.extend([ConfinementOption::ReadOnlyRootfs, ConfinementOption::DropAllCapabilities, ConfinementOption::NoNewPrivileges, ConfinementOption::DefaultSeccomp]);
    }
    if node.tier.without_network() {
        options.push(ConfinementOption::NoNetwork);
    }
    if node.resources.memory.is_some() {
        options.push(ConfinementOption::Memory);
    }
    if node.resources.cpus.is_some() {
        options.push(ConfinementOption::Cpus);
    }
    options
}

/// The concrete options of a node's tier.
pub fn confinement(node: &WorkloadNode) -> Confinement {
    Confinement {
        read_only_rootfs: node.tier.locked_down(),
        drop_all_capabilities: node.tier.locked_down(),
        no_new_privileges: node.tier.locked_down(),
        no_network: node.tier.without_network(),
        privileged: node.options.privileged,
        memory: node.resources.memory.clone(),
        cpus: node.resources.cpus.clone(),
    }
}

/// Compares what the runtime applied with what the tier needs and names
/// every difference.
pub fn tier_mismatches(tier: Tier, applied: &AppliedConfinement) -> Vec<String> {
    let mut wrong = Vec::new();
    if tier.locked_down() {
        if !applied.read_only_rootfs {
            wrong.push("the root filesystem is writable".to_owned());
        }
        if !applied.effective_capabilities.is_empty() {
            wrong.push(format!("capabilities remain: {}", applied.effective_capabilities.join(", ")));
        }
        if !applied.no_new_privileges {
            wrong.push("new privileges are allowed".to_owned());
        }
        if !applied.default_seccomp {
            wrong.push("the default seccomp profile is off".to_owned());
        }
        if applied.privileged {
            wrong.push("the container is privileged".to_owned());
        }
    }
    if tier.without_network() && applied.network_mode != "none" {
        wrong.push(format!("the network mode is `{}`, not `none`", applied.network_mode));
    }
    wrong
}

/// The outcome of starting one node.
struct Started {
    node: String,
    container: Option<String>,
    result: Result<NodeState, String>,
    /// The address on the graph network, for `ip` references.
    address: Option<String>,
}

struct Run<'g> {
    graph: &'g Graph,
    project: String,
    network: Option<String>,
    /// The runtime that holds the graph network.
    network_backend: Arc<dyn Backend>,
    placements: BTreeMap<String, Placement>,
    execution: Execution,
    failure: FailureStrategy,
    stop_timeout: Duration,
    report: GraphReport,
    /// Containers this run created, in creation order, with their backends.
    created: Vec<(String, Arc<dyn Backend>)>,
    /// Host names and addresses of nodes that are ready.
    resolved: BTreeMap<String, (String, Option<String>)>,
}

impl Run<'_> {
    async fn execute(mut self) -> Result<GraphReport, GraphError> {
        let order = perry_stack_schema::workload::order(self.graph).unwrap_or_default();
        let limit = match self.execution {
            Execution::Sequential => 1,
            Execution::MaxParallel(bound) => bound.max(1),
            Execution::DependencyAware | Execution::ParallelSafe => usize::MAX,
        };
        let mut pending: Vec<String> = order;
        let mut ready: BTreeSet<String> = BTreeSet::new();
        let mut failed: BTreeSet<String> = BTreeSet::new();
        let mut in_flight: BTreeSet<String> = BTreeSet::new();
        let mut tasks: JoinSet<Started> = JoinSet::new();
        let mut first_failure: Option<(String, String)> = None;

        loop {
            let halted = first_failure.is_some() && self.failure != FailureStrategy::PartialContinue;
            if !halted {
                // Skip dependents of failed nodes under partialContinue.
                let mut index = 0;
                while index < pending.len() {
                    let name = pending[index].clone();
                    let node = &self.graph.nodes[&name];
                    if let Some(dead) = node.dependencies().into_iter().find(|dep| failed.contains(*dep)) {
                        pending.remove(index);
                        failed.insert(name.clone());
                        self.set(&name, NodeState::Failed(format!("skipped because `{dead}` failed")));
                        continue;
                    }
                    index += 1;
                }
                let mut index = 0;
                while index < pending.len() && in_flight.len() < limit {
                    let name = pending[index].clone();
                    let node = &self.graph.nodes[&name];
                    let deps_ready = node.dependencies().into_iter().all(|dep| ready.contains(dep));
                    if !deps_ready || (self.execution == Execution::ParallelSafe && self.conflicts(&name, &in_flight)) {
                        index += 1;
                        continue;
                    }
                    pending.remove(index);
                    in_flight.insert(name.clone());
                    self.launch(&name, &mut tasks);
                }
            }
            let Some(joined) = tasks.join_next().await else { break };
            let started = match joined {
                Ok(started) => started,
                Err(error) => return Err(GraphError::Task(error.to_string())),
            };
            in_flight.remove(&started.node);
            if let (Some(container), Some(status)) = (&started.container, self.report.nodes.get_mut(&started.node)) {
                status.container = Some(container.clone());
            }
            match started.result {
                Ok(state) => {
                    let host = started.container.clone().unwrap_or_default();
                    self.resolved.insert(started.node.clone(), (host, started.address));
                    ready.insert(started.node.clone());
                    self.set(&started.node, state);
                }
                Err(reason) => {
                    failed.insert(started.node.clone());
                    self.set(&started.node, NodeState::Failed(reason.clone()));
                    first_failure.get_or_insert((started.node.clone(), reason));
                }
            }
        }

        let Some((node, reason)) = first_failure else {
            return Ok(self.report);
        };
        match self.failure {
            FailureStrategy::PartialContinue => Ok(self.report),
            FailureStrategy::HaltGraph => Err(GraphError::Failed { node, reason, strategy: self.failure, report: self.report }),
            FailureStrategy::RollbackAll => {
                for (container, backend) in self.created.iter().rev() {
                    let _ = backend.stop_container(container, self.stop_timeout).await;
                    let _ = backend.remove_container(container, true).await;
                }
                if let Some(network) = &self.network {
                    let _ = self.network_backend.remove_network(network).await;
                }
                for status in self.report.nodes.values_mut() {
                    if !matches!(status.state, NodeState::Failed(_)) {
                        status.state = NodeState::Pending;
                    }
                }
                Err(GraphError::Failed { node, reason, strategy: self.failure, report: self.report })
            }
        }
    }

    fn set(&mut self, node: &str, state: NodeState) {
        if let Some(status) = self.report.nodes.get_mut(node) {
            status.state = state;
        }
    }

    /// Whether starting `name` now would overlap an exclusive node or a node
    /// that shares one of its volumes.
    /// NOTE: overlap means the start phases (create until ready). A
    /// long-running node does not block a later exclusive one.
    fn conflicts(&self, name: &str, in_flight: &BTreeSet<String>) -> bool {
        let node = &self.graph.nodes[name];
        let volumes: BTreeSet<&str> = node.volume_names().into_iter().collect();
        in_flight.iter().any(|other| {
            let other = &self.graph.nodes[other];
            node.options.exclusive || other.options.exclusive || other.volume_names().iter().any(|volume| volumes.contains(volume))
        })
    }

    /// Builds the node's spec with its resolved references and starts it in a task.
    fn launch(&mut self, name: &str, tasks: &mut JoinSet<Started>) {
        let node = self.graph.nodes[name].clone();
        let placement = self.placements[name].clone();
        let container = container_name(&self.project, name);
        self.set(name, NodeState::Starting);
        self.report.started.push(name.to_owned());
        if let Some(status) = self.report.nodes.get_mut(name).filter(|_| placement.shared_kernel_untrusted) {
            status.note = Some(shared_kernel_note());
        }

        let mut env = node.environment.clone();
        for (variable, reference) in &node.references {
            let (host, address) = &self.resolved[&reference.node];
            let target = &self.graph.nodes[&reference.node];
            let port = reference.port.as_ref().and_then(|port| target.ports.get(port)).copied();
            let host = match reference.kind {
                perry_stack_schema::workload::ReferenceKind::Ip => address.clone().unwrap_or_else(|| host.clone()),
                _ => host.clone(),
            };
            env.insert(variable.clone(), reference.kind.format(&host, port));
        }
        let mut labels = BTreeMap::from([
            (PROJECT_LABEL.to_owned(), self.project.clone()),
            (NODE_LABEL.to_owned(), name.to_owned()),
            (TIER_LABEL.to_owned(), node.tier.as_str().to_owned()),
        ]);
        if placement.shared_kernel_untrusted {
            labels.insert(SHARED_KERNEL_LABEL.to_owned(), "true".to_owned());
        }
        let mut mounts: Vec<MountSpec> = node
            .volumes
            .iter()
            .filter_map(|mount| mount.split_once(':'))
            .map(|(source, target)| {
                let kind = if source.starts_with('/') { MountType::Bind } else { MountType::Volume };
                let source = if kind == MountType::Volume { format!("{}_{source}", self.project) } else { source.to_owned() };
                MountSpec { kind, source: Some(source), target: target.to_owned(), read_only: false, create_host_path: false }
            })
            .collect();
        // A read-only root still needs a writable /tmp for many programs.
        if node.tier.locked_down() {
            mounts.push(MountSpec { kind: MountType::Tmpfs, source: None, target: "/tmp".to_owned(), read_only: false, create_host_path: false });
        }
        let networks = match (&self.network, node.tier.without_network()) {
            (Some(network), false) => vec![NetworkAttachment { network: network.clone(), aliases: vec![name.to_owned()], ..NetworkAttachment::default() }],
            _ => Vec::new(),
        };
        let spec = ContainerSpec {
            name: container.clone(),
            image: node.image.clone(),
            command: node.command.clone(),
            env,
            labels,
            mounts,
            networks,
            confinement: confinement(&node),
            ..ContainerSpec::default()
        };
        self.created.push((container.clone(), placement.backend.clone()));
        let network = self.network.clone();
        let node_name = name.to_owned();
        tasks.spawn(async move {
            let backend = placement.backend;
            let result = start(backend.as_ref(), &spec, &node).await;
            let (result, address) = match result {
                Ok((state, applied)) => (Ok(state), network.and_then(|network| applied.addresses.get(&network).cloned())),
                Err(reason) => (Err(reason), None),
            };
            Started { node: node_name, container: Some(spec.name), result, address }
        });
    }
}

/// Creates and starts one container, checks its tier and waits until it is
/// ready: started, or healthy when it has a healthcheck.
async fn start(backend: &dyn Backend, spec: &ContainerSpec, node: &WorkloadNode) -> Result<(NodeState, AppliedConfinement), String> {
    let id = backend.create_container(spec).await.map_err(|error| error.to_string())?;
    backend.start_container(&id).await.map_err(|error| error.to_string())?;
    let applied = backend
        .inspect_confinement(&id)
        .await
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("the runtime `{}` cannot report the options it applied, so tier `{}` cannot be checked", backend.name(), node.tier.as_str()))?;
    let wrong = tier_mismatches(node.tier, &applied);
    if !wrong.is_empty() {
        return Err(format!("tier `{}` was not applied: {}", node.tier.as_str(), wrong.join("; ")));
    }

    let Some(check) = &node.healthcheck else {
        return Ok((NodeState::Running, applied));
    };
    for _ in 0..=check.retries {
        let info = backend.inspect_container(&id).await.map_err(|error| error.to_string())?;
        if !info.state.running {
            return Err(format!("the container exited with code {} before it was healthy", info.state.exit_code.unwrap_or(-1)));
        }
        if let Ok(ExecOutput { exit_code: 0, .. }) = backend.exec(&id, &check.test).await {
            return Ok((NodeState::Healthy, applied));
        }
        tokio::time::sleep(Duration::from_millis(check.interval_ms)).await;
    }
    Err(format!("not healthy after {} checks of `{}`", check.retries + 1, check.test.join(" ")))
}
