//! Container runtimes behind one async trait.
//!
//! [`CliBackend`] drives the podman or docker command line, [`MockBackend`]
//! keeps containers in memory for unit tests, and [`detect`] picks the first
//! runtime that responds on this machine.

mod cli;
#[cfg(feature = "docker-api")]
mod api_settings;
#[cfg(feature = "docker-api")]
mod docker_api;
mod attached;
mod detect;
mod follow;
pub(crate) mod mock;
pub(crate) mod options;
mod security;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

pub use cli::{CliBackend, Grammar};
#[cfg(feature = "docker-api")]
pub use docker_api::DockerApiBackend;
pub use mock::Call;
pub use attached::Attach;
pub use follow::{LogLine, LogStream};
pub use detect::{default_sockets, detect_backend, detect_backend_with};
pub use detect::{detect, detect_with, platform_order, DetectError, DetectOptions, BACKEND_NAMES, BACKEND_VARIABLE, MODE_VARIABLE};
pub use mock::{Fault, MockBackend, Operation};
pub use options::{Device, Logging, RunOptions, Ulimit};
pub use security::{AppliedConfinement, Confinement, ConfinementOption, Isolation};

/// Labels that a listed object must all carry, with these values.
pub type LabelFilter = BTreeMap<String, String>;

/// What to create a container from.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// Replaces the image's `CMD` when set.
    pub command: Option<Vec<String>>,
    /// Replaces the image's `ENTRYPOINT` when set.
    pub entrypoint: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<PortSpec>,
    pub mounts: Vec<MountSpec>,
    /// Networks to join, in the order given; the first is the primary one.
    pub networks: Vec<NetworkAttachment>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    /// A restart policy in the runtime's words (`no`, `always`, `on-failure:3`).
    pub restart: Option<String>,
    /// Left out of the serialized spec when empty, so config hashes of
    /// unconfined containers stay as they were.
    #[serde(skip_serializing_if = "Confinement::is_empty")]
    pub confinement: Confinement,
    /// Left out of the serialized spec when empty, as `confinement` is.
    #[serde(skip_serializing_if = "RunOptions::is_empty")]
    pub options: RunOptions,
}

/// A port to publish on the host.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PortSpec {
    pub host_ip: Option<String>,
    /// A host port or range; `None` lets the runtime choose a free port.
    pub published: Option<String>,
    pub target: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Volume,
    Bind,
    Tmpfs,
}

/// A filesystem to mount into a container.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MountSpec {
    pub kind: MountType,
    /// The runtime's volume name or a host path; `None` for an anonymous
    /// volume or a tmpfs.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// For a bind mount: create a missing host folder first, where the
    /// backend shares this host's file system. Not part of the config hash.
    #[serde(skip)]
    pub create_host_path: bool,
}

/// A network that a container joins, with the aliases it has there.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NetworkAttachment {
    pub network: String,
    pub aliases: Vec<String>,
    /// A fixed address on the network instead of one that the runtime picks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkSpec {
    pub name: String,
    pub driver: Option<String>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    /// Driver options, passed as `--opt key=value`.
    pub options: BTreeMap<String, String>,
    /// The address ranges of `ipam.config`; empty lets the runtime choose.
    pub subnets: Vec<Subnet>,
    pub enable_ipv6: bool,
}

/// One entry of a network's `ipam.config`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subnet {
    /// The range in CIDR notation, such as `172.28.0.0/16`.
    pub subnet: String,
    pub gateway: Option<String>,
    /// The part of the subnet that containers get addresses from.
    pub ip_range: Option<String>,
}

/// An image to build from a folder, as a service's `build` requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildSpec {
    /// The tag that the built image gets.
    pub image: String,
    /// The folder sent to the build, as an absolute path.
    pub context: String,
    /// The Containerfile or Dockerfile, relative to `context` unless
    /// absolute; `None` leaves the choice to the runtime.
    pub dockerfile: Option<String>,
    pub args: BTreeMap<String, String>,
    /// The stage of a multi-stage file to build.
    pub target: Option<String>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeSpec {
    pub name: String,
    pub driver: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Driver options, passed as `--opt key=value`.
    pub options: BTreeMap<String, String>,
}

