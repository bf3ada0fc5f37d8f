//! `perry/container` on the selected backend.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use perry_stack_schema::api::HandleKind;

use super::{backends, failed, not_supported, object, register, release, selected, EngineApi};
use crate::backend::{self, MountSpec, MountType, NetworkAttachment, PortSpec};
use crate::engine::plan::{PROJECT_LABEL, SERVICE_LABEL};
use crate::engine::{DownOptions as EngineDownOptions, Engine};
use crate::ffi::bridge::{ApiError, ApiFuture};
use crate::ffi::generated::*;
use crate::ffi::typed::ContainerHandle;

/// The label on every container created through `perry/container`, which
/// `downAll` removes.
pub const MANAGED_LABEL: &str = "dev.perry-stack.managed";

/// The container that a handle names.
pub(super) struct ContainerEntry {
    pub id: String,
    pub name: String,
}

const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

fn entry(function: &'static str, container: &ContainerHandle) -> Result<std::sync::Arc<ContainerEntry>, ApiError> {
    object::<ContainerEntry>(function, container, HandleKind::Container)
}

/// Generates a name for a container whose spec has none, unique in this
/// process and, through the process id and clock, across processes.
fn generated_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|elapsed| elapsed.subsec_nanos()).unwrap_or(0);
    format!("perry-{}-{nanos:x}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn port_number(function: &'static str, field: &str, value: f64) -> Result<u16, ApiError> {
    if value.fract() == 0.0 && (1.0..=65535.0).contains(&value) {
        Ok(value as u16)
    } else {
        Err(failed(function, format!("`{field}` must be a whole number from 1 to 65535, received {value}")))
    }
}

fn mount(function: &'static str, text: &str) -> Result<MountSpec, ApiError> {
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, *target, None),
        [source, target] => (Some(*source), *target, None),
        [source, target, mode] => (Some(*source), *target, Some(*mode)),
        _ => return Err(failed(function, format!("volume `{text}` is not in `source:target[:mode]` form"))),
    };
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(other) => return Err(failed(function, format!("volume `{text}` has mode `{other}`; use `ro` or `rw`"))),
    };
    let (kind, source) = match source {
        None => (MountType::Volume, None),
        Some(path) if path.starts_with('/') => (MountType::Bind, Some(path.to_owned())),
        Some(path) if path.starts_with('.') => {
            let absolute = std::path::absolute(path).map_err(|error| failed(function, format!("volume `{text}`: {error}")))?;
            (MountType::Bind, Some(absolute.to_string_lossy().into_owned()))
        }
        Some(name) => (MountType::Volume, Some(name.to_owned())),
    };
    Ok(MountSpec { kind, source, target: target.to_owned(), read_only, create_host_path: false })
}

pub(super) fn backend_spec(function: &'static str, spec: ContainerSpec) -> Result<backend::ContainerSpec, ApiError> {
    let mut ports = Vec::new();
    for port in spec.ports.unwrap_or_default() {
        let target = port_number(function, "containerPort", port.container_port)?;
        let published = port.host_port.map(|host| port_number(function, "hostPort", host)).transpose()?;
        let protocol = port.protocol.unwrap_or_else(|| "tcp".to_owned());
        if protocol != "tcp" && protocol != "udp" {
            return Err(failed(function, format!("`protocol` must be \"tcp\" or \"udp\", received \"{protocol}\"")));
        }
        ports.push(PortSpec { host_ip: port.host_ip, published: published.map(|port| port.to_string()), target, protocol });
    }
    let mounts = spec.volumes.unwrap_or_default().iter().map(|text| mount(function, text)).collect::<Result<_, _>>()?;
    let mut labels = spec.labels.unwrap_or_default();
    labels.insert(MANAGED_LABEL.to_owned(), "true".to_owned());
    Ok(backend::ContainerSpec {
        name: spec.name.unwrap_or_else(generated_name),
        image: spec.image,
        command: spec.command,
        entrypoint: spec.entrypoint,
        env: spec.env.unwrap_or_default(),
        labels,
        ports,
        mounts,
        networks: spec.network.map(|network| vec![NetworkAttachment { network, ..NetworkAttachment::default() }]).unwrap_or_default(),
        working_dir: spec.workdir,
        user: spec.user,
        restart: None,
        ..backend::ContainerSpec::default()
    })
}

