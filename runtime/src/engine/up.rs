//! `up`: converges the project's containers on the plan, each service as
//! soon as its dependencies meet their conditions, and handles failures by
//! the chosen [`FailureStrategy`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use perry_stack_schema::{Condition, Project};
use tokio::sync::Semaphore;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use super::down::ignore_missing;
use super::health::{wait_completed, wait_healthy};
use super::plan::{self, PlannedService, CONFIG_HASH_LABEL, CONTAINER_NUMBER_LABEL, PROJECT_LABEL};
use super::query::service_of;
use super::{EngineError, FailureStrategy, ObjectKind, Progress, ServiceReport, StackReport, UpOptions};
use crate::backend::{Backend, ContainerInfo, Feature, LabelFilter, MountType};

/// A step that a service finished.
enum Event {
    Started { reports: Vec<ServiceReport>, restarted: bool },
    Met { condition: Condition },
}

/// The changes of this run, for a rollback. Tasks write it as they go, so
/// a task that fails halfway still records what it created.
#[derive(Debug, Default)]
struct Changes {
    /// Ids of containers this run created, in creation order.
    created: Vec<String>,
    /// Ids of containers that existed before and that this run started.
    started: Vec<String>,
    networks: Vec<String>,
    volumes: Vec<String>,
    /// Containers that existed before and that this run took out of service.
    retired: Vec<Retired>,
}

/// A container replaced by a recreate or beyond the replica count. It is
/// stopped at once but removed only when `up` is done, so that a rollback
/// can put it back as it was.
#[derive(Clone, Debug)]
struct Retired {
    id: String,
    /// Its name before the run.
    name: String,
    service: String,
    /// Renamed to free its name for the replacement.
    renamed: bool,
    was_running: bool,
    /// Beyond the replica count: no replacement, and reported as removed.
    scaled_down: bool,
    /// The replacement was created, so a failure later leaves it in place.
    replaced: bool,
}

type Journal = Arc<Mutex<Changes>>;

fn record(journal: &Journal, change: impl FnOnce(&mut Changes)) {
    change(&mut journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
}

pub(crate) async fn up(backend: &Arc<dyn Backend>, project: &Project, options: &UpOptions) -> Result<StackReport, EngineError> {
    let began = Instant::now();
    let name = plan::resolve_project_name(project, options.project_name.as_deref())?;
    let mut plan = plan::plan(project, &name, &|variable| std::env::var(variable).ok())?;
    let known: BTreeSet<String> = plan.services.keys().cloned().collect();
    select_services(&mut plan, &options.services)?;
    fit_log_drivers(&mut plan, backend.as_ref()).await;
    check_capabilities(&plan, backend.as_ref())?;
    check_externals(backend.as_ref(), &plan).await?;
    // Images come first, so that a failed build leaves nothing behind.
    super::build::build_images(backend, &mut plan, options).await?;
    for warning in &plan.warnings {
        tracing::warn!(project = %name, "{warning}");
    }
    tracing::info!(project = %name, services = plan.services.len(), "bringing the project up");
    let mut report = StackReport { project: name.clone(), warnings: plan.warnings.clone(), ..StackReport::default() };

    // Networks and volumes need no container listing, so they are made
    // while the containers are listed.
    let filter = LabelFilter::from([(PROJECT_LABEL.to_string(), name.clone())]);
    let journal = Journal::default();
    let (containers, resources) = tokio::join!(backend.list_containers(&filter), create_resources(backend, &plan, &filter, &journal, options));
    let existing: Vec<ContainerInfo> = match containers {
        Ok(existing) => existing,
        Err(source) => {
            rollback(backend, &name, &journal, options).await;
            return Err(EngineError::Backend { action: format!("list the containers of project {name}"), source });
        }
    };
    let (orphans, existing): (Vec<ContainerInfo>, Vec<ContainerInfo>) =
        existing.into_iter().partition(|info| !known.contains(service_of(info)));
    for orphan in orphans {
        if options.remove_orphans {
            if let Err(source) = ignore_missing(backend.remove_container(&orphan.id, true).await) {
                rollback(backend, &name, &journal, options).await;
                return Err(EngineError::Backend { action: format!("remove orphan container {}", orphan.name), source });
            }
            Progress::emit(&options.progress, service_of(&orphan), &orphan.name, "Removed");
            report.removed.push(orphan.name);
        } else {
            let warning = format!(
                "container {} belongs to service {}, which the project no longer has; remove it with --remove-orphans",
                orphan.name,
                service_of(&orphan)
            );
            tracing::warn!(project = %name, "{warning}");
            report.warnings.push(warning);
            report.orphans.push(orphan.name);
        }
    }

    let mut by_service: BTreeMap<String, BTreeMap<u32, ContainerInfo>> = BTreeMap::new();
    for info in existing {
        let number = info.labels.get(CONTAINER_NUMBER_LABEL).and_then(|text| text.parse().ok()).unwrap_or(1);
        by_service.entry(service_of(&info).to_string()).or_default().insert(number, info);
    }

    let outcome = match resources {
        Ok(()) => schedule(backend, &plan, &by_service, options, &journal).await,
        Err(error) => Outcome { failures: vec![(String::new(), error)], ..Outcome::default() },
    };
    {
        let changes = journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        report.networks_created = changes.networks.clone();
        report.volumes_created = changes.volumes.clone();
    }
    report.services = outcome.reports;
    report.services.sort_by(|a, b| (&a.service, &a.container_name).cmp(&(&b.service, &b.container_name)));
    report.restarted = outcome.restarted;
    report.warnings.extend(outcome.warnings);

    let succeeded = outcome.failures.is_empty() && !outcome.interrupted;
    let roll_back = !succeeded && (outcome.interrupted || options.on_failure == FailureStrategy::RollbackAll);
    if !roll_back {
        let retired = std::mem::take(&mut journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).retired);
        settle_retired(backend, &name, retired, succeeded, options, &mut report).await;
    }
    report.elapsed = began.elapsed();
    if succeeded {
        tracing::info!(project = %report.project, elapsed_ms = report.elapsed.as_millis() as u64, "project is up");
        return Ok(report);
    }
    if roll_back {
        rollback(backend, &name, &journal, options).await;
    }
    let mut failures = outcome.failures.into_iter().map(|(_, error)| error);
    match failures.next() {
        None => Err(EngineError::Interrupted { rolled_back: roll_back }),
        Some(first) => {
            let others: Vec<String> = failures.map(|error| error.to_string()).collect();
            // One failure keeps its own variant, so callers can match on it;
            // skipped services matter only when the others went on.
            let partial = options.on_failure == FailureStrategy::PartialContinue && !outcome.skipped.is_empty();
            if others.is_empty() && !partial {
                return Err(first);
            }
            Err(EngineError::Failed { first: Box::new(first), others, skipped: outcome.skipped })
        }
    }
}

