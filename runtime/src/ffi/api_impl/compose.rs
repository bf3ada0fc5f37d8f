//! `perry/compose` on the stack engine.
//!
//! A spec arrives as an object and goes through the same loader as a
//! compose file (JSON is YAML), so it is validated and normalized the same
//! way. Its values are taken literally: a `$` is not interpolated, since
//! TypeScript builds the values itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use perry_stack_schema::api::HandleKind;
use perry_stack_schema::Project;
use sha2::{Digest, Sha256};

use super::container::{exec_result, exec_settings, project_containers, stop_timeout, tail};
use super::{failed, object, register, release, selected, EngineApi};
use crate::backend::{Backend, ContainerStatus};
use crate::engine::plan::{PROJECT_NAME_VARIABLE, SERVICE_LABEL};
use crate::engine::{normalize_project_name, DownOptions as EngineDownOptions, Engine, UpOptions as EngineUpOptions};
use crate::ffi::bridge::{ApiError, ApiFuture};
use crate::ffi::generated::*;
use crate::ffi::handle::Handle;
use crate::ffi::typed::{StackHandle, TypedHandle};

/// The stack that a handle names.
struct StackEntry {
    project: String,
    engine: Engine,
}

/// Projects in use by live stack handles of this process, with the digest of
/// the spec each was brought up from.
static PROJECTS: Mutex<BTreeMap<String, (Handle, String)>> = Mutex::new(BTreeMap::new());

fn projects() -> MutexGuard<'static, BTreeMap<String, (Handle, String)>> {
    PROJECTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Lists the projects of live stack handles, sorted.
pub(super) fn live_projects() -> Vec<String> {
    projects().keys().cloned().collect()
}

fn forget(project: &str, handle: Handle) {
    let mut projects = projects();
    if projects.get(project).is_some_and(|(in_use, _)| *in_use == handle) {
        projects.remove(project);
    }
}

fn stack(function: &'static str, handle: &StackHandle) -> Result<Arc<StackEntry>, ApiError> {
    object::<StackEntry>(function, handle, HandleKind::Stack)
}