/// Converts a container as the backend lists it to the FFI's form.
pub(super) fn info(container: backend::ContainerInfo) -> ContainerInfo {
    ContainerInfo {
        service: container.labels.get(SERVICE_LABEL).cloned(),
        id: container.id,
        name: container.name,
        image: container.image,
        state: container.state.status.as_str().to_owned(),
        // NOTE: the backend trait does not report health yet.
        health: None,
        labels: container.labels,
    }
}

fn create_container(function: &'static str, spec: ContainerSpec, start: bool) -> ApiFuture<ContainerHandle> {
    Box::pin(async move {
        let spec = backend_spec(function, spec)?;
        let backend = selected(function).await?.backend.clone();
        let id = backend.create_container(&spec).await.map_err(|error| failed(function, error))?;
        if start
            && let Err(error) = backend.start_container(&id).await
        {
            // A container that could not start is not left behind by `run`.
            let _ = backend.remove_container(&id, true).await;
            return Err(failed(function, error));
        }
        register(function, ContainerEntry { id, name: spec.name })
    })
}

pub(super) fn exec_settings(options: Option<ExecOptions>) -> backend::ExecSettings {
    let options = options.unwrap_or_default();
    backend::ExecSettings { env: options.env.unwrap_or_default(), workdir: options.workdir, user: options.user, stdin: None }
}

pub(super) fn exec_result(output: backend::ExecOutput) -> ExecResult {
    ExecResult { exit_code: output.exit_code as f64, stdout: output.stdout, stderr: output.stderr }
}

/// Lines to keep from a `tail` option.
pub(super) fn tail(function: &'static str, options: &Option<LogsOptions>) -> Result<Option<usize>, ApiError> {
    if options.as_ref().and_then(|options| options.timestamps) == Some(true) {
        return Err(not_supported(function, "log timestamps"));
    }
    match options.as_ref().and_then(|options| options.tail) {
        None => Ok(None),
        Some(lines) if lines.fract() == 0.0 && lines >= 0.0 => Ok(Some(lines as usize)),
        Some(lines) => Err(failed(function, format!("`tail` must be a whole number of lines, received {lines}"))),
    }
}

impl ContainerApi for EngineApi {
    fn run(&self, spec: ContainerSpec) -> ApiFuture<ContainerHandle> {
        create_container("container.run", spec, true)
    }

    fn create(&self, spec: ContainerSpec) -> ApiFuture<ContainerHandle> {
        create_container("container.create", spec, false)
    }

    fn start(&self, container: ContainerHandle) -> ApiFuture<()> {
        const FUNCTION: &str = "container.start";
        Box::pin(async move {
            let entry = entry(FUNCTION, &container)?;
            let backend = selected(FUNCTION).await?.backend.clone();
            backend.start_container(&entry.id).await.map_err(|error| failed(FUNCTION, error))
        })
    }

    fn stop(&self, container: ContainerHandle, options: Option<StopOptions>) -> ApiFuture<()> {
        const FUNCTION: &str = "container.stop";
        Box::pin(async move {
            let entry = entry(FUNCTION, &container)?;
            let timeout = stop_timeout(FUNCTION, options.and_then(|options| options.timeout))?;
            let backend = selected(FUNCTION).await?.backend.clone();
            backend.stop_container(&entry.id, timeout).await.map_err(|error| failed(FUNCTION, error))
        })
    }

    fn remove(&self, container: ContainerHandle, options: Option<RemoveOptions>) -> ApiFuture<()> {
        const FUNCTION: &str = "container.remove";
        Box::pin(async move {
            let entry = entry(FUNCTION, &container)?;
            let options = options.unwrap_or(RemoveOptions { force: None, volumes: None });
            if options.volumes == Some(true) {
                return Err(not_supported(FUNCTION, "removing a container's anonymous volumes"));
            }
            let backend = selected(FUNCTION).await?.backend.clone();
            backend.remove_container(&entry.id, options.force.unwrap_or(false)).await.map_err(|error| failed(FUNCTION, error))?;
            release(&container);
            Ok(())
        })
    }

