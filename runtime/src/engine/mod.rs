//! The engine: brings a project up and down through a [`Backend`].
//!
//! Every object it creates carries the `com.docker.compose.*` labels, so
//! `down`, `ps`, `logs` and `exec` find a project's containers from any
//! process, with no state file.

mod build;
mod down;
mod health;
mod lifecycle;
pub mod plan;
mod query;
mod settings;
mod up;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::backend::{Attach, Backend, BackendError, DetectError, ExecOutput, ExecSettings, LogLine, Logs, PublishedPort};

pub use plan::{normalize_project_name, resolve_project_name};
pub use query::format_ps_table;

/// Runs compose projects on one backend.
#[derive(Clone)]
pub struct Engine {
    backend: Arc<dyn Backend>,
}

/// The behaviour of `up` when a service fails to be created, to start, or
/// to meet the condition that a dependent waits for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailureStrategy {
    /// Stop scheduling, then remove every container, network and volume this
    /// run created and stop the existing containers it started. A container
    /// that existed before the run is never removed.
    #[default]
    RollbackAll,
    /// Stop scheduling and leave everything as it is.
    HaltGraph,
    /// Keep starting the services that do not depend on a failed one; skip
    /// the dependents of each failure. The run still ends with an error.
    PartialContinue,
}

/// Tells a running `up` to stop scheduling and roll back. Clones share one
/// signal.
#[derive(Clone, Debug)]
pub struct Cancel(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Cancel {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::channel(false).0))
    }
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once [`Cancel::cancel`] was called.
    pub async fn cancelled(&self) {
        let mut receiver = self.0.subscribe();
        // The sender lives in self, so the channel cannot close here.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}

/// A step of one container, for a progress display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressEvent {
    pub kind: ObjectKind,
    /// The service of a container; empty for a network or volume.
    pub service: String,
    /// The container name, or the network or volume name.
    pub object: String,
    /// The step, in the words docker compose prints: `Creating`,
    /// `Created`, `Started`, `Running`, `Recreated`, `Healthy`, `Exited`,
    /// `Stopped`, `Removed`, `Error`, `Skipped`.
    pub status: String,
}

/// The kind of object a [`ProgressEvent`] reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Container,
    Network,
    Volume,
    Image,
}

impl ObjectKind {
    /// Returns the word that docker compose prints before the object's name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Container => "Container",
            Self::Network => "Network",
            Self::Volume => "Volume",
            Self::Image => "Image",
        }
    }
}

/// Receives [`ProgressEvent`]s as they happen, from any task.
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(&ProgressEvent) + Send + Sync>);

impl Progress {
    pub fn new(report: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        Self(Arc::new(report))
    }

    /// Reports a step of a container of `service`.
    pub(crate) fn emit(progress: &Option<Progress>, service: &str, object: &str, status: &str) {
        Self::emit_kind(progress, ObjectKind::Container, service, object, status);
    }

    /// Reports a step of a network or volume.
    pub(crate) fn emit_resource(progress: &Option<Progress>, kind: ObjectKind, name: &str, status: &str) {
        Self::emit_kind(progress, kind, "", name, status);
    }

