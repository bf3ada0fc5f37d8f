//! `ps`, `logs` and `exec`: finding a project's containers by label.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::plan::{CONTAINER_NUMBER_LABEL, PROJECT_LABEL, SERVICE_LABEL};
use super::{ContainerSummary, EngineError, OutputItem, ServiceLogs, ServiceOutput};
use crate::backend::{Attach, Backend, ContainerInfo, ExecOutput, ExecSettings, LabelFilter};

pub(crate) async fn containers(backend: &Arc<dyn Backend>, project: &str) -> Result<Vec<ContainerInfo>, EngineError> {
    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), project.to_string())]);
    let mut list = backend
        .list_containers(&filter)
        .await
        .map_err(|source| EngineError::Backend { action: format!("list the containers of project {project}"), source })?;
    list.sort_by(|a, b| (service_of(a), &a.name).cmp(&(service_of(b), &b.name)));
    Ok(list)
}

pub(crate) fn service_of(info: &ContainerInfo) -> &str {
    info.labels.get(SERVICE_LABEL).map(String::as_str).unwrap_or("")
}

pub(crate) async fn ps(backend: &Arc<dyn Backend>, project: &str) -> Result<Vec<ContainerSummary>, EngineError> {
    let mut summaries: Vec<ContainerSummary> = containers(backend, project)
        .await?
        .into_iter()
        .map(|info| ContainerSummary {
            service: service_of(&info).to_string(),
            name: info.name,
            id: info.id,
            status: info.state.status.as_str().to_string(),
            exit_code: info.state.exit_code,
            ports: info.ports,
        })
        .collect();
    summaries.sort();
    Ok(summaries)
}

pub(crate) async fn logs(
    backend: &Arc<dyn Backend>,
    project: &str,
    service: Option<&str>,
    tail: Option<usize>,
) -> Result<Vec<ServiceLogs>, EngineError> {
    let list: Vec<ContainerInfo> = containers(backend, project)
        .await?
        .into_iter()
        .filter(|info| service.is_none_or(|service| service_of(info) == service))
        .collect();
    if let Some(service) = service
        && list.is_empty()
    {
        return Err(EngineError::ServiceNotFound { project: project.to_string(), service: service.to_string() });
    }

    let mut result = Vec::new();
    for info in list {
        let logs = backend
            .logs(&info.id, tail)
            .await
            .map_err(|source| EngineError::Backend { action: format!("read the logs of container {}", info.name), source })?;
        let number = info.labels.get(CONTAINER_NUMBER_LABEL).and_then(|text| text.parse().ok()).unwrap_or(1);
        result.push(ServiceLogs { service: service_of(&info).to_string(), container: info.name.clone(), number, logs });
    }
    Ok(result)
}