/// Replaces `$` with `$$` in every string, so the loader's interpolation
/// gives each value back as written, and writes whole numbers without a
/// fraction: a TypeScript number arrives as `f64`, and `81.0` is not a port
/// or a replica count for the loader.
fn literal(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => *text = text.replace('$', "$$"),
        serde_json::Value::Number(number) => {
            if let Some(whole) = number.as_f64().filter(|float| float.fract() == 0.0 && float.abs() < 9.0e15) {
                *number = serde_json::Number::from(whole as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(literal),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(literal),
        _ => {}
    }
}

/// Loads a spec through the compose loader. Errors give the line and
/// column in the spec pretty-printed as JSON.
fn load(function: &'static str, spec: &ComposeSpec) -> Result<Project, ApiError> {
    let mut value = serde_json::to_value(spec).map_err(|error| failed(function, error))?;
    literal(&mut value);
    let text = serde_json::to_string_pretty(&value).map_err(|error| failed(function, error))?;
    // Positions point into the spec's JSON text, which has no file; the
    // name says so. Its folder is empty, so a relative bind-mount source
    // resolves against the current directory of the process.
    let file = std::path::PathBuf::from(format!("<{function} spec>"));
    let no_variables = |_: &str| None::<String>;
    match perry_stack_schema::load(&text, &file, &no_variables) {
        Ok((project, _warnings)) => Ok(project),
        Err(diagnostics) => Err(failed(function, format!("invalid spec:\n{}", diagnostics.to_string().trim_end()))),
    }
}

/// Computes the digest of a spec's content, which distinguishes two specs.
pub(super) fn digest(function: &'static str, spec: &ComposeSpec) -> Result<String, ApiError> {
    // Field order is fixed and maps are sorted, so equal specs give equal text.
    let text = serde_json::to_string(spec).map_err(|error| failed(function, error))?;
    Ok(Sha256::digest(text.as_bytes()).iter().take(6).map(|byte| format!("{byte:02x}")).collect())
}

/// Picks the project name: the spec's `name`, then COMPOSE_PROJECT_NAME, then `perry-<digest>`.
pub(super) fn project_name(function: &'static str, spec: &ComposeSpec, digest: &str) -> Result<String, ApiError> {
    let (raw, origin) = if let Some(name) = spec.name.clone().filter(|name| !name.is_empty()) {
        (name, "the spec's `name`")
    } else if let Some(name) = std::env::var(PROJECT_NAME_VARIABLE).ok().filter(|name| !name.is_empty()) {
        (name, PROJECT_NAME_VARIABLE)
    } else {
        (format!("perry-{digest}"), "the spec's content")
    };
    let name = normalize_project_name(&raw);
    if name.is_empty() {
        return Err(failed(function, format!("project name \"{raw}\" from {origin} has no lower-case letter or digit")));
    }
    Ok(name)
}

/// Keeps the `requested` services and everything they depend on.
fn select_services(function: &'static str, project: &mut Project, requested: &[String]) -> Result<(), ApiError> {
    let mut keep = BTreeSet::new();
    let mut pending: Vec<String> = requested.to_vec();
    while let Some(name) = pending.pop() {
        let Some(service) = project.services.get(&name) else {
            return Err(failed(function, format!("`services` names {name}, which is not a service of the spec")));
        };
        if keep.insert(name.clone()) {
            pending.extend(service.depends_on.keys().cloned());
        }
    }
    project.services.retain(|name, _| keep.contains(name));
    Ok(())
}

fn up(spec: ComposeSpec, options: Option<UpOptions>) -> ApiFuture<StackHandle> {
    const FUNCTION: &str = "compose.up";
    Box::pin(async move {
        let options = options.unwrap_or(UpOptions { services: None, wait: None, remove_orphans: None });
        let digest = digest(FUNCTION, &spec)?;
        let name = project_name(FUNCTION, &spec, &digest)?;
        let mut project = load(FUNCTION, &spec)?;
        let declared: BTreeSet<String> = project.services.keys().cloned().collect();
        if let Some(services) = &options.services {
            select_services(FUNCTION, &mut project, services)?;
        }
        let engine = Engine::new(selected(FUNCTION).await?.backend.clone());

        // Claim the project before starting anything, so a concurrent `up`
        // of another spec with the same name is refused rather than merged.
        let (stack, fresh) = {
            let mut projects = projects();
            let in_use = projects.get(&name).map(|(handle, digest)| (*handle, digest.clone()));
            match in_use {
                Some((handle, digest_in_use)) if crate::ffi::handle::HandleRegistry::global().check(handle.to_js(), HandleKind::Stack).is_ok() => {
                    if digest_in_use != digest {
                        return Err(failed(
                            FUNCTION,
                            format!("project {name} is already used by a stack of another spec in this process; give this spec its own `name`, or take the other stack down first"),
                        ));
                    }
                    (StackHandle::from_checked(handle), false)
                }
                _ => {
                    let stack: StackHandle = register(FUNCTION, StackEntry { project: name.clone(), engine: engine.clone() })?;
                    projects.insert(name.clone(), (stack.handle(), digest));
                    (stack, true)
                }
            }
        };

        let started = async {
            let up_options = EngineUpOptions { project_name: Some(name.clone()), ..EngineUpOptions::default() };
            engine.up(&project, &up_options).await.map_err(|error| failed(FUNCTION, error))?;
            if options.remove_orphans == Some(true) {
                let backend = engine.backend();
                for container in project_containers(FUNCTION, backend.as_ref(), &name).await? {
                    let service = container.labels.get(SERVICE_LABEL).cloned().unwrap_or_default();
                    if !declared.contains(&service) {
                        backend.remove_container(&container.id, true).await.map_err(|error| failed(FUNCTION, error))?;
                    }
                }
            }
            if options.wait == Some(true) {
                let started: BTreeSet<String> = project.services.keys().cloned().collect();
                wait_running(FUNCTION, engine.backend().as_ref(), &name, &started).await?;
            }
            Ok::<(), ApiError>(())
        };
        if let Err(error) = started.await {
            if fresh {
                forget(&name, stack.handle());
                release(&stack);
            }
            return Err(error);
        }
        Ok(stack)
    })
}

/// How long `wait` gives every container to reach the running state.
const WAIT_TIMEOUT: Duration = Duration::from_secs(60);
const WAIT_POLL: Duration = Duration::from_millis(200);

/// Waits until the container of each service runs; a container that exits
/// fails the wait, as it fails `docker compose up --wait`.
///
/// NOTE: a spec given as an object declares no healthchecks, so running is
/// the goal; an image's own HEALTHCHECK is not waited for.
async fn wait_running(function: &'static str, backend: &dyn Backend, project: &str, services: &BTreeSet<String>) -> Result<(), ApiError> {
    let deadline = Instant::now() + WAIT_TIMEOUT;
    loop {
        let listed = project_containers(function, backend, project).await?;
        let mut pending = Vec::new();
        for service in services {
            let container = listed.iter().find(|container| container.labels.get(SERVICE_LABEL) == Some(service));
            match container.map(|container| &container.state) {
                Some(state) if state.running => {}
                Some(state) if matches!(state.status, ContainerStatus::Exited | ContainerStatus::Dead) => {
                    let code = state.exit_code.map(|code| format!(" with code {code}")).unwrap_or_default();
                    return Err(failed(function, format!("service {service} exited{code} while up waited for it to run")));
                }
                _ => pending.push(service.as_str()),
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(failed(function, format!("timed out after {} s waiting for {} to run", WAIT_TIMEOUT.as_secs(), pending.join(", "))));
        }
        tokio::time::sleep(WAIT_POLL).await;
    }
}

/// Containers of the stack's services named in `services`, or all.
async fn service_containers(function: &'static str, entry: &StackEntry, services: Option<&[String]>) -> Result<Vec<crate::backend::ContainerInfo>, ApiError> {
    let listed = project_containers(function, entry.engine.backend().as_ref(), &entry.project).await?;
    let Some(services) = services else { return Ok(listed) };
    for service in services {
        if !listed.iter().any(|container| container.labels.get(SERVICE_LABEL) == Some(service)) {
            return Err(failed(function, format!("project {} has no container for service {service}", entry.project)));
        }
    }
    Ok(listed.into_iter().filter(|container| container.labels.get(SERVICE_LABEL).is_some_and(|service| services.contains(service))).collect())
}

#[derive(Clone, Copy)]
enum Lifecycle {
    Start,
    Stop,
    Restart,
}

fn lifecycle(function: &'static str, handle: StackHandle, options: Option<ServicesOptions>, action: Lifecycle) -> ApiFuture<()> {
    Box::pin(async move {
        let entry = stack(function, &handle)?;
        let options = options.unwrap_or(ServicesOptions { services: None, timeout: None });
        // Without a timeout each container has its service's grace period.
        let timeout = options.timeout.map(|seconds| stop_timeout(function, Some(seconds))).transpose()?;
        let backend = entry.engine.backend().clone();
        for container in service_containers(function, &entry, options.services.as_deref()).await? {
            if matches!(action, Lifecycle::Stop | Lifecycle::Restart) {
                let timeout = crate::engine::plan::stop_timeout(timeout, &container.labels);
                backend.stop_container(&container.id, timeout).await.map_err(|error| failed(function, error))?;
            }
            if matches!(action, Lifecycle::Start | Lifecycle::Restart) {
                backend.start_container(&container.id).await.map_err(|error| failed(function, error))?;
            }
        }
        Ok(())
    })
}

impl ComposeApi for EngineApi {
    fn up(&self, spec: ComposeSpec, options: Option<UpOptions>) -> ApiFuture<StackHandle> {
        up(spec, options)
    }

    fn down(&self, handle: StackHandle, options: Option<DownOptions>) -> ApiFuture<()> {
        const FUNCTION: &str = "compose.down";
        Box::pin(async move {
            let entry = stack(FUNCTION, &handle)?;
            // `down` removes every container labelled with the project, so
            // orphans go with the rest whether or not they were asked for.
            let options = EngineDownOptions { volumes: options.and_then(|options| options.volumes).unwrap_or(false), ..EngineDownOptions::default() };
            entry.engine.down(&entry.project, &options).await.map_err(|error| failed(FUNCTION, error))?;
            forget(&entry.project, handle.handle());
            release(&handle);
            Ok(())
        })
    }

    fn ps(&self, handle: StackHandle) -> ApiFuture<Vec<ContainerInfo>> {
        const FUNCTION: &str = "compose.ps";
        Box::pin(async move {
            let entry = stack(FUNCTION, &handle)?;
            let listed = project_containers(FUNCTION, entry.engine.backend().as_ref(), &entry.project).await?;
            Ok(listed.into_iter().map(super::container::info).collect())
        })
    }

    fn logs(&self, handle: StackHandle, options: Option<LogsOptions>) -> ApiFuture<String> {
        const FUNCTION: &str = "compose.logs";
        Box::pin(async move {
            let entry = stack(FUNCTION, &handle)?;
            let tail = tail(FUNCTION, &options)?;
            let services = options.and_then(|options| options.services);
            let mut text = String::new();
            for container in service_containers(FUNCTION, &entry, services.as_deref()).await? {
                let logs = entry.engine.backend().logs(&container.id, tail).await.map_err(|error| failed(FUNCTION, error))?;
                let service = container.labels.get(SERVICE_LABEL).cloned().unwrap_or_default();
                for line in logs.stdout.lines().chain(logs.stderr.lines()) {
                    text.push_str(&format!("{service} | {line}\n"));
                }
            }
            Ok(text)
        })
    }

    fn exec(&self, handle: StackHandle, service: String, command: Vec<String>, options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        const FUNCTION: &str = "compose.exec";
        Box::pin(async move {
            let entry = stack(FUNCTION, &handle)?;
            if command.is_empty() {
                return Err(failed(FUNCTION, "the command is empty"));
            }
            let settings = exec_settings(options);
            entry.engine.exec_with(&entry.project, &service, 1, &command, &settings).await.map(exec_result).map_err(|error| failed(FUNCTION, error))
        })
    }

    fn config(&self, spec: ComposeSpec) -> ApiFuture<String> {
        const FUNCTION: &str = "compose.config";
        Box::pin(async move {
            let project = load(FUNCTION, &spec)?;
            Ok(perry_stack_schema::compose::emit::to_yaml(&project))
        })
    }

    fn start(&self, handle: StackHandle, options: Option<ServicesOptions>) -> ApiFuture<()> {
        lifecycle("compose.start", handle, options, Lifecycle::Start)
    }

    fn stop(&self, handle: StackHandle, options: Option<ServicesOptions>) -> ApiFuture<()> {
        lifecycle("compose.stop", handle, options, Lifecycle::Stop)
    }

    fn restart(&self, handle: StackHandle, options: Option<ServicesOptions>) -> ApiFuture<()> {
        lifecycle("compose.restart", handle, options, Lifecycle::Restart)
    }
}