    fn emit_kind(progress: &Option<Progress>, kind: ObjectKind, service: &str, object: &str, status: &str) {
        if let Some(progress) = progress {
            (progress.0)(&ProgressEvent { kind, service: service.to_string(), object: object.to_string(), status: status.to_string() });
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Progress(..)")
    }
}

/// Options of [`Engine::up`].
#[derive(Clone, Debug)]
pub struct UpOptions {
    /// Overrides the project name from the file, the environment and the folder.
    pub project_name: Option<String>,
    /// How many containers may be created and started at the same time.
    pub max_parallel: usize,
    /// How often to check whether a container has exited.
    pub poll_interval: Duration,
    /// How long to wait for a `service_completed_successfully` dependency to
    /// exit; `None` waits as long as it runs.
    pub completion_timeout: Option<Duration>,
    /// Only these services and what they depend on; all when empty.
    pub services: Vec<String>,
    /// Remove containers of the project whose service is gone; without it
    /// they are only reported.
    pub remove_orphans: bool,
    /// Also wait until every service with a healthcheck is healthy.
    pub wait: bool,
    /// Build the images of services with `build` even when they exist
    /// (`up --build`); without it only missing images are built.
    pub build: bool,
    pub on_failure: FailureStrategy,
    /// Stops scheduling and rolls back when cancelled.
    pub cancel: Option<Cancel>,
    pub progress: Option<Progress>,
    /// How long a container may take to stop when it is replaced, scaled
    /// down or rolled back. `None` gives each container its service's
    /// `stop_grace_period`, 10 seconds unless set.
    pub stop_timeout: Option<Duration>,
}

impl Default for UpOptions {
    fn default() -> Self {
        Self {
            project_name: None,
            max_parallel: 8,
            poll_interval: Duration::from_millis(200),
            completion_timeout: Some(Duration::from_secs(600)),
            services: Vec::new(),
            remove_orphans: false,
            wait: false,
            build: false,
            on_failure: FailureStrategy::default(),
            cancel: None,
            progress: None,
            stop_timeout: None,
        }
    }
}

/// Options of [`Engine::down`].
#[derive(Clone, Debug)]
pub struct DownOptions {
    /// Also remove the project's named volumes (not external ones) and the
    /// anonymous volumes of its containers.
    pub volumes: bool,
    /// How long a container may take to stop before it is killed. `None`
    /// gives each container its service's `stop_grace_period`, 10 seconds
    /// unless set.
    pub timeout: Option<Duration>,
    /// Only these services and the services that depend on them; when
    /// empty, the whole project with its networks and volumes.
    pub services: Vec<String>,
    /// The services of the compose file, when one was read. Containers of
    /// other services (orphans) are then kept unless `remove_orphans` is set.
    pub known_services: Option<std::collections::BTreeSet<String>>,
    pub remove_orphans: bool,
    /// How many containers may be stopped and removed at the same time.
    pub max_parallel: usize,
    pub progress: Option<Progress>,
}

impl Default for DownOptions {
    fn default() -> Self {
        Self {
            volumes: false,
            timeout: None,
            services: Vec::new(),
            known_services: None,
            remove_orphans: false,
            max_parallel: 8,
            progress: None,
        }
    }
}

/// The result of `up`: the services started and the resources created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackReport {
    pub project: String,
    /// One entry per container, sorted by service name and container name.
    pub services: Vec<ServiceReport>,
    pub networks_created: Vec<String>,
    pub volumes_created: Vec<String>,
    pub elapsed: Duration,
    /// Containers of the project whose service is gone, left in place.
    pub orphans: Vec<String>,
    /// Containers removed: orphans (with `remove_orphans`) and replicas
    /// beyond the service's count.
    pub removed: Vec<String>,
    /// Services restarted because a dependency with `restart: true` was
    /// recreated.
    pub restarted: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceReport {
    pub service: String,
    pub container_name: String,
    pub container_id: String,
    /// Whether an existing container with the same config hash was kept.
    pub reused: bool,
    /// Whether a container with another config hash was replaced.
    pub recreated: bool,
}

/// The containers, networks and volumes that `down` removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DownReport {
    /// Container names in the order they were removed.
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    /// Containers of services that the compose file no longer has, kept
    /// because `remove_orphans` was not set.
    pub orphans: Vec<String>,
}

/// A container of a project, as `ps` lists it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContainerSummary {
    pub service: String,
    pub name: String,
    pub id: String,
    pub status: String,
    pub exit_code: Option<i64>,
    pub ports: Vec<PublishedPort>,
}

/// The output of one container, as `logs` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceLogs {
    pub service: String,
    pub container: String,
    /// The container's number within its service, from 1.
    pub number: u32,
    pub logs: Logs,
}

/// Output of a followed container, or its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceOutput {
    pub service: String,
    pub container: String,
    /// The container's number within its service, from 1.
    pub number: u32,
    /// How many containers of the service are followed, so that a reader
    /// can tell replicas apart only where there are several.
    pub replicas: u32,
    pub item: OutputItem,
}

/// An item of a followed container: a line of output or its exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputItem {
    Line(LogLine),
    /// The container stopped, with its exit code where the runtime reports one.
    Exited { exit_code: Option<i64> },
}