/// Drops the `logging` of services whose log driver the runtime does not
/// know, with a warning each, so that their containers log to the
/// runtime's default driver instead of failing to start.
async fn fit_log_drivers(plan: &mut plan::Plan, backend: &dyn Backend) {
    let drivers = |service: &plan::PlannedService| service.spec.options.logging.as_ref().and_then(|logging| logging.driver.clone());
    if !plan.services.values().any(|service| drivers(service).is_some()) {
        return;
    }
    let Some(known) = backend.log_drivers().await else { return };
    for (name, service) in &mut plan.services {
        let Some(driver) = drivers(service) else { continue };
        if !known.contains(&driver) {
            service.spec.options.logging = None;
            plan.warnings.push(format!("service {name}: backend {} has no log driver {driver}, so its default driver is used", backend.name()));
        }
    }
    plan.rehash();
}

/// Refuses a plan that needs a feature the backend lacks, naming the
/// service, the compose key and the backend.
fn check_capabilities(plan: &plan::Plan, backend: &dyn Backend) -> Result<(), EngineError> {
    let capabilities = backend.capabilities();
    let reject = |service: &str, key: String, feature: Feature| -> Result<(), EngineError> {
        if capabilities.supports(feature) {
            return Ok(());
        }
        Err(EngineError::Unsupported {
            service: service.to_string(),
            key,
            backend: backend.name().to_string(),
            reason: feature.describe().to_string(),
        })
    };
    for (name, service) in &plan.services {
        let spec = &service.spec;
        if spec.networks.len() > 1 {
            reject(name, "networks".to_string(), Feature::MultipleNetworks)?;
        }
        for attachment in &spec.networks {
            if attachment.ipv4_address.is_some() || attachment.ipv6_address.is_some() {
                reject(name, format!("networks.{} (ipv4_address, ipv6_address)", attachment.network), Feature::FixedAddresses)?;
            }
            // The first alias is the service's own name, which every backend gives.
            if attachment.aliases.len() > 1 {
                reject(name, format!("networks.{}.aliases", attachment.network), Feature::NetworkAliases)?;
            }
            if let Some(network) = plan.networks.iter().find(|network| network.name == attachment.network) {
                if network.internal {
                    reject(name, format!("networks.{} (internal: true)", attachment.network), Feature::InternalNetworks)?;
                }
                if !network.options.is_empty() {
                    reject(name, format!("networks.{} (driver_opts)", attachment.network), Feature::DriverOptions)?;
                }
                if !network.subnets.is_empty() || network.enable_ipv6 {
                    reject(name, format!("networks.{} (ipam)", attachment.network), Feature::FixedAddresses)?;
                }
            }
        }
        for mount in &spec.mounts {
            match mount.kind {
                MountType::Bind => reject(name, format!("volumes ({})", mount.target), Feature::BindMounts)?,
                MountType::Tmpfs => reject(name, format!("volumes ({})", mount.target), Feature::TmpfsMounts)?,
                MountType::Volume => {
                    let options = plan.volumes.iter().find(|volume| Some(&volume.name) == mount.source.as_ref()).is_some_and(|volume| !volume.options.is_empty());
                    if options {
                        reject(name, format!("volumes ({}, driver_opts)", mount.target), Feature::DriverOptions)?;
                    }
                }
            }
        }
        if !spec.ports.is_empty() {
            reject(name, "ports".to_string(), Feature::PublishedPorts)?;
        }
        if service.healthcheck.as_ref().is_some_and(|check| !check.is_disabled() && !check.test.is_empty()) {
            reject(name, "healthcheck".to_string(), Feature::Exec)?;
        }
        if service.build.is_some() {
            reject(name, "build".to_string(), Feature::Build)?;
        }
        let confinement = [("privileged", spec.confinement.privileged), ("read_only", spec.confinement.read_only_rootfs)];
        let confinement_keys = confinement.into_iter().filter(|(_, set)| *set).map(|(key, _)| key);
        for key in spec.options.keys().into_iter().chain(confinement_keys) {
            reject(name, key.to_string(), Feature::Setting(key))?;
        }
    }
    Ok(())
}