/// Follows the containers of `services` (all when empty) at once. Each line
/// goes to `sink` as it is written, and so does each container's exit. It
/// ends when every followed container has stopped and not started again
/// within a short grace period (as a restart policy would), or when `sink`
/// is closed. A container removed meanwhile ends its own
/// stream; any other failure ends the follow with an error once the rest
/// have ended.
// NOTE: containers started after the follow began are not followed; docker
// compose v2 attaches to them as they appear.
pub(crate) async fn follow_logs(
    backend: &Arc<dyn Backend>,
    project: &str,
    services: &[String],
    tail: Option<usize>,
    sink: mpsc::Sender<ServiceOutput>,
) -> Result<(), EngineError> {
    let list: Vec<ContainerInfo> = containers(backend, project)
        .await?
        .into_iter()
        .filter(|info| services.is_empty() || services.iter().any(|service| service == service_of(info)))
        .collect();
    if let Some(missing) = services.iter().find(|service| !list.iter().any(|info| service_of(info) == service.as_str())) {
        return Err(EngineError::ServiceNotFound { project: project.to_string(), service: missing.clone() });
    }
    let mut replicas: BTreeMap<String, u32> = BTreeMap::new();
    for info in &list {
        *replicas.entry(service_of(info).to_string()).or_default() += 1;
    }

    let mut tasks = tokio::task::JoinSet::new();
    for info in list {
        let (backend, sink) = (backend.clone(), sink.clone());
        let service = service_of(&info).to_string();
        let number = info.labels.get(CONTAINER_NUMBER_LABEL).and_then(|text| text.parse().ok()).unwrap_or(1);
        let replicas = replicas[&service];
        tasks.spawn(async move {
            let output = |item| ServiceOutput { service: service.clone(), container: info.name.clone(), number, replicas, item };
            let mut tail = tail;
            loop {
                let (lines, mut received) = mpsc::channel(64);
                let follow = backend.follow_logs(&info.id, tail, lines);
                let forward = async {
                    while let Some(line) = received.recv().await {
                        if sink.send(output(OutputItem::Line(line))).await.is_err() {
                            break;
                        }
                    }
                    // Dropping the receiver ends `follow` once `sink` is closed.
                    drop(received);
                };
                let (result, ()) = tokio::join!(follow, forward);
                match result {
                    Err(error) if error.is_not_found() => return Ok(()),
                    Err(error) => return Err(EngineError::Backend { action: format!("follow the logs of container {}", info.name), source: error }),
                    Ok(()) if sink.is_closed() => return Ok(()),
                    Ok(()) => {}
                }
                // The output ended because the container stopped, unless it
                // already runs again.
                // NOTE: the lines written between a restart and the next
                // follow (a fraction of a second) are not shown.
                tail = Some(0);
                match backend.inspect_container(&info.id).await {
                    Ok(state) if state.state.running => continue,
                    Ok(stopped) => {
                        let _ = sink.send(output(OutputItem::Exited { exit_code: stopped.state.exit_code })).await;
                    }
                    Err(error) => {
                        tracing::debug!(container = %info.name, %error, "the followed container is gone");
                        return Ok(());
                    }
                }
                if !restarts(backend.as_ref(), &info.id, &sink).await {
                    return Ok(());
                }
            }
        });
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        if let Err(error) = joined.map_err(|error| EngineError::Task(error.to_string())).and_then(|result| result) {
            first_error.get_or_insert(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// How long a stopped container is watched for a restart (a restart
/// policy, or `restart`) before its follow ends.
const RESTART_GRACE: Duration = Duration::from_secs(2);

/// Returns whether container `id` runs again within [`RESTART_GRACE`],
/// checking every quarter second; a closed `sink` stops the watch.
async fn restarts<T>(backend: &dyn Backend, id: &str, sink: &mpsc::Sender<T>) -> bool {
    let deadline = tokio::time::Instant::now() + RESTART_GRACE;
    while tokio::time::Instant::now() < deadline {
        tokio::select! {
            () = sink.closed() => return false,
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
        match backend.inspect_container(id).await {
            Ok(info) if info.state.running => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

pub(crate) async fn exec(
    backend: &Arc<dyn Backend>,
    project: &str,
    service: &str,
    index: u32,
    argv: &[String],
    settings: &ExecSettings,
) -> Result<ExecOutput, EngineError> {
    let info = running_replica(backend, project, service, index).await?;
    tracing::debug!(project, service, container = %info.id, ?argv, "exec");
    backend
        .exec_with(&info.id, argv, settings)
        .await
        .map_err(|source| EngineError::Backend { action: format!("run a command in container {}", info.name), source })
}

pub(crate) async fn exec_attached(
    backend: &Arc<dyn Backend>,
    project: &str,
    service: &str,
    index: u32,
    argv: &[String],
    settings: &ExecSettings,
    attach: Attach,
) -> Result<i64, EngineError> {
    let info = running_replica(backend, project, service, index).await?;
    tracing::debug!(project, service, container = %info.id, ?argv, ?attach, "exec attached");
    backend
        .exec_attached(&info.id, argv, settings, attach)
        .await
        .map_err(|source| EngineError::Backend { action: format!("run a command in container {}", info.name), source })
}

/// Finds replica `index` (from 1) of `service`, which must be running.
async fn running_replica(backend: &Arc<dyn Backend>, project: &str, service: &str, index: u32) -> Result<ContainerInfo, EngineError> {
    let list: Vec<ContainerInfo> = containers(backend, project).await?.into_iter().filter(|info| service_of(info) == service).collect();
    if list.is_empty() {
        return Err(EngineError::ServiceNotFound { project: project.to_string(), service: service.to_string() });
    }
    let number = |info: &ContainerInfo| info.labels.get(CONTAINER_NUMBER_LABEL).and_then(|text| text.parse::<u32>().ok()).unwrap_or(1);
    let mut numbers: Vec<u32> = list.iter().map(number).collect();
    numbers.sort_unstable();
    let Some(info) = list.into_iter().find(|info| number(info) == index) else {
        return Err(EngineError::NoSuchReplica { service: service.to_string(), index, numbers });
    };
    if !info.state.running {
        return Err(EngineError::NotRunning {
            service: service.to_string(),
            container: info.name,
            status: info.state.status.as_str().to_string(),
        });
    }
    Ok(info)
}

/// Formats `ps` rows as an aligned table with a header line.
pub fn format_ps_table(rows: &[ContainerSummary]) -> String {
    let header = ["NAME", "SERVICE", "STATUS", "EXIT CODE", "PORTS"].map(str::to_string);
    let mut table = vec![header];
    for row in rows {
        let ports: Vec<String> = row
            .ports
            .iter()
            .map(|port| format!("{}:{}->{}/{}", port.host_ip, port.host_port, port.container_port, port.protocol))
            .collect();
        table.push([
            row.name.clone(),
            row.service.clone(),
            row.status.clone(),
            row.exit_code.map(|code| code.to_string()).unwrap_or_default(),
            ports.join(", "),
        ]);
    }

    let mut widths = [0usize; 5];
    for line in &table {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for line in &table {
        let cells: Vec<String> = line.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        text.push_str(cells.join("   ").trim_end());
        text.push('\n');
    }
    text
}
