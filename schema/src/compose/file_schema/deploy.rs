//! A service's `deploy`: replicas, resources, and the policies of the platform.

use std::collections::BTreeSet;

use schemars::JsonSchema;

use super::values::{extensions, fixed_schema, object_or_null, ByteSizeText, Count, Duration, Integer, ListOrMapping, Number};

/// The deployment settings of a service: replicas, resources, and the
/// policies of an orchestrator such as Swarm.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions, transform = object_or_null)]
pub(super) struct Deploy {
    /// `replicated` (the default) runs `replicas` containers, `global` one
    /// per node.
    mode: Option<String>,
    /// The way clients reach the service: `vip` (a virtual IP) or `dnsrr` (DNS
    /// round robin).
    endpoint_mode: Option<String>,
    /// The number of containers to run.
    replicas: Option<Count>,
    /// Labels of the service (not of its containers).
    labels: Option<ListOrMapping>,
    /// The rollback of a failed update.
    rollback_config: Option<UpdateConfig>,
    /// The replacement of the containers in an update.
    update_config: Option<UpdateConfig>,
    /// Limits and reservations of CPU, memory, processes and devices.
    resources: Option<Resources>,
    /// The restart policy of the platform for containers that exit.
    restart_policy: Option<RestartPolicy>,
    /// The nodes that may run the containers.
    placement: Option<Placement>,
}

/// The replacement of containers in an update or a rollback.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct UpdateConfig {
    /// The number of containers to replace at a time; 0 replaces all at once.
    parallelism: Option<Count>,
    /// The time to wait between two groups of containers.
    delay: Option<Duration>,
    /// The action when replacing fails: `continue`, `pause` or `rollback`.
    failure_action: Option<String>,
    /// The time to watch each new container for failure.
    monitor: Option<Duration>,
    /// The share of failures to tolerate, from 0 to 1.
    max_failure_ratio: Option<Number>,
    /// `stop-first` (the default) stops the old container before starting the
    /// new one; `start-first` overlaps them.
    order: Option<UpdateOrder>,
}

/// The order of stopping and starting in an update.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(super) enum UpdateOrder {
    StartFirst,
    StopFirst,
}

/// Resource limits and reservations.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Resources {
    /// The resources that a container may use at most.
    limits: Option<ResourceLimits>,
    /// The resources that a container is guaranteed.
    reservations: Option<ResourceReservations>,
}

/// The resources that a container may use at most.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct ResourceLimits {
    /// The number of CPUs; fractions allowed (`0.5`).
    cpus: Option<Number>,
    /// The memory, as a size such as `512m`.
    memory: Option<ByteSizeText>,
    /// The number of processes.
    pids: Option<Integer>,
}

/// The resources that a container is guaranteed.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct ResourceReservations {
    /// The number of CPUs; fractions allowed (`0.25`).
    cpus: Option<Number>,
    /// The memory, as a size such as `256m`.
    memory: Option<ByteSizeText>,
    /// Resources that the platform defines, such as GPUs or FPGAs.
    generic_resources: Option<Vec<GenericResource>>,
    /// Devices that the containers need, such as GPUs.
    devices: Option<Vec<DeviceRequest>>,
}

/// A resource that the platform defines.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct GenericResource {
    /// A countable resource.
    discrete_resource_spec: Option<DiscreteResource>,
}

/// A countable resource of the platform.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct DiscreteResource {
    /// The kind of resource (`GPU`, `SSD`).
    kind: Option<String>,
    /// The number to reserve.
    value: Option<Number>,
}

/// A device that the containers need.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct DeviceRequest {
    /// The capabilities that the device must offer (`gpu`, `compute`, `utility`).
    capabilities: BTreeSet<String>,
    /// The number of devices, or `all`.
    count: Option<DeviceCount>,
    /// The IDs of the devices, instead of a count.
    device_ids: Option<BTreeSet<String>>,
    /// The device driver (`nvidia`).
    driver: Option<String>,
    /// Options for the driver.
    options: Option<ListOrMapping>,
}

fixed_schema! {
    /// A number of devices, or `all`.
    DeviceCount => { "type": ["integer", "string"], "minimum": 0, "pattern": r"^([0-9]+|all)$|\$" }
}

/// The restart policy of the platform.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct RestartPolicy {
    /// `none`, `on-failure` or `any` (the default).
    condition: Option<String>,
    /// The time to wait between two restarts.
    delay: Option<Duration>,
    /// The maximum number of restarts to try before giving up.
    max_attempts: Option<Count>,
    /// The time a restarted container must run to count as started.
    window: Option<Duration>,
}

/// The nodes that may run a service's containers.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct Placement {
    /// Conditions that a node must meet (`node.role==manager`).
    constraints: Option<Vec<String>>,
    /// Preferences for spreading the containers over the nodes.
    preferences: Option<Vec<PlacementPreference>>,
    /// The maximum number of containers of the service on one node.
    max_replicas_per_node: Option<Count>,
}

/// A preference for where containers run.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields, transform = extensions)]
pub(super) struct PlacementPreference {
    /// A node label to spread the containers evenly over.
    spread: Option<String>,
}