/// Keeps only `services` and what they depend on, directly or not.
fn select_services(plan: &mut plan::Plan, services: &[String]) -> Result<(), EngineError> {
    if services.is_empty() {
        return Ok(());
    }
    let mut chosen = BTreeSet::new();
    let mut queue = services.to_vec();
    while let Some(service) = queue.pop() {
        let planned = plan
            .services
            .get(&service)
            .ok_or_else(|| EngineError::UnknownService { project: plan.project.clone(), service: service.clone() })?;
        if chosen.insert(service) {
            queue.extend(planned.depends_on.keys().cloned());
        }
    }
    plan.services.retain(|name, _| chosen.contains(name));
    plan.externals.retain(|external| chosen.contains(&external.service));
    Ok(())
}

/// Fails unless every external network and volume of the plan exists, so
/// that `up` never creates one (a runtime would make a volume on first use,
/// unlabelled, which `down` never removes). It runs before `up` creates
/// anything. An empty label filter lists every object on each backend.
async fn check_externals(backend: &dyn Backend, plan: &plan::Plan) -> Result<(), EngineError> {
    let uses = |kind: &str| plan.externals.iter().any(|external| external.kind == kind);
    let everything = LabelFilter::new();
    let action = |kind: &str| format!("list the {kind}s to find the external ones");
    let (networks, volumes) = tokio::join!(
        resource_names(backend, "network", &everything, uses("network"), action),
        resource_names(backend, "volume", &everything, uses("volume"), action)
    );
    let (networks, volumes) = (networks?, volumes?);

    for external in &plan.externals {
        let present = if external.kind == "network" { &networks } else { &volumes };
        if !present.contains_key(&external.name) {
            return Err(EngineError::ExternalNotFound {
                kind: external.kind,
                name: external.name.clone(),
                key: external.key.clone(),
                service: external.service.clone(),
                backend: backend.name().to_string(),
            });
        }
    }
    Ok(())
}