/// A network or volume as the runtime lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

/// The lifecycle status of a container, in the runtime's words.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerStatus {
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Removing,
    Dead,
    Other(String),
}

impl ContainerStatus {
    pub fn parse(text: &str) -> Self {
        match text.to_ascii_lowercase().as_str() {
            "created" | "configured" | "initialized" => Self::Created,
            "running" | "up" => Self::Running,
            "paused" => Self::Paused,
            "restarting" => Self::Restarting,
            "exited" | "stopped" => Self::Exited,
            "removing" => Self::Removing,
            "dead" => Self::Dead,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Created => "created",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Restarting => "restarting",
            Self::Exited => "exited",
            Self::Removing => "removing",
            Self::Dead => "dead",
            Self::Other(text) => text,
        }
    }
}

/// Where a container is in its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerState {
    pub status: ContainerStatus,
    pub running: bool,
    /// The exit code once the container has exited; `None` before.
    pub exit_code: Option<i64>,
}

/// A port that the runtime published on the host.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublishedPort {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub protocol: String,
}

/// A container as the runtime reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub image: String,
    pub labels: BTreeMap<String, String>,
    pub state: ContainerState,
    pub ports: Vec<PublishedPort>,
}

/// The output of `logs`, with the container's two streams kept apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Logs {
    pub stdout: String,
    pub stderr: String,
}

/// How to run a command in a container, beyond its arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecSettings {
    /// Variables added to the container's environment for this command.
    pub env: BTreeMap<String, String>,
    pub workdir: Option<String>,
    /// A user name or id, with an optional group (`user:group`).
    pub user: Option<String>,
    /// Bytes written to the command's standard input, which is then closed.
    /// `None` gives the command an empty standard input.
    pub stdin: Option<Vec<u8>>,
}

/// The result of a command run inside a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

/// A part of a compose file that some backends cannot honour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    InternalNetworks,
    NetworkAliases,
    /// Joining more than one network.
    MultipleNetworks,
    BindMounts,
    TmpfsMounts,
    PublishedPorts,
    /// `driver_opts` of networks and volumes.
    DriverOptions,
    /// Running a command in a container, which engine-driven healthchecks need.
    Exec,
    /// Building an image from a folder (`build`).
    Build,
    /// Renaming a container, which lets `up` keep a replaced container until
    /// its replacement runs.
    Rename,
    /// A network's `ipam.config` and fixed addresses of containers on it.
    FixedAddresses,
    /// A service key passed to the runtime as a run option, such as
    /// `hostname` or `cap_add`.
    Setting(&'static str),
}

impl Feature {
    pub fn describe(self) -> &'static str {
        match self {
            Self::InternalNetworks => "internal networks",
            Self::NetworkAliases => "network aliases",
            Self::MultipleNetworks => "joining more than one network",
            Self::BindMounts => "bind mounts",
            Self::TmpfsMounts => "tmpfs mounts",
            Self::PublishedPorts => "published ports",
            Self::DriverOptions => "driver options",
            Self::Exec => "running a command in a container (healthchecks)",
            Self::Build => "building images",
            Self::Rename => "renaming containers",
            Self::FixedAddresses => "fixed subnets and addresses",
            Self::Setting(_) => "its run command has no such option",
        }
    }
}

/// The abilities of a backend: its isolation and the features it lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub isolation: Isolation,
    pub unsupported: std::collections::BTreeSet<Feature>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self { isolation: Isolation::SharedKernel, unsupported: Default::default() }
    }
}

impl Capabilities {
    pub fn supports(&self, feature: Feature) -> bool {
        !self.unsupported.contains(&feature)
    }
}

