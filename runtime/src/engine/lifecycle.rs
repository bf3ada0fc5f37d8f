//! `start` and `stop` of existing containers, and the dependency waves that
//! `down`, `start` and `stop` share. Order comes from each container's
//! depends_on label, so no compose file is needed.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::down::ignore_missing;
use super::plan::DEPENDS_ON_LABEL;
use super::query::{containers, service_of};
use super::{DownOptions, EngineError, Progress};
use crate::backend::{Backend, ContainerInfo};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Stopping: a container goes once every container that depends on it went.
    DependentsFirst,
    /// Starting: a container goes once every container it depends on went.
    DependenciesFirst,
}

/// Returns the services a container depends on, from its depends_on label.
pub(crate) fn dependencies(info: &ContainerInfo) -> Vec<String> {
    let label = info.labels.get(DEPENDS_ON_LABEL).map(String::as_str).unwrap_or("");
    label
        .split(',')
        .filter_map(|entry| entry.split(':').next())
        .filter(|service| !service.is_empty())
        .map(str::to_string)
        .collect()
}

/// `services` and every service that depends on them, directly or not.
pub(crate) fn select_with_dependents(list: &[ContainerInfo], services: &[String]) -> BTreeSet<String> {
    let mut chosen: BTreeSet<String> = services.iter().cloned().collect();
    loop {
        let before = chosen.len();
        for info in list {
            if dependencies(info).iter().any(|dependency| chosen.contains(dependency)) {
                chosen.insert(service_of(info).to_string());
            }
        }
        if chosen.len() == before {
            return chosen;
        }
    }
}

/// `services` and every service they depend on, directly or not.
fn select_with_dependencies(list: &[ContainerInfo], services: &[String]) -> BTreeSet<String> {
    let mut by_service: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for info in list {
        by_service.entry(service_of(info)).or_default().extend(dependencies(info));
    }
    let mut chosen = BTreeSet::new();
    let mut queue: Vec<String> = services.to_vec();
    while let Some(service) = queue.pop() {
        if chosen.insert(service.clone()) {
            queue.extend(by_service.get(service.as_str()).cloned().unwrap_or_default());
        }
    }
    chosen
}

/// Runs `act` on every container, in waves by dependency order; a wave runs
/// concurrently, at most `max_parallel` at a time. A service's container
/// starts as soon as its own wave does, which is as soon as the services it
/// waits on finished. Returns the names that `act` reported, sorted within
/// each wave.
pub(crate) async fn in_waves<F, Fut>(
    backend: &Arc<dyn Backend>,
    list: Vec<ContainerInfo>,
    direction: Direction,
    max_parallel: usize,
    act: F,
) -> Result<Vec<String>, EngineError>
where
    F: Fn(Arc<dyn Backend>, ContainerInfo) -> Fut,
    Fut: Future<Output = Result<Option<String>, EngineError>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(max_parallel.max(1)));
    let mut done = Vec::new();
    let mut remaining = list;
    while !remaining.is_empty() {
        let present: BTreeSet<String> = remaining.iter().map(|info| service_of(info).to_string()).collect();
        let (wave, rest): (Vec<ContainerInfo>, Vec<ContainerInfo>) = match direction {
            Direction::DependentsFirst => {
                let needed: BTreeSet<String> = remaining.iter().flat_map(dependencies).collect();
                remaining.into_iter().partition(|info| !needed.contains(service_of(info)))
            }
            Direction::DependenciesFirst => remaining.into_iter().partition(|info| {
                dependencies(info).iter().all(|dependency| dependency == service_of(info) || !present.contains(dependency))
            }),
        };
        // A dependency cycle in the labels would stall the waves; handle
        // everything left at once instead.
        let (wave, rest) = if wave.is_empty() { (rest, Vec::new()) } else { (wave, rest) };

        let mut tasks = JoinSet::new();
        for info in wave {
            let permits = permits.clone();
            let work = act(backend.clone(), info);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.map_err(|error| EngineError::Task(error.to_string()))?;
                work.await
            });
        }
        let mut names = Vec::new();
        let mut first_error = None;
        while let Some(joined) = tasks.join_next().await {
            match joined.map_err(|error| EngineError::Task(error.to_string())).and_then(|result| result) {
                Ok(name) => names.extend(name),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if let Some(error) = first_error {
            return Err(error);
        }
        names.sort();
        done.extend(names);
        remaining = rest;
    }
    Ok(done)
}

pub(crate) async fn stop(backend: &Arc<dyn Backend>, project: &str, services: &[String], options: &DownOptions) -> Result<Vec<String>, EngineError> {
    let mut list = containers(backend, project).await?;
    check_services(project, &list, services)?;
    if !services.is_empty() {
        let chosen = select_with_dependents(&list, services);
        list.retain(|info| chosen.contains(service_of(info)));
    }
    list.retain(|info| info.state.running);
    let timeout = options.timeout;
    let progress = options.progress.clone();
    in_waves(backend, list, Direction::DependentsFirst, options.max_parallel, move |backend, info| {
        let progress = progress.clone();
        async move {
            ignore_missing(backend.stop_container(&info.id, super::plan::stop_timeout(timeout, &info.labels)).await)
                .map_err(|source| EngineError::Backend { action: format!("stop container {}", info.name), source })?;
            Progress::emit(&progress, service_of(&info), &info.name, "Stopped");
            Ok(Some(info.name))
        }
    })
    .await
}

pub(crate) async fn start(backend: &Arc<dyn Backend>, project: &str, services: &[String], options: &DownOptions) -> Result<Vec<String>, EngineError> {
    let mut list = containers(backend, project).await?;
    check_services(project, &list, services)?;
    if !services.is_empty() {
        let chosen = select_with_dependencies(&list, services);
        list.retain(|info| chosen.contains(service_of(info)));
    }
    let progress = options.progress.clone();
    in_waves(backend, list, Direction::DependenciesFirst, options.max_parallel, move |backend, info| {
        let progress = progress.clone();
        async move {
            if info.state.running {
                return Ok(None);
            }
            backend
                .start_container(&info.id)
                .await
                .map_err(|source| EngineError::Backend { action: format!("start container {}", info.name), source })?;
            Progress::emit(&progress, service_of(&info), &info.name, "Started");
            Ok(Some(info.name))
        }
    })
    .await
}

fn check_services(project: &str, list: &[ContainerInfo], services: &[String]) -> Result<(), EngineError> {
    for service in services {
        if !list.iter().any(|info| service_of(info) == service) {
            return Err(EngineError::ServiceNotFound { project: project.to_string(), service: service.clone() });
        }
    }
    Ok(())
}