/// Lists the names of the networks or volumes (`kind`) with the labels of
/// `filter`, or none without a call when `needed` is false. `action` names
/// the listing in an error.
async fn resource_names(
    backend: &dyn Backend,
    kind: &'static str,
    filter: &LabelFilter,
    needed: bool,
    action: impl Fn(&str) -> String,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, EngineError> {
    if !needed {
        return Ok(BTreeMap::new());
    }
    let listed = if kind == "network" { backend.list_networks(filter).await } else { backend.list_volumes(filter).await };
    listed.map(|found| found.into_iter().map(|info| (info.name, info.labels)).collect()).map_err(|source| EngineError::Backend { action: action(kind), source })
}

/// Fails when an existing network of the plan was created with other
/// settings (subnets, driver, options), before any container is touched.
/// A network without the hash label predates it and is taken as it is.
fn check_network_settings(plan: &plan::Plan, present: &BTreeMap<String, BTreeMap<String, String>>) -> Result<(), EngineError> {
    for network in &plan.networks {
        let Some(labels) = present.get(&network.name) else { continue };
        let (Some(existing), Some(wanted)) = (labels.get(plan::CONFIG_HASH_LABEL), network.labels.get(plan::CONFIG_HASH_LABEL)) else { continue };
        if existing != wanted {
            return Err(EngineError::NetworkChanged { network: network.name.clone() });
        }
    }
    Ok(())
}

/// Removes what this run created and stops the existing containers it
/// started. Errors are logged: a rollback does what it can.
async fn rollback(backend: &Arc<dyn Backend>, project: &str, journal: &Journal, options: &UpOptions) {
    let changes = std::mem::take(&mut *journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    tracing::info!(project, containers = changes.created.len(), "rolling back");
    let mut tasks = JoinSet::new();
    let permits = Arc::new(Semaphore::new(options.max_parallel.max(1)));
    for id in changes.created.iter().rev() {
        let (backend, permits, id) = (backend.clone(), permits.clone(), id.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (id.clone(), ignore_missing(backend.remove_container(&id, true).await))
        });
    }
    for id in &changes.started {
        // Only the id is at hand here, so the service's grace period is not.
        let timeout = options.stop_timeout.unwrap_or(plan::DEFAULT_STOP_TIMEOUT);
        let (backend, permits, id) = (backend.clone(), permits.clone(), id.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (id.clone(), ignore_missing(backend.stop_container(&id, timeout).await))
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok((id, Err(error))) = joined {
            tracing::warn!(project, container = %id, %error, "rollback could not undo a container");
        }
    }
    // The replacements are gone now, so the retired containers can have
    // their names back.
    for retired in &changes.retired {
        let (backend, permits, retired) = (backend.clone(), permits.clone(), retired.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (retired.name.clone(), restore(&backend, &retired).await)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok((name, Err(error))) = joined {
            tracing::warn!(project, container = %name, %error, "rollback could not restore a replaced container");
        }
    }
    for network in changes.networks.iter().rev() {
        if let Err(error) = ignore_missing(backend.remove_network(network).await) {
            tracing::warn!(project, network = %network, %error, "rollback could not remove a network");
        }
    }
    for volume in changes.volumes.iter().rev() {
        if let Err(error) = ignore_missing(backend.remove_volume(volume).await) {
            tracing::warn!(project, volume = %volume, %error, "rollback could not remove a volume");
        }
    }
}

/// Gives a retired container its name back and starts it again if it ran.
async fn restore(backend: &Arc<dyn Backend>, retired: &Retired) -> Result<(), crate::backend::BackendError> {
    if retired.renamed {
        backend.rename_container(&retired.id, &retired.name).await?;
    }
    if retired.was_running {
        backend.start_container(&retired.id).await?;
    }
    Ok(())
}

/// Ends the retired containers of a run that is not rolled back. After a
/// success all are removed. After a failure, those whose replacement was
/// never created are restored instead. An error here is a warning, because
/// the services already run.
async fn settle_retired(backend: &Arc<dyn Backend>, project: &str, retired: Vec<Retired>, succeeded: bool, options: &UpOptions, report: &mut StackReport) {
    let mut tasks = JoinSet::new();
    let permits = Arc::new(Semaphore::new(options.max_parallel.max(1)));
    for retired in retired {
        let (backend, permits, progress) = (backend.clone(), permits.clone(), options.progress.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            if succeeded || retired.replaced || retired.scaled_down {
                let result = ignore_missing(backend.remove_container(&retired.id, true).await);
                if result.is_ok() && retired.scaled_down {
                    Progress::emit(&progress, &retired.service, &retired.name, "Removed");
                }
                (retired, true, result)
            } else {
                let result = restore(&backend, &retired).await;
                (retired, false, result)
            }
        });
    }
    let mut failed_removals = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok((retired, removing, result)) = joined else { continue };
        match result {
            Ok(()) if removing && retired.scaled_down => report.removed.push(retired.name),
            Ok(()) => {}
            Err(_) if removing => failed_removals.push(retired),
            Err(error) => warn_retired(report, project, "restore", &retired, &error),
        }
    }
    // A container whose namespaces another retired container still joined
    // could not be removed while that one existed. The others are gone
    // now, so each failed removal is tried once more.
    for retired in failed_removals {
        match ignore_missing(backend.remove_container(&retired.id, true).await) {
            Ok(()) if retired.scaled_down => {
                Progress::emit(&options.progress, &retired.service, &retired.name, "Removed");
                report.removed.push(retired.name);
            }
            Ok(()) => {}
            Err(error) => warn_retired(report, project, "remove", &retired, &error),
        }
    }
    report.removed.sort();
}

/// Logs and reports a retired container that could not be removed or restored.
fn warn_retired(report: &mut StackReport, project: &str, verb: &str, retired: &Retired, error: &crate::backend::BackendError) {
    let warning = format!("could not {verb} container {} (id {}) of service {}: {error}", retired.name, retired.id, retired.service);
    tracing::warn!(project, "{warning}");
    report.warnings.push(warning);
}

/// Creates the project's networks that do not exist yet, all at once, then
/// its volumes. A backend whose creates fail for an existing object gets
/// every create while the existing objects are listed, which saves one
/// round trip before the first container. There a failed create counts only
/// for an object that the listing lacks. After a failure every started
/// creation still finishes, so the journal records what exists, and no
/// volume is made after a network failed.
async fn create_resources(backend: &Arc<dyn Backend>, plan: &plan::Plan, filter: &LabelFilter, journal: &Journal, options: &UpOptions) -> Result<(), EngineError> {
    let project = &plan.project;
    // A kind with nothing to create is not listed.
    let action = |kind: &str| format!("list the {kind}s of project {project}");
    let listing = |kind: &'static str, needed: bool| resource_names(backend.as_ref(), kind, filter, needed, action);
    let networks: Vec<Resource> = plan.networks.iter().cloned().map(Resource::Network).collect();
    let volumes: Vec<Resource> = plan.volumes.iter().cloned().map(Resource::Volume).collect();
    if backend.creates_exclusively() {
        for (kind, resources) in [("network", networks), ("volume", volumes)] {
            let (present, failures) = tokio::join!(listing(kind, !resources.is_empty()), create_each(backend, resources, journal, options, project));
            let present = present?;
            if kind == "network" {
                check_network_settings(plan, &present)?;
            }
            let mut failures: Vec<(String, EngineError)> = failures.into_iter().filter(|(name, _)| !present.contains_key(name)).collect();
            if !failures.is_empty() {
                // Another `up` of the project (such as `up db` and `up web`
                // at once) may have created it after the listing.
                let now = listing(kind, true).await?;
                failures.retain(|(name, _)| !now.contains_key(name));
            }
            if let Some((_, error)) = failures.into_iter().next() {
                return Err(error);
            }
        }
        return Ok(());
    }
    let (present_networks, present_volumes) = tokio::join!(listing("network", !networks.is_empty()), listing("volume", !volumes.is_empty()));
    let (present_networks, present_volumes) = (present_networks?, present_volumes?);
    check_network_settings(plan, &present_networks)?;
    for (present, resources) in [(present_networks, networks), (present_volumes, volumes)] {
        let missing = resources.into_iter().filter(|resource| !present.contains_key(resource.name())).collect();
        if let Some((_, error)) = create_each(backend, missing, journal, options, project).await.into_iter().next() {
            return Err(error);
        }
    }
    Ok(())
}

/// A network or volume to create.
enum Resource {
    Network(crate::backend::NetworkSpec),
    Volume(crate::backend::VolumeSpec),
}

impl Resource {
    fn name(&self) -> &str {
        match self {
            Self::Network(spec) => &spec.name,
            Self::Volume(spec) => &spec.name,
        }
    }
}

/// Creates `resources` at once and returns the failures by name, in the
/// order they ended. Each success goes into the journal.
async fn create_each(backend: &Arc<dyn Backend>, resources: Vec<Resource>, journal: &Journal, options: &UpOptions, project: &str) -> Vec<(String, EngineError)> {
    let mut tasks = JoinSet::new();
    for resource in resources {
        let (backend, journal, progress, project) = (backend.clone(), journal.clone(), options.progress.clone(), project.to_string());
        tasks.spawn(async move {
            let name = resource.name().to_string();
            let (kind, object, created) = match &resource {
                Resource::Network(spec) => ("network", ObjectKind::Network, backend.create_network(spec).await),
                Resource::Volume(spec) => ("volume", ObjectKind::Volume, backend.create_volume(spec).await),
            };
            if let Err(source) = created {
                let error = EngineError::Backend { action: format!("create {kind} {name}"), source };
                return Some((name, error));
            }
            tracing::info!(project = %project, kind, name = %name, "created");
            Progress::emit_resource(&progress, object, &name, "Created");
            record(&journal, |changes| match resource {
                Resource::Network(_) => changes.networks.push(name),
                Resource::Volume(_) => changes.volumes.push(name),
            });
            None
        });
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Some(failure)) => failures.push(failure),
            Ok(None) => {}
            Err(error) => failures.push((String::new(), EngineError::Task(error.to_string()))),
        }
    }
    failures
}