/// An error from a container runtime.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("timed out after {} s running `{command}`", .timeout.as_secs_f64())]
    Timeout { command: String, timeout: Duration },

    #[error("`{command}` failed{}: {}", exit_suffix(*.exit_code), .stderr.trim())]
    Failed { command: String, exit_code: Option<i32>, stderr: String },

    #[error("no such {kind} `{name}`: `{command}` reported: {}", .stderr.trim())]
    NotFound { kind: &'static str, name: String, command: String, stderr: String },

    #[error("could not run `{command}`: {source}")]
    Spawn { command: String, source: std::io::Error },

    #[error("could not parse the output of `{command}`: {message}")]
    Parse { command: String, message: String },

    /// The backend has no way to do this.
    #[error("this backend cannot {operation}")]
    Unsupported { operation: String },

    /// A request to a runtime's API failed.
    #[error("{request} failed: {message}")]
    Request { request: String, message: String },

    /// This process's standard input could not be read for a command.
    #[error("could not read standard input: {source}")]
    Input { source: std::io::Error },
}

fn exit_suffix(code: Option<i32>) -> String {
    match code {
        Some(code) => format!(" with exit code {code}"),
        None => " (killed by a signal)".to_string(),
    }
}

impl BackendError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}

/// Force-removes each container with its own call, all at once.
pub(crate) async fn remove_each<B: Backend + ?Sized>(backend: &B, ids: &[String]) -> Result<(), BackendError> {
    let removals = ids.iter().map(|id| async move {
        match backend.remove_container(id, true).await {
            Err(error) if error.is_not_found() => Ok(()),
            other => other,
        }
    });
    futures_util::future::try_join_all(removals).await.map(drop)
}

/// A container runtime. Every method addresses containers by id or name and
/// networks and volumes by name; listings filter by labels.
#[async_trait]
pub trait Backend: Send + Sync {
    /// A short name for logs and messages, such as `podman`.
    fn name(&self) -> &str;

    /// Returns the isolation and the features of this backend. The default
    /// supports everything, at the isolation that [`Backend::isolation`] reports.
    fn capabilities(&self) -> Capabilities {
        Capabilities { isolation: self.isolation(), ..Capabilities::default() }
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), BackendError>;
    async fn remove_network(&self, name: &str) -> Result<(), BackendError>;
    async fn list_networks(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError>;

    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), BackendError>;
    async fn remove_volume(&self, name: &str) -> Result<(), BackendError>;
    async fn list_volumes(&self, labels: &LabelFilter) -> Result<Vec<ResourceInfo>, BackendError>;

    /// Returns the id of the local image `name`, or `None` when there is
    /// none. A backend without [`Feature::Build`] is never asked.
    async fn image_id(&self, name: &str) -> Result<Option<String>, BackendError> {
        Err(BackendError::Unsupported { operation: format!("look up image {name}") })
    }
    /// Builds an image and tags it `spec.image`. A backend without
    /// [`Feature::Build`] is never asked.
    async fn build_image(&self, spec: &BuildSpec) -> Result<(), BackendError> {
        Err(BackendError::Unsupported { operation: format!("build image {}", spec.image) })
    }

    /// Creates a container without starting it and returns its id.
    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, BackendError>;
    async fn start_container(&self, id: &str) -> Result<(), BackendError>;
    /// Creates and starts a container in one step where the runtime can
    /// (`podman run -d`), and returns its id. After a failure the container
    /// may exist in the created state, so callers look it up by name.
    async fn run_container(&self, spec: &ContainerSpec) -> Result<String, BackendError> {
        let id = self.create_container(spec).await?;
        self.start_container(&id).await?;
        Ok(id)
    }
    /// Kills and removes several containers at once; ids that are already
    /// gone are skipped. Runtimes that take many ids in one command do it in
    /// one call, which costs one process instead of one per container.
    async fn remove_containers(&self, ids: &[String]) -> Result<(), BackendError> {
        remove_each(self, ids).await
    }
    /// Kills and removes several containers as [`Self::remove_containers`]
    /// does, with the anonymous volumes they use, as `down -v` does.
    /// NOTE: a backend without its own way (the mock, Apple's `container`)
    /// leaves those volumes.
    async fn remove_containers_and_volumes(&self, ids: &[String]) -> Result<(), BackendError> {
        self.remove_containers(ids).await
    }
    /// Sends the stop signal, then kills the container after `timeout`.
    async fn stop_container(&self, id: &str, timeout: Duration) -> Result<(), BackendError>;
    /// Removes a container; `force` kills a running one first.
    async fn remove_container(&self, id: &str, force: bool) -> Result<(), BackendError>;
    /// Gives a container, running or not, a new name. A backend without
    /// [`Feature::Rename`] is never asked.
    async fn rename_container(&self, id: &str, name: &str) -> Result<(), BackendError>;
    async fn inspect_container(&self, id: &str) -> Result<ContainerInfo, BackendError>;
    /// Returns the volumes mounted in a container, named and anonymous, by
    /// the path they are mounted at, so that a replacement can take over
    /// its anonymous volumes as docker compose does. A backend that cannot
    /// tell returns none, and a replacement then gets new ones.
    async fn volume_mounts(&self, _id: &str) -> Result<BTreeMap<String, String>, BackendError> {
        Ok(BTreeMap::new())
    }
    /// Lists containers in every state, including exited ones.
    async fn list_containers(&self, labels: &LabelFilter) -> Result<Vec<ContainerInfo>, BackendError>;