    fn list(&self, options: Option<ListOptions>) -> ApiFuture<Vec<ContainerInfo>> {
        const FUNCTION: &str = "container.list";
        Box::pin(async move {
            let all = options.as_ref().and_then(|options| options.all).unwrap_or(false);
            let labels = options.and_then(|options| options.labels).unwrap_or_default();
            let backend = selected(FUNCTION).await?.backend.clone();
            let mut listed = backend.list_containers(&labels).await.map_err(|error| failed(FUNCTION, error))?;
            listed.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(listed.into_iter().filter(|container| all || container.state.running).map(info).collect())
        })
    }

    fn inspect(&self, container: ContainerHandle) -> ApiFuture<ContainerInfo> {
        const FUNCTION: &str = "container.inspect";
        Box::pin(async move {
            let entry = entry(FUNCTION, &container)?;
            let backend = selected(FUNCTION).await?.backend.clone();
            backend.inspect_container(&entry.id).await.map(info).map_err(|error| failed(FUNCTION, error))
        })
    }

    fn logs(&self, container: ContainerHandle, options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        const FUNCTION: &str = "container.logs";
        Box::pin(async move {
            let entry = entry(FUNCTION, &container)?;
            if options.as_ref().is_some_and(|options| options.services.is_some()) {
                return Err(failed(FUNCTION, "`services` applies to stacks, not to a container"));
            }
            let tail = tail(FUNCTION, &options)?;
            let backend = selected(FUNCTION).await?.backend.clone();
            let logs = backend.logs(&entry.id, tail).await.map_err(|error| failed(FUNCTION, error))?;
            Ok(LogOutput { stdout: logs.stdout, stderr: logs.stderr })
        })
    }

    fn exec(&self, container: ContainerHandle, command: Vec<String>, options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        const FUNCTION: &str = "container.exec";
        Box::pin(async move {
            let entry = entry(FUNCTION, &container)?;
            if command.is_empty() {
                return Err(failed(FUNCTION, "the command is empty"));
            }
            let backend = selected(FUNCTION).await?.backend.clone();
            backend.exec_with(&entry.id, &command, &exec_settings(options)).await.map(exec_result).map_err(|error| failed(FUNCTION, format!("{}: {error}", entry.name)))
        })
    }

    fn pull_image(&self, reference: String) -> ApiFuture<()> {
        Box::pin(super::cli::pull(reference))
    }

    fn list_images(&self) -> ApiFuture<Vec<ImageInfo>> {
        Box::pin(super::cli::list())
    }

    fn remove_image(&self, reference: String, options: Option<RemoveOptions>) -> ApiFuture<()> {
        Box::pin(super::cli::remove(reference, options))
    }

    fn build(&self, spec: BuildSpec) -> ApiFuture<String> {
        Box::pin(super::cli::build(spec))
    }

    fn remove_if_exists(&self, name: String) -> ApiFuture<bool> {
        const FUNCTION: &str = "container.removeIfExists";
        Box::pin(async move {
            let backend = selected(FUNCTION).await?.backend.clone();
            // `podman rm --force` succeeds for a missing container, so the
            // inspect shows whether there is one to remove.
            match backend.inspect_container(&name).await {
                Ok(_) => {}
                Err(error) if error.is_not_found() => return Ok(false),
                Err(error) => return Err(failed(FUNCTION, error)),
            }
            match backend.remove_container(&name, true).await {
                Ok(()) => Ok(true),
                Err(error) if error.is_not_found() => Ok(false),
                Err(error) => Err(failed(FUNCTION, error)),
            }
        })
    }

