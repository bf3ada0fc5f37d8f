//! `down`: containers (dependents first), then networks, then volumes.

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::plan::{DEPENDS_ON_LABEL, PROJECT_LABEL};
use super::query::{containers, service_of};
use super::{DownOptions, DownReport, EngineError};
use crate::backend::{Backend, BackendError, ContainerInfo, LabelFilter};

/// Removes a project found by its labels. The removal order comes from each
/// container's `com.docker.compose.depends_on` label, so no compose file is
/// needed: a container goes once every container that depends on it is gone.
/// Containers in the same wave are removed concurrently.
pub(crate) async fn down(backend: &Arc<dyn Backend>, project: &str, options: &DownOptions) -> Result<DownReport, EngineError> {
    tracing::info!(project, volumes = options.volumes, "taking the project down");
    let mut report = DownReport::default();

    let mut remaining: Vec<ContainerInfo> = containers(backend, project).await?;
    while !remaining.is_empty() {
        let needed: BTreeSet<String> = remaining.iter().flat_map(dependencies).collect();
        let (wave, rest): (Vec<ContainerInfo>, Vec<ContainerInfo>) =
            remaining.into_iter().partition(|info| !needed.contains(service_of(info)));
        // A dependency cycle in the labels would stall the waves; remove
        // everything left at once instead.
        let (wave, rest) = if wave.is_empty() { (rest, Vec::new()) } else { (wave, rest) };

        let mut tasks = JoinSet::new();
        for info in &wave {
            let backend = backend.clone();
            let info = info.clone();
            let timeout = options.timeout;
            let project = project.to_string();
            tasks.spawn(async move {
                if info.state.running {
                    ignore_missing(backend.stop_container(&info.id, timeout).await)
                        .map_err(|source| EngineError::Backend { action: format!("stop container {}", info.name), source })?;
                }
                ignore_missing(backend.remove_container(&info.id, true).await)
                    .map_err(|source| EngineError::Backend { action: format!("remove container {}", info.name), source })?;
                tracing::info!(project = %project, service = %service_of(&info), container = %info.id, "container removed");
                Ok::<_, EngineError>(info.name)
            });
        }
        let mut names = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            names.push(joined.map_err(|error| EngineError::Task(error.to_string()))??);
        }
        names.sort();
        report.containers.extend(names);
        remaining = rest;
    }

    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), project.to_string())]);
    let networks = backend
        .list_networks(&filter)
        .await
        .map_err(|source| EngineError::Backend { action: format!("list the networks of project {project}"), source })?;
    for network in networks {
        ignore_missing(backend.remove_network(&network.name).await)
            .map_err(|source| EngineError::Backend { action: format!("remove network {}", network.name), source })?;
        tracing::info!(project, network = %network.name, "network removed");
        report.networks.push(network.name);
    }

    if options.volumes {
        let volumes = backend
            .list_volumes(&filter)
            .await
            .map_err(|source| EngineError::Backend { action: format!("list the volumes of project {project}"), source })?;
        for volume in volumes {
            ignore_missing(backend.remove_volume(&volume.name).await)
                .map_err(|source| EngineError::Backend { action: format!("remove volume {}", volume.name), source })?;
            tracing::info!(project, volume = %volume.name, "volume removed");
            report.volumes.push(volume.name);
        }
    }
    report.networks.sort();
    report.volumes.sort();
    Ok(report)
}

/// The services a container depends on, from its depends_on label.
fn dependencies(info: &ContainerInfo) -> Vec<String> {
    let label = info.labels.get(DEPENDS_ON_LABEL).map(String::as_str).unwrap_or("");
    label
        .split(',')
        .filter_map(|entry| entry.split(':').next())
        .filter(|service| !service.is_empty())
        .map(str::to_string)
        .collect()
}

/// Treats "not found" as done: another process may have removed it first.
fn ignore_missing(result: Result<(), BackendError>) -> Result<(), BackendError> {
    match result {
        Err(error) if error.is_not_found() => Ok(()),
        other => other,
    }
}