#[derive(Default)]
struct Outcome {
    reports: Vec<ServiceReport>,
    restarted: Vec<String>,
    warnings: Vec<String>,
    /// Failed services with their errors, in the order they failed.
    failures: Vec<(String, EngineError)>,
    /// Services never started because a dependency failed.
    skipped: Vec<String>,
    interrupted: bool,
}

type Tasks = JoinSet<(String, Result<Event, EngineError>)>;

/// The scheduler's state between events.
struct Scheduler<'a> {
    backend: &'a Arc<dyn Backend>,
    plan: &'a plan::Plan,
    existing: &'a BTreeMap<String, BTreeMap<u32, ContainerInfo>>,
    options: &'a UpOptions,
    journal: &'a Journal,
    permits: Arc<Semaphore>,
    tasks: Tasks,
    waits: Vec<AbortHandle>,
    /// For each service: the services waiting for it, with their condition.
    waiters: BTreeMap<String, Vec<(String, Condition)>>,
    countdown: BTreeMap<String, usize>,
    /// (waiter, dependency) pairs already counted down.
    met: BTreeSet<(String, String)>,
    recreated: BTreeSet<String>,
    blocked: BTreeSet<String>,
    stopping: bool,
    outcome: Outcome,
}

async fn schedule(
    backend: &Arc<dyn Backend>,
    plan: &plan::Plan,
    existing: &BTreeMap<String, BTreeMap<u32, ContainerInfo>>,
    options: &UpOptions,
    journal: &Journal,
) -> Outcome {
    let mut waiters: BTreeMap<String, Vec<(String, Condition)>> = BTreeMap::new();
    let mut countdown = BTreeMap::new();
    for (name, service) in &plan.services {
        countdown.insert(name.clone(), service.depends_on.len());
        for (dependency, condition) in &service.depends_on {
            waiters.entry(dependency.clone()).or_default().push((name.clone(), *condition));
        }
    }
    let mut scheduler = Scheduler {
        backend,
        plan,
        existing,
        options,
        journal,
        permits: Arc::new(Semaphore::new(options.max_parallel.max(1))),
        tasks: JoinSet::new(),
        waits: Vec::new(),
        waiters,
        countdown,
        met: BTreeSet::new(),
        recreated: BTreeSet::new(),
        blocked: BTreeSet::new(),
        stopping: false,
        outcome: Outcome::default(),
    };
    let ready: Vec<String> = scheduler.countdown.iter().filter(|(_, count)| **count == 0).map(|(name, _)| name.clone()).collect();
    for name in ready {
        scheduler.spawn_start(&name);
    }
    scheduler.run().await;
    scheduler.outcome
}