    fn down_by_project(&self, project: String, options: Option<DownOptions>) -> ApiFuture<()> {
        const FUNCTION: &str = "container.downByProject";
        Box::pin(async move {
            if project.is_empty() {
                return Err(failed(FUNCTION, "the project name is empty"));
            }
            let backend = selected(FUNCTION).await?.backend.clone();
            // `down` removes every container labelled with the project, so
            // orphans go with the rest whether or not they were asked for.
            let options = EngineDownOptions { volumes: options.and_then(|options| options.volumes).unwrap_or(false), ..EngineDownOptions::default() };
            Engine::new(backend).down(&project, &options).await.map(drop).map_err(|error| failed(FUNCTION, error))
        })
    }

    fn down_all(&self, options: Option<DownOptions>) -> ApiFuture<()> {
        const FUNCTION: &str = "container.downAll";
        Box::pin(async move {
            let volumes = options.and_then(|options| options.volumes).unwrap_or(false);
            let backend = selected(FUNCTION).await?.backend.clone();
            let managed = BTreeMap::from([(MANAGED_LABEL.to_owned(), "true".to_owned())]);
            for container in backend.list_containers(&managed).await.map_err(|error| failed(FUNCTION, error))? {
                match backend.remove_container(&container.id, true).await {
                    Ok(()) => {}
                    Err(error) if error.is_not_found() => {}
                    Err(error) => return Err(failed(FUNCTION, error)),
                }
            }
            let engine = Engine::new(backend);
            let options = EngineDownOptions { volumes, ..EngineDownOptions::default() };
            for project in super::compose::live_projects() {
                engine.down(&project, &options).await.map_err(|error| failed(FUNCTION, error))?;
            }
            Ok(())
        })
    }

    fn get_backend(&self) -> Result<String, ApiError> {
        backends::current().map(|selected| selected.name.clone()).map_err(|message| failed("container.getBackend", message))
    }

    fn detect_backend(&self) -> ApiFuture<BackendInfo> {
        Box::pin(async { Ok(selected("container.detectBackend").await?.info()) })
    }

    fn get_available_backends(&self) -> ApiFuture<Vec<BackendInfo>> {
        const FUNCTION: &str = "container.getAvailableBackends";
        Box::pin(async {
            let found = tokio::task::spawn_blocking(backends::available).await.map_err(|error| failed(FUNCTION, error))?;
            Ok(found.iter().map(|selected| selected.info()).collect())
        })
    }

    fn get_backend_priority(&self) -> ApiFuture<Vec<String>> {
        Box::pin(async { Ok(backends::priority()) })
    }

    fn set_backend(&self, name: String) -> ApiFuture<()> {
        const FUNCTION: &str = "container.setBackend";
        Box::pin(async move {
            tokio::task::spawn_blocking(move || backends::pin(&name))
                .await
                .map_err(|error| failed(FUNCTION, error))?
                .map_err(|message| failed(FUNCTION, message))
        })
    }

    fn set_backends(&self, names: Vec<String>) -> ApiFuture<()> {
        const FUNCTION: &str = "container.setBackends";
        Box::pin(async move { backends::set_priority(names).map_err(|message| failed(FUNCTION, message)) })
    }
}

pub(super) fn stop_timeout(function: &'static str, seconds: Option<f64>) -> Result<Duration, ApiError> {
    match seconds {
        None => Ok(DEFAULT_STOP_TIMEOUT),
        Some(seconds) if seconds.is_finite() && seconds >= 0.0 => Ok(Duration::from_secs_f64(seconds)),
        Some(seconds) => Err(failed(function, format!("`timeout` must be a number of seconds of at least 0, received {seconds}"))),
    }
}

/// Containers of a compose project, sorted by service and name.
pub(super) async fn project_containers(function: &'static str, backend: &dyn crate::backend::Backend, project: &str) -> Result<Vec<backend::ContainerInfo>, ApiError> {
    let filter = BTreeMap::from([(PROJECT_LABEL.to_owned(), project.to_owned())]);
    let mut listed = backend.list_containers(&filter).await.map_err(|error| failed(function, error))?;
    listed.sort_by(|a, b| (a.labels.get(SERVICE_LABEL), &a.name).cmp(&(b.labels.get(SERVICE_LABEL), &b.name)));
    Ok(listed)
}
