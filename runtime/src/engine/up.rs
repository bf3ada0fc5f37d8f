//! `up`: networks and volumes first, then every service as soon as its
//! dependencies meet their conditions.
//!
//! Each service keeps a countdown of unmet dependencies. Finished steps
//! (started, healthy, completed) arrive as events from a `JoinSet`; each
//! event lowers the countdown of the services that wait for it, and a
//! service whose countdown reaches zero starts at once, so an unrelated
//! slow branch never holds it back.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use perry_stack_schema::{Condition, Project};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::health::{wait_completed, wait_healthy};
use super::plan::{self, PlannedService, CONFIG_HASH_LABEL, PROJECT_LABEL};
use super::{EngineError, ServiceReport, StackReport, UpOptions};
use crate::backend::{Backend, ContainerInfo, LabelFilter};

/// A step that a service finished.
enum Event {
    Started(ServiceReport),
    Met { service: String, condition: Condition },
}

pub(crate) async fn up(backend: &Arc<dyn Backend>, project: &Project, options: &UpOptions) -> Result<StackReport, EngineError> {
    let began = Instant::now();
    let name = plan::resolve_project_name(project, options.project_name.as_deref())?;
    let plan = plan::plan(project, &name, &|variable| std::env::var(variable).ok())?;
    tracing::info!(project = %name, services = plan.services.len(), "bringing the project up");

    let (networks_created, volumes_created) = create_resources(backend, &plan).await?;

    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), name.clone())]);
    let existing: BTreeMap<String, ContainerInfo> = backend
        .list_containers(&filter)
        .await
        .map_err(|source| EngineError::Backend { action: format!("list the containers of project {name}"), source })?
        .into_iter()
        .map(|info| (info.name.clone(), info))
        .collect();

    let services = schedule(backend, &plan, &existing, options).await?;
    let report = StackReport { project: name, services, networks_created, volumes_created, elapsed: began.elapsed() };
    tracing::info!(project = %report.project, elapsed_ms = report.elapsed.as_millis() as u64, "project is up");
    Ok(report)
}

/// Creates the networks and volumes that do not exist yet.
async fn create_resources(backend: &Arc<dyn Backend>, plan: &plan::Plan) -> Result<(Vec<String>, Vec<String>), EngineError> {
    let project = &plan.project;
    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), project.clone())]);

    let present: BTreeSet<String> = backend
        .list_networks(&filter)
        .await
        .map_err(|source| EngineError::Backend { action: format!("list the networks of project {project}"), source })?
        .into_iter()
        .map(|network| network.name)
        .collect();
    let mut networks = Vec::new();
    for spec in plan.networks.iter().filter(|spec| !present.contains(&spec.name)) {
        backend
            .create_network(spec)
            .await
            .map_err(|source| EngineError::Backend { action: format!("create network {}", spec.name), source })?;
        tracing::info!(project = %project, network = %spec.name, "network created");
        networks.push(spec.name.clone());
    }

    let present: BTreeSet<String> = backend
        .list_volumes(&filter)
        .await
        .map_err(|source| EngineError::Backend { action: format!("list the volumes of project {project}"), source })?
        .into_iter()
        .map(|volume| volume.name)
        .collect();
    let mut volumes = Vec::new();
    for spec in plan.volumes.iter().filter(|spec| !present.contains(&spec.name)) {
        backend
            .create_volume(spec)
            .await
            .map_err(|source| EngineError::Backend { action: format!("create volume {}", spec.name), source })?;
        tracing::info!(project = %project, volume = %spec.name, "volume created");
        volumes.push(spec.name.clone());
    }
    Ok((networks, volumes))
}

/// Starts every service once its dependencies are met, and returns the
/// started services sorted by name. The first failure ends the run and
/// aborts the tasks still running; what was created stays for `down`.
async fn schedule(
    backend: &Arc<dyn Backend>,
    plan: &plan::Plan,
    existing: &BTreeMap<String, ContainerInfo>,
    options: &UpOptions,
) -> Result<Vec<ServiceReport>, EngineError> {
    // For each service: the services waiting for it, with their condition.
    let mut waiters: BTreeMap<&str, Vec<(&str, Condition)>> = BTreeMap::new();
    let mut countdown: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, service) in &plan.services {
        countdown.insert(name, service.depends_on.len());
        for (dependency, condition) in &service.depends_on {
            waiters.entry(dependency).or_default().push((name, *condition));
        }
    }

    let permits = Arc::new(Semaphore::new(options.max_parallel.max(1)));
    let mut tasks: JoinSet<Result<Event, EngineError>> = JoinSet::new();
    let ready: Vec<&str> = countdown.iter().filter(|(_, count)| **count == 0).map(|(name, _)| *name).collect();
    for name in ready {
        spawn_start(&mut tasks, backend, &plan.project, &plan.services[name], existing.get(&plan.services[name].spec.name), &permits);
    }

    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let event = joined.map_err(|error| EngineError::Task(error.to_string()))??;
        let (service, condition) = match event {
            Event::Started(report) => {
                let service = report.service.clone();
                spawn_waits(&mut tasks, backend, plan, &report, waiters.get(service.as_str()), options);
                reports.push(report);
                (service, Condition::ServiceStarted)
            }
            Event::Met { service, condition } => (service, condition),
        };

        for (waiter, wanted) in waiters.get(service.as_str()).into_iter().flatten() {
            if *wanted != condition {
                continue;
            }
            let count = countdown.get_mut(waiter).expect("every service has a countdown");
            *count -= 1;
            if *count == 0 {
                tracing::debug!(project = %plan.project, service = %waiter, "dependencies met");
                let planned = &plan.services[*waiter];
                spawn_start(&mut tasks, backend, &plan.project, planned, existing.get(&planned.spec.name), &permits);
            }
        }
    }

    reports.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(reports)
}