/// An error of the engine. Messages name the service and what to do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Detect(#[from] DetectError),

    #[error("the project has no name: set `name` in the compose file, COMPOSE_PROJECT_NAME, or pass a project name")]
    MissingProjectName,

    #[error("invalid project name `{value}` from {origin}: it must contain a lower-case letter or digit")]
    InvalidProjectName { value: String, origin: &'static str },

    /// A project name from `-p` or `COMPOSE_PROJECT_NAME` that is not valid.
    #[error("{0}")]
    ProjectName(String),

    #[error("service {service} has no image; building images is not supported yet, so set `image`")]
    MissingImage { service: String },

    #[error("service {service} depends on {dependency}, which is not a service of this project")]
    UnknownDependency { service: String, dependency: String },

    #[error("service {dependent} waits for {service} to be healthy, but {service} has no healthcheck; add one or use condition service_started")]
    NoHealthcheck { service: String, dependent: String },

    #[error("dependency cycle between services: {path}")]
    DependencyCycle { path: String },

    #[error("service {service} mounts volume {volume}, which is not declared under the top-level `volumes`")]
    UndeclaredVolume { service: String, volume: String },

    #[error("service {service} joins network {network}, which is not declared under the top-level `networks`")]
    UndeclaredNetwork { service: String, network: String },

    #[error("external {kind} {name} not found on {backend}: service {service} uses it through {key} (external: true); create it with `{kind} create {name}` or remove `external: true`")]
    ExternalNotFound { kind: &'static str, name: String, key: String, service: String, backend: String },

    #[error("service {service} has a {kind} mount, which is not supported yet")]
    UnsupportedMount { service: String, kind: String },

    #[error("service {service} has an invalid healthcheck test {test:?}: use [\"CMD\", ...] or [\"CMD-SHELL\", \"...\"]")]
    InvalidHealthcheck { service: String, test: Vec<String> },

    #[error("network {network} exists with other settings (subnets, driver or options); run `down` and then `up` to create it again")]
    NetworkChanged { network: String },

    #[error("service {service}: the file {path} of {what} does not exist")]
    MissingFile { service: String, what: String, path: String },

    #[error("service {service} has an invalid {key} of {value:?}: use {expected}")]
    InvalidSetting { service: String, key: String, value: String, expected: String },

    #[error("service {service} is unhealthy after {checks} checks: last output: {last_output}")]
    Unhealthy { service: String, checks: u32, last_output: String },

    #[error("service {service} exited with code {exit_code}, but {dependent} requires it to complete successfully")]
    CompletedWithFailure { service: String, dependent: String, exit_code: i64 },

    #[error("service {service} stopped ({status}{}) while {dependent} waited for it to {goal}", exit_code_suffix(*.exit_code))]
    ExitedWhileWaiting { service: String, dependent: String, goal: &'static str, status: String, exit_code: Option<i64> },

    #[error("timed out after {} s waiting for service {service} to {condition}, which {dependent} depends on", .timeout.as_secs())]
    WaitTimedOut { service: String, dependent: String, condition: &'static str, timeout: Duration },

    #[error("project {project} has no container for service {service}; run `up` first")]
    ServiceNotFound { project: String, service: String },

    #[error("service {service} has no replica {index}; its containers are numbered {}", join_numbers(numbers))]
    NoSuchReplica { service: String, index: u32, numbers: Vec<u32> },

    #[error("could not create the host folder {path} that service {service} mounts: {reason}")]
    HostPath { service: String, path: String, reason: String },

    #[error("service {service} mounts the host path `{path}`, which is not absolute; write it from `/`, or from `~` with HOME set")]
    RelativeBindSource { service: String, path: String },

    #[error("the container {container} of service {service} is not running ({status})")]
    NotRunning { service: String, container: String, status: String },

    #[error("could not {action}: {source}")]
    Backend { action: String, source: BackendError },

    #[error("service {service} sets container_name, so it can run one container, not {replicas}; remove container_name or the replica count")]
    FixedNameReplicas { service: String, replicas: u32 },

    #[error("service {service} has an invalid {key} of {value}: use a whole number from 0")]
    InvalidReplicas { service: String, key: &'static str, value: i64 },

    #[error("backend {backend} cannot run service {service}: {key} is not supported there ({reason})")]
    Unsupported { service: String, key: String, backend: String, reason: String },

    #[error("up was interrupted; {}", rollback_note(.rolled_back))]
    Interrupted { rolled_back: bool },

    #[error("{first}{}", more_failures(.others))]
    Failed { first: Box<EngineError>, others: Vec<String>, skipped: Vec<String> },

    #[error("project {project} has no service {service}")]
    UnknownService { project: String, service: String },

    #[error("an engine task failed: {0}")]
    Task(String),
}

fn rollback_note(rolled_back: &bool) -> &'static str {
    if *rolled_back { "what it created was removed" } else { "what it started is left running" }
}

fn more_failures(others: &[String]) -> String {
    others.iter().map(|other| format!("\nalso: {other}")).collect()
}

fn exit_code_suffix(code: Option<i64>) -> String {
    code.map(|code| format!(", exit code {code}")).unwrap_or_default()
}

impl Engine {
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Self { backend }
    }

    /// Builds an engine on the first runtime that responds, in the order
    /// of [`crate::backend::platform_order`], unless `PERRY_CONTAINER_BACKEND`
    /// pins one or a list.
    /// `PERRY_CONTAINER_MODE=server-first` prefers a Docker Engine API
    /// socket (with the `docker-api` feature), as [`crate::backend::detect_backend`] says.
    pub async fn detect() -> Result<Self, EngineError> {
        Ok(Self::new(crate::backend::detect_backend().await?))
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// Runs `argv` in the running container of `service`.
    pub async fn exec(&self, project: &str, service: &str, argv: &[String]) -> Result<ExecOutput, EngineError> {
        query::exec(&self.backend, project, service, 1, argv, &ExecSettings::default()).await
    }

    /// Runs `argv` in replica `index` (from 1) of a service, with an
    /// environment, working directory or user.
    pub async fn exec_with(&self, project: &str, service: &str, index: u32, argv: &[String], settings: &ExecSettings) -> Result<ExecOutput, EngineError> {
        query::exec(&self.backend, project, service, index, argv, settings).await
    }

    /// Runs `argv` in replica `index` (from 1) of a service attached to this
    /// process (see [`Backend::exec_attached`]) and returns its exit code.
    pub async fn exec_attached(&self, project: &str, service: &str, index: u32, argv: &[String], settings: &ExecSettings, attach: Attach) -> Result<i64, EngineError> {
        query::exec_attached(&self.backend, project, service, index, argv, settings, attach).await
    }

    /// Lists the project's containers, sorted by service and name.
    pub async fn ps(&self, project: &str) -> Result<Vec<ContainerSummary>, EngineError> {
        query::ps(&self.backend, project).await
    }

    /// Returns the output of one service's containers, or of all of them.
    pub async fn logs(&self, project: &str, service: Option<&str>, tail: Option<usize>) -> Result<Vec<ServiceLogs>, EngineError> {
        query::logs(&self.backend, project, service, tail).await
    }

    /// Sends the output of the containers of `services` (all when empty) to
    /// `sink` as it is written, from the last `tail` lines of each (all when
    /// `None`), until every one of them has stopped or `sink` is closed.
    pub async fn follow_logs(&self, project: &str, services: &[String], tail: Option<usize>, sink: mpsc::Sender<ServiceOutput>) -> Result<(), EngineError> {
        query::follow_logs(&self.backend, project, services, tail, sink).await
    }

    /// Removes the project's containers (dependents first), then its
    /// networks, then its volumes when `options.volumes` is set.
    pub async fn down(&self, project: &str, options: &DownOptions) -> Result<DownReport, EngineError> {
        down::down(&self.backend, project, options).await
    }

    /// Starts the stopped containers of `services` (all when empty),
    /// dependencies first.
    pub async fn start(&self, project: &str, services: &[String], options: &DownOptions) -> Result<Vec<String>, EngineError> {
        lifecycle::start(&self.backend, project, services, options).await
    }

    /// Stops the running containers of `services` (all when empty) and of
    /// the services that depend on them, dependents first.
    pub async fn stop(&self, project: &str, services: &[String], options: &DownOptions) -> Result<Vec<String>, EngineError> {
        lifecycle::stop(&self.backend, project, services, options).await
    }

    /// Stops, then starts again, the containers of `services` (all when empty).
    pub async fn restart(&self, project: &str, services: &[String], options: &DownOptions) -> Result<Vec<String>, EngineError> {
        lifecycle::stop(&self.backend, project, services, options).await?;
        lifecycle::start(&self.backend, project, services, options).await
    }

    /// Creates and starts the project's services, each as soon as its
    /// dependencies meet their conditions.
    pub async fn up(&self, project: &perry_stack_schema::Project, options: &UpOptions) -> Result<StackReport, EngineError> {
        up::up(&self.backend, project, options).await
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod failure_tests;

fn join_numbers(numbers: &[u32]) -> String {
    numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}