impl Scheduler<'_> {
    async fn run(&mut self) {
        let cancel = self.options.cancel.clone();
        loop {
            let joined = match &cancel {
                Some(cancel) if !self.stopping => tokio::select! {
                    joined = self.tasks.join_next() => joined,
                    () = cancel.cancelled() => {
                        tracing::warn!(project = %self.plan.project, "up interrupted; finishing the operations in flight");
                        self.outcome.interrupted = true;
                        self.halt();
                        continue;
                    }
                },
                _ => self.tasks.join_next().await,
            };
            let Some(joined) = joined else { break };
            let (service, result) = match joined {
                Ok(pair) => pair,
                Err(error) if error.is_cancelled() => continue,
                Err(error) => (String::new(), Err(EngineError::Task(error.to_string()))),
            };
            match result {
                Ok(Event::Started { reports, restarted }) => {
                    if reports.iter().any(|report| report.recreated) {
                        self.recreated.insert(service.clone());
                    }
                    if restarted {
                        self.outcome.restarted.push(service.clone());
                    }
                    self.outcome.reports.extend(reports.iter().cloned());
                    if !self.stopping {
                        self.spawn_waits(&service, &reports);
                    }
                    self.condition_met(&service, Condition::ServiceStarted);
                }
                Ok(Event::Met { condition }) => self.condition_met(&service, condition),
                Err(error) => self.failed(service, error),
            }
        }
        self.outcome.restarted.sort();
        self.outcome.skipped.sort();
    }

    /// Stops scheduling: no new starts, and the waits are cancelled. Creates
    /// and starts in flight finish, so the journal records what they made.
    fn halt(&mut self) {
        self.stopping = true;
        for wait in self.waits.drain(..) {
            wait.abort();
        }
    }

    fn condition_met(&mut self, service: &str, condition: Condition) {
        let waiters: Vec<String> = self
            .waiters
            .get(service)
            .into_iter()
            .flatten()
            .filter(|(_, wanted)| *wanted == condition)
            .map(|(waiter, _)| waiter.clone())
            .collect();
        for waiter in waiters {
            self.count_down(&waiter, service);
        }
    }

    fn count_down(&mut self, waiter: &str, dependency: &str) {
        if !self.met.insert((waiter.to_string(), dependency.to_string())) {
            return;
        }
        let count = self.countdown.get_mut(waiter).expect("every service has a countdown");
        *count -= 1;
        if *count == 0 && !self.stopping && !self.blocked.contains(waiter) {
            tracing::debug!(project = %self.plan.project, service = %waiter, "dependencies met");
            self.spawn_start(waiter);
        }
    }

    /// Names the first container of `service`, which progress lines about
    /// the whole service show, as the other lines show containers.
    fn first_container(&self, service: &str) -> String {
        self.plan.services.get(service).map_or_else(|| service.to_string(), |planned| planned.replica(&self.plan.project, 1).name)
    }

    /// Records that a service failed to start or to meet a condition.
    /// Dependents that declared it optional go on, and the others are
    /// blocked. The failure only warns when every dependent declared it optional.
    fn failed(&mut self, service: String, error: EngineError) {
        let waiters = self.waiters.get(&service).cloned().unwrap_or_default();
        let (optional, required): (Vec<_>, Vec<_>) =
            waiters.iter().partition(|(waiter, _)| self.plan.services[waiter].optional.contains(&service));
        if !optional.is_empty() && required.is_empty() {
            let warning = format!("{error}; the services that depend on {service} declared it optional (required: false), so they start without it");
            tracing::warn!(project = %self.plan.project, "{warning}");
            self.outcome.warnings.push(warning);
        } else {
            tracing::error!(project = %self.plan.project, service = %service, %error, "service failed");
            Progress::emit(&self.options.progress, &service, &self.first_container(&service), "Error");
            self.outcome.failures.push((service.clone(), error));
            match self.options.on_failure {
                FailureStrategy::PartialContinue => {}
                FailureStrategy::RollbackAll | FailureStrategy::HaltGraph => self.halt(),
            }
        }
        for (waiter, _) in required {
            self.block(waiter);
        }
        for (waiter, _) in optional {
            self.count_down(waiter, &service);
        }
    }

    /// Marks `service` and everything that requires it as never to start.
    fn block(&mut self, service: &str) {
        if !self.blocked.insert(service.to_string()) {
            return;
        }
        self.outcome.skipped.push(service.to_string());
        Progress::emit(&self.options.progress, service, &self.first_container(service), "Skipped");
        let waiters = self.waiters.get(service).cloned().unwrap_or_default();
        for (waiter, _) in waiters {
            if self.plan.services[&waiter].optional.contains(service) {
                self.count_down(&waiter, service);
            } else {
                self.block(&waiter);
            }
        }
    }

    /// Starts the waits that dependents of a freshly started service need:
    /// one healthcheck loop and one exit wait at most, shared by all
    /// dependents, each over every replica.
    fn spawn_waits(&mut self, service: &str, reports: &[ServiceReport]) {
        let waiters = self.waiters.get(service).cloned().unwrap_or_default();
        let first_waiter = |wanted: Condition| waiters.iter().find(|(_, condition)| *condition == wanted).map(|(name, _)| name.clone());
        let containers: Vec<String> = reports.iter().map(|report| report.container_id.clone()).collect();
        let planned = &self.plan.services[service];

        let healthy_for = first_waiter(Condition::ServiceHealthy)
            .or_else(|| (self.options.wait && planned.healthcheck.as_ref().is_some_and(|check| !check.is_disabled() && !check.test.is_empty())).then(|| "up --wait".to_string()));
        if let Some(dependent) = healthy_for {
            let backend = self.backend.clone();
            let service = service.to_string();
            let containers: Vec<(String, String)> = reports.iter().map(|report| (report.container_id.clone(), report.container_name.clone())).collect();
            let check = planned.healthcheck.clone();
            let progress = self.options.progress.clone();
            let handle = self.tasks.spawn(async move {
                let result = async {
                    // The plan already rejected a service_healthy dependency without a healthcheck.
                    let check = check.ok_or_else(|| EngineError::NoHealthcheck { service: service.clone(), dependent: dependent.clone() })?;
                    for (id, name) in &containers {
                        wait_healthy(backend.clone(), &service, &dependent, id, &check).await?;
                        Progress::emit(&progress, &service, name, "Healthy");
                    }
                    Ok(Event::Met { condition: Condition::ServiceHealthy })
                }
                .await;
                (service, result)
            });
            self.waits.push(handle);
        }

        if let Some(dependent) = first_waiter(Condition::ServiceCompletedSuccessfully) {
            let backend = self.backend.clone();
            let service = service.to_string();
            let (poll, limit) = (self.options.poll_interval, self.options.completion_timeout);
            let progress = self.options.progress.clone();
            let handle = self.tasks.spawn(async move {
                let result = async {
                    for container in &containers {
                        wait_completed(backend.clone(), &service, &dependent, container, poll, limit).await?;
                    }
                    Progress::emit(&progress, &service, &service, "Exited");
                    Ok(Event::Met { condition: Condition::ServiceCompletedSuccessfully })
                }
                .await;
                (service, result)
            });
            self.waits.push(handle);
        }
    }

    /// Converges one service: keeps unchanged containers, recreates changed
    /// ones, creates missing numbers, removes numbers beyond the count, and
    /// starts what does not run.
    fn spawn_start(&mut self, name: &str) {
        let backend = self.backend.clone();
        let project = self.plan.project.clone();
        let service = self.plan.services[name].clone();
        let existing = self.existing.get(name).cloned().unwrap_or_default();
        let restart = service.restart_on.iter().any(|dependency| self.recreated.contains(dependency));
        let permits = self.permits.clone();
        let journal = self.journal.clone();
        let options = self.options.clone();
        self.tasks.spawn(async move {
            let result = converge(&backend, &project, &service, existing, restart, &permits, &journal, &options).await;
            (service.name.clone(), result)
        });
    }
}