    /// Returns the container's output; `tail` keeps only the last lines.
    async fn logs(&self, id: &str, tail: Option<usize>) -> Result<Logs, BackendError>;
    /// Sends the container's output to `sink` as it is written: first the
    /// last `tail` lines (all when `None`), then each new line, until the
    /// container stops or `sink` is closed. Lines keep their order within
    /// each stream. Without a streaming runtime call, the output is read
    /// again at short intervals.
    async fn follow_logs(&self, id: &str, tail: Option<usize>, sink: tokio::sync::mpsc::Sender<LogLine>) -> Result<(), BackendError> {
        follow::poll_logs(self, id, tail, &sink).await
    }
    /// Runs `argv` in a running container, without a shell.
    async fn exec(&self, id: &str, argv: &[String]) -> Result<ExecOutput, BackendError> {
        self.exec_with(id, argv, &ExecSettings::default()).await
    }
    /// Runs `argv` in a running container attached to this process, as
    /// `exec` on the command line does: output goes to this process's
    /// stdout and stderr, and `attach` sets whether the command reads its
    /// standard input and gets a terminal. Returns the command's exit code.
    /// No timeout applies. A backend without its own way to attach prints
    /// the output when the command ends and reads piped input to its end
    /// first.
    async fn exec_attached(&self, id: &str, argv: &[String], settings: &ExecSettings, attach: Attach) -> Result<i64, BackendError> {
        attached::exec_collected(self, id, argv, settings, attach).await
    }
    /// Runs `argv` in a running container with `settings`, without a shell.
    async fn exec_with(&self, id: &str, argv: &[String], settings: &ExecSettings) -> Result<ExecOutput, BackendError>;

    /// Returns whether the runtime uses this host's file system at the same
    /// paths, so that the engine can create a bind mount's missing host folder.
    fn shares_host_filesystem(&self) -> bool {
        false
    }

    /// Returns whether creating a network or volume that exists already
    /// fails, so that a create that succeeds proves the object is new.
    /// podman's command line fails. docker keeps an existing volume and may
    /// create a second network of the same name.
    fn creates_exclusively(&self) -> bool {
        false
    }

    /// Returns the log drivers that the runtime supports, or `None` when it
    /// does not report them. The engine drops a service's `logging` for any
    /// other driver.
    async fn log_drivers(&self) -> Option<Vec<String>> {
        None
    }

    /// How far this runtime separates containers from the host.
    fn isolation(&self) -> Isolation {
        Isolation::SharedKernel
    }

    /// Whether `create_container` applies `option`; a backend that has not
    /// said so is taken not to.
    fn enforces(&self, _option: ConfinementOption) -> bool {
        false
    }

    /// What the runtime applied to a container, or `None` when this backend
    /// cannot tell.
    async fn inspect_confinement(&self, _id: &str) -> Result<Option<AppliedConfinement>, BackendError> {
        Ok(None)
    }
}
