//! `down`: containers (dependents first), then networks, then volumes.

use std::sync::Arc;
use std::time::Duration;

use super::lifecycle::{in_waves, select_with_dependents, Direction};
use super::plan::{stop_timeout, PROJECT_LABEL};
use super::query::{containers, service_of};
use super::{DownOptions, DownReport, EngineError, ObjectKind, Progress};
use crate::backend::{Backend, BackendError, ContainerInfo, LabelFilter};

/// Removes a project found by its labels. The removal order comes from each
/// container's `com.docker.compose.depends_on` label, so no compose file is
/// needed: a container goes once every container that depends on it is gone.
/// Containers in the same wave are removed concurrently, at most
/// `max_parallel` at a time. With `services`, only those services and their
/// dependents go, and networks and volumes stay.
pub(crate) async fn down(backend: &Arc<dyn Backend>, project: &str, options: &DownOptions) -> Result<DownReport, EngineError> {
    tracing::info!(project, volumes = options.volumes, services = ?options.services, "taking the project down");
    let mut report = DownReport::default();

    let all: Vec<ContainerInfo> = containers(backend, project).await?;
    let (mut chosen, orphans): (Vec<ContainerInfo>, Vec<ContainerInfo>) = match &options.known_services {
        Some(known) if !options.remove_orphans => all.into_iter().partition(|info| known.contains(service_of(info))),
        _ => (all, Vec::new()),
    };
    report.orphans = orphans.iter().map(|info| info.name.clone()).collect();
    let partial = !options.services.is_empty();
    if partial {
        let keep = select_with_dependents(&chosen, &options.services);
        chosen.retain(|info| keep.contains(service_of(info)));
    }

    // The network listing does not wait for the containers to go.
    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), project.to_string())]);
    let keep_networks = partial || !orphans.is_empty();
    let listing = async {
        if keep_networks {
            return Ok(Vec::new());
        }
        backend.list_networks(&filter).await
    };
    let (removed, networks) = tokio::join!(remove_containers(backend, project, chosen, options), listing);
    report.containers = removed?;

    // Networks and volumes belong to the whole project, and an orphan kept
    // in place may still use them.
    if keep_networks {
        return Ok(report);
    }
    let networks = networks.map_err(|source| EngineError::Backend { action: format!("list the networks of project {project}"), source })?;
    for network in networks {
        ignore_missing(backend.remove_network(&network.name).await)
            .map_err(|source| EngineError::Backend { action: format!("remove network {}", network.name), source })?;
        tracing::info!(project, network = %network.name, "network removed");
        Progress::emit_resource(&options.progress, ObjectKind::Network, &network.name, "Removed");
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
            Progress::emit_resource(&options.progress, ObjectKind::Volume, &volume.name, "Removed");
            report.volumes.push(volume.name);
        }
    }
    report.networks.sort();
    report.volumes.sort();
    Ok(report)
}

/// Removes `chosen`, dependents first, and returns their names in that order.
async fn remove_containers(backend: &Arc<dyn Backend>, project: &str, chosen: Vec<ContainerInfo>, options: &DownOptions) -> Result<Vec<String>, EngineError> {
    let progress = options.progress.clone();
    let (timeout, volumes) = (options.timeout, options.volumes);
    if timeout == Some(Duration::ZERO) {
        // With no grace period each container is killed at once, so waves
        // would give no dependent time to finish; one batch removes them all,
        // which on podman is one process instead of one per container.
        // A batch fails when one container shares another's namespaces
        // (`network_mode: service:NAME`) and podman removes the shared one
        // first. The waves below then remove the rest, dependents first.
        let ids: Vec<String> = chosen.iter().map(|info| info.id.clone()).collect();
        let removed = if options.volumes { backend.remove_containers_and_volumes(&ids).await } else { backend.remove_containers(&ids).await };
        match removed {
            Ok(()) => {
                // The waves only order the names and report progress here.
                return in_waves(backend, chosen, Direction::DependentsFirst, options.max_parallel, move |_, info| {
                    let progress = progress.clone();
                    async move {
                        Progress::emit(&progress, service_of(&info), &info.name, "Removed");
                        Ok(Some(info.name))
                    }
                })
                .await;
            }
            Err(error) => tracing::debug!(project, %error, "removing the containers at once failed; removing them in waves"),
        }
    }
    in_waves(backend, chosen, Direction::DependentsFirst, options.max_parallel, move |backend, info| {
        let progress = progress.clone();
        async move {
            if info.state.running {
                ignore_missing(backend.stop_container(&info.id, stop_timeout(timeout, &info.labels)).await)
                    .map_err(|source| EngineError::Backend { action: format!("stop container {}", info.name), source })?;
                Progress::emit(&progress, service_of(&info), &info.name, "Stopped");
            }
            let removed = if volumes { backend.remove_containers_and_volumes(std::slice::from_ref(&info.id)).await } else { backend.remove_container(&info.id, true).await };
            ignore_missing(removed).map_err(|source| EngineError::Backend { action: format!("remove container {}", info.name), source })?;
            Progress::emit(&progress, service_of(&info), &info.name, "Removed");
            Ok(Some(info.name))
        }
    })
    .await
}

/// Treats "not found" as done: another process may have removed it first.
pub(crate) fn ignore_missing(result: Result<(), BackendError>) -> Result<(), BackendError> {
    match result {
        Err(error) if error.is_not_found() => Ok(()),
        other => other,
    }
}