#[allow(clippy::too_many_arguments)]
async fn converge(
    backend: &Arc<dyn Backend>,
    project: &str,
    service: &PlannedService,
    mut existing: BTreeMap<u32, ContainerInfo>,
    restart: bool,
    permits: &Arc<Semaphore>,
    journal: &Journal,
    options: &UpOptions,
) -> Result<Event, EngineError> {
    let name = &service.name;

    // Scale down first: the replicas beyond the count stop together, each
    // under a permit, and go when `up` is done.
    let extra: Vec<ContainerInfo> = existing.split_off(&(service.replicas + 1)).into_values().collect();
    let stops = extra.iter().map(|info| async move {
        let _permit = permits.acquire().await.map_err(|error| EngineError::Task(error.to_string()))?;
        retire(backend, journal, info, name, false, options).await
    });
    futures_util::future::join_all(stops).await.into_iter().collect::<Result<Vec<()>, EngineError>>()?;

    // Replicas converge in parallel, each under its own permit. Every task
    // is awaited, even after a failure, so the journal records all creates.
    let shared = Arc::new(service.clone());
    let mut replicas = JoinSet::new();
    for number in 1..=service.replicas {
        let replica = Replica {
            backend: backend.clone(),
            project: project.to_string(),
            service: shared.clone(),
            number,
            existing: existing.remove(&number),
            restart,
            permits: permits.clone(),
            journal: journal.clone(),
            options: options.clone(),
        };
        replicas.spawn(replica.converge());
    }
    let mut reports = Vec::new();
    let mut restarted = false;
    let mut first_error = None;
    while let Some(joined) = replicas.join_next().await {
        match joined.map_err(|error| EngineError::Task(error.to_string())).and_then(|result| result) {
            Ok((report, was_restarted)) => {
                restarted |= was_restarted;
                reports.push(report);
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    reports.sort_by(|a, b| a.container_name.cmp(&b.container_name));
    Ok(Event::Started { reports, restarted })
}

/// Takes an existing container out of service: renames it to free its name
/// when `rename` is set (docker compose's `<short id>_<name>`), records it,
/// then stops it. It is recorded before the stop, so a rollback restarts it
/// even when the stop fails.
async fn retire(backend: &Arc<dyn Backend>, journal: &Journal, info: &ContainerInfo, service: &str, rename: bool, options: &UpOptions) -> Result<(), EngineError> {
    let fail = |verb: &str| {
        let action = format!("{verb} container {} of service {service}", info.name);
        move |source| EngineError::Backend { action, source }
    };
    if rename {
        let short: String = info.id.chars().take(12).collect();
        backend.rename_container(&info.id, &format!("{short}_{}", info.name)).await.map_err(fail("rename"))?;
    }
    let retired = Retired {
        id: info.id.clone(),
        name: info.name.clone(),
        service: service.to_string(),
        renamed: rename,
        was_running: info.state.running,
        scaled_down: !rename,
        replaced: false,
    };
    record(journal, |changes| changes.retired.push(retired));
    if info.state.running {
        ignore_missing(backend.stop_container(&info.id, plan::stop_timeout(options.stop_timeout, &info.labels)).await).map_err(fail("stop"))?;
        Progress::emit(&options.progress, service, &info.name, "Stopped");
    }
    Ok(())
}

/// Creates the missing host folders of bind mounts that request it, as
/// docker compose does for the short syntax, when the runtime uses this
/// host's file system.
fn create_host_paths(backend: &dyn Backend, service: &str, spec: &crate::backend::ContainerSpec) -> Result<(), EngineError> {
    if !backend.shares_host_filesystem() {
        return Ok(());
    }
    let requested = spec.mounts.iter().filter(|mount| mount.kind == MountType::Bind && mount.create_host_path);
    for source in requested.filter_map(|mount| mount.source.as_deref()) {
        if std::path::Path::new(source).exists() {
            continue;
        }
        std::fs::create_dir_all(source).map_err(|error| EngineError::HostPath {
            service: service.to_string(),
            path: source.to_string(),
            reason: error.to_string(),
        })?;
        tracing::info!(service, path = source, "created the host folder of a bind mount");
    }
    Ok(())
}

/// Gives each anonymous volume of `spec` the volume that the replaced
/// container had at the same path, where there is one.
fn adopt_anonymous_volumes(spec: &mut crate::backend::ContainerSpec, volumes: &BTreeMap<String, String>) {
    for mount in &mut spec.mounts {
        if mount.kind == MountType::Volume && mount.source.is_none() {
            mount.source = volumes.get(&mount.target).cloned();
        }
    }
}

/// One container of a service to converge, with what its task needs.
struct Replica {
    backend: Arc<dyn Backend>,
    project: String,
    service: Arc<PlannedService>,
    number: u32,
    existing: Option<ContainerInfo>,
    restart: bool,
    permits: Arc<Semaphore>,
    journal: Journal,
    options: UpOptions,
}

impl Replica {
    /// Keeps, recreates or creates the container, then starts (or restarts)
    /// it. Returns its report and whether it was restarted.
    async fn converge(self) -> Result<(ServiceReport, bool), EngineError> {
        let Replica { backend, project, service, number, existing, restart, permits, journal, options } = self;
        let project = project.as_str();
        let name = &service.name;
        let fail = |verb: &str, container: &str| {
            let action = format!("{verb} container {container} of service {name}");
            move |source| EngineError::Backend { action, source }
        };
        let progress = &options.progress;
        let wanted_hash = service.spec.labels.get(CONFIG_HASH_LABEL);
        let mut spec = service.replica(project, number);
        let _permit = permits.acquire().await.map_err(|error| EngineError::Task(error.to_string()))?;

        let (id, reused, recreated) = match existing {
            Some(info) if info.labels.get(CONFIG_HASH_LABEL) == wanted_hash => (info.id, true, false),
            Some(info) => {
                tracing::info!(project, service = %name, container = %info.id, "recreating the changed container");
                // The replacement takes over the anonymous volumes, and so
                // their data, as docker compose does.
                let volumes = backend.volume_mounts(&info.id).await.map_err(fail("inspect", &info.name))?;
                adopt_anonymous_volumes(&mut spec, &volumes);
                let keep = backend.capabilities().supports(Feature::Rename);
                if keep {
                    retire(&backend, &journal, &info, name, true, &options).await?;
                } else {
                    // NOTE: without a rename the old container must go before
                    // its replacement takes the name, so a rollback cannot bring it back.
                    if info.state.running {
                        let timeout = plan::stop_timeout(options.stop_timeout, &info.labels);
                        ignore_missing(backend.stop_container(&info.id, timeout).await).map_err(fail("stop", &info.name))?;
                    }
                    ignore_missing(backend.remove_container(&info.id, true).await).map_err(fail("remove", &info.name))?;
                }
                create_host_paths(backend.as_ref(), name, &spec)?;
                let id = backend.create_container(&spec).await.map_err(fail("create", &spec.name))?;
                record(&journal, |changes| {
                    changes.created.push(id.clone());
                    if let Some(retired) = changes.retired.iter_mut().find(|retired| retired.id == info.id) {
                        retired.replaced = true;
                    }
                });
                (id, false, true)
            }
            None => {
                // A new container is created and started in one call.
                Progress::emit(progress, name, &spec.name, "Creating");
                create_host_paths(backend.as_ref(), name, &spec)?;
                match backend.run_container(&spec).await {
                    Ok(id) => {
                        record(&journal, |changes| changes.created.push(id.clone()));
                        Progress::emit(progress, name, &spec.name, "Started");
                        tracing::info!(project, service = %name, container = %id, "container started");
                        let report = ServiceReport { service: name.clone(), container_name: spec.name.clone(), container_id: id, reused: false, recreated: false };
                        return Ok((report, false));
                    }
                    Err(error) => {
                        // The container may exist in the created state; the
                        // journal needs it for a rollback, and the message
                        // then names the start as the step that failed.
                        return match backend.inspect_container(&spec.name).await {
                            Ok(info) => {
                                record(&journal, |changes| changes.created.push(info.id.clone()));
                                Err(fail("start", &spec.name)(error))
                            }
                            Err(_) => Err(fail("create", &spec.name)(error)),
                        };
                    }
                }
            }
        };

        let mut restarted = false;
        let running = reused && backend.inspect_container(&id).await.map_err(fail("inspect", &spec.name))?.state.running;
        if running && restart {
            tracing::info!(project, service = %name, container = %id, "restarting: a dependency with restart: true was recreated");
            backend.stop_container(&id, plan::stop_timeout(options.stop_timeout, &spec.labels)).await.map_err(fail("stop", &spec.name))?;
            backend.start_container(&id).await.map_err(fail("start", &spec.name))?;
            restarted = true;
            Progress::emit(progress, name, &spec.name, "Restarted");
        } else if !running {
            backend.start_container(&id).await.map_err(fail("start", &spec.name))?;
            if reused {
                record(&journal, |changes| changes.started.push(id.clone()));
            }
            Progress::emit(progress, name, &spec.name, if recreated { "Recreated" } else { "Started" });
        } else {
            Progress::emit(progress, name, &spec.name, "Running");
        }
        tracing::info!(project, service = %name, container = %id, reused, "container started");
        let report = ServiceReport { service: name.clone(), container_name: spec.name.clone(), container_id: id, reused, recreated };
        Ok((report, restarted))
    }
}