/// Starts the waits that dependents of a freshly started service need: one
/// healthcheck loop and one exit wait at most, shared by all dependents.
fn spawn_waits(
    tasks: &mut JoinSet<Result<Event, EngineError>>,
    backend: &Arc<dyn Backend>,
    plan: &plan::Plan,
    report: &ServiceReport,
    waiters: Option<&Vec<(&str, Condition)>>,
    options: &UpOptions,
) {
    let waiters = waiters.map(Vec::as_slice).unwrap_or_default();
    let first_waiter = |wanted: Condition| waiters.iter().find(|(_, condition)| *condition == wanted).map(|(name, _)| name.to_string());

    if let Some(dependent) = first_waiter(Condition::ServiceHealthy) {
        let backend = backend.clone();
        let service = report.service.clone();
        let container = report.container_id.clone();
        let check = plan.services[&service].healthcheck.clone();
        tasks.spawn(async move {
            // The plan already rejected a service_healthy dependency without a healthcheck.
            let check = check.ok_or_else(|| EngineError::NoHealthcheck { service: service.clone(), dependent: dependent.clone() })?;
            wait_healthy(backend, &service, &dependent, &container, &check).await?;
            Ok(Event::Met { service, condition: Condition::ServiceHealthy })
        });
    }

    if let Some(dependent) = first_waiter(Condition::ServiceCompletedSuccessfully) {
        let backend = backend.clone();
        let service = report.service.clone();
        let container = report.container_id.clone();
        let (poll, limit) = (options.poll_interval, options.completion_timeout);
        tasks.spawn(async move {
            wait_completed(backend, &service, &dependent, &container, poll, limit).await?;
            Ok(Event::Met { service, condition: Condition::ServiceCompletedSuccessfully })
        });
    }
}

/// Creates (or keeps, when its config hash is unchanged) and starts the
/// container of one service.
fn spawn_start(
    tasks: &mut JoinSet<Result<Event, EngineError>>,
    backend: &Arc<dyn Backend>,
    project: &str,
    service: &PlannedService,
    existing: Option<&ContainerInfo>,
    permits: &Arc<Semaphore>,
) {
    let backend = backend.clone();
    let project = project.to_string();
    let service = service.clone();
    let existing = existing.cloned();
    let permits = permits.clone();
    tasks.spawn(async move {
        let _permit = permits.acquire_owned().await.map_err(|error| EngineError::Task(error.to_string()))?;
        let name = &service.name;
        let container_name = &service.spec.name;
        let fail = |verb: &str| {
            let action = format!("{verb} container {container_name} of service {name}");
            move |source| EngineError::Backend { action, source }
        };

        let wanted_hash = service.spec.labels.get(CONFIG_HASH_LABEL);
        let mut reused = false;
        let id = match existing {
            Some(info) if info.labels.get(CONFIG_HASH_LABEL) == wanted_hash => {
                reused = true;
                tracing::info!(project = %project, service = %name, container = %info.id, "keeping the unchanged container");
                info.id
            }
            Some(info) => {
                tracing::info!(project = %project, service = %name, container = %info.id, "recreating the changed container");
                backend.remove_container(&info.id, true).await.map_err(fail("remove"))?;
                backend.create_container(&service.spec).await.map_err(fail("create"))?
            }
            None => backend.create_container(&service.spec).await.map_err(fail("create"))?,
        };

        let running = reused && backend.inspect_container(&id).await.map_err(fail("inspect"))?.state.running;
        if !running {
            backend.start_container(&id).await.map_err(fail("start"))?;
        }
        tracing::info!(project = %project, service = %name, container = %id, "service started");
        Ok(Event::Started(ServiceReport {
            service: name.clone(),
            container_name: container_name.clone(),
            container_id: id,
            reused,
        }))
    });
}
