//! The structured types that cross the ABI as JSON: option objects, specs
//! and results.

use super::build::{field, optional_field as opt};
use super::model::{Member, TypeDecl, TypeRef, UnionDecl};

const STRINGS: TypeRef = TypeRef::Array(&TypeRef::String);
const STRING_MAP: TypeRef = TypeRef::Map(&TypeRef::String);

pub const ISOLATION_LEVELS: &[&str] = &["sharedKernel", "sharedVm", "vmPerContainer"];
pub const POLICY_TIERS: &[&str] = &["default", "isolated", "hardened", "untrusted"];
pub const FAILURE_MODES: &[&str] = &["rollbackAll", "haltGraph", "partialContinue"];
pub const EXECUTION_STRATEGIES: &[&str] = &["sequential", "dependencyAware", "maxParallel", "parallelSafe"];
pub const RUNTIME_KINDS: &[&str] = &["auto", "oci", "microvm", "wasm"];
pub const REFERENCE_KINDS: &[&str] = &["endpoint", "ip", "internalUrl"];
pub const NODE_STATES: &[&str] = &["pending", "starting", "running", "healthy", "exited", "failed"];

pub static PORT_MAPPING: TypeDecl = TypeDecl {
    name: "PortMapping",
    doc: "A port published on the host.",
    fields: &[
        field("containerPort", TypeRef::Number, "Port inside the container."),
        opt("hostPort", TypeRef::Number, "Port on the host; a free port is chosen when omitted."),
        opt("hostIp", TypeRef::String, "Host address to bind, `0.0.0.0` when omitted."),
        opt("protocol", TypeRef::Literal(&["tcp", "udp"]), "Transport protocol, `tcp` when omitted."),
    ],
};

pub static CONTAINER_SPEC: TypeDecl = TypeDecl {
    name: "ContainerSpec",
    doc: "What to create a container from.",
    fields: &[
        field("image", TypeRef::String, "Image reference, such as `docker.io/library/redis:7`."),
        opt("name", TypeRef::String, "Container name; the runtime chooses one when omitted."),
        opt("command", STRINGS, "Command and arguments, passed as argv without a shell."),
        opt("entrypoint", STRINGS, "Entrypoint replacing the image's own."),
        opt("env", STRING_MAP, "Environment variables."),
        opt("ports", TypeRef::Array(&TypeRef::Named(&PORT_MAPPING)), "Ports to publish."),
        opt("volumes", STRINGS, "Volume mounts in `source:target[:mode]` form."),
        opt("labels", STRING_MAP, "Labels to set on the container."),
        opt("network", TypeRef::String, "Network to attach to."),
        opt("workdir", TypeRef::String, "Working directory inside the container."),
        opt("user", TypeRef::String, "User to run as, `name` or `uid[:gid]`."),
    ],
};

pub static CONTAINER_INFO: TypeDecl = TypeDecl {
    name: "ContainerInfo",
    doc: "A container as the runtime reports it.",
    fields: &[
        field("id", TypeRef::String, "Container ID."),
        field("name", TypeRef::String, "Container name."),
        field("image", TypeRef::String, "Image the container was created from."),
        field("state", TypeRef::String, "Runtime state, such as `running` or `exited`."),
        opt("health", TypeRef::String, "Health status when the container has a healthcheck."),
        opt("service", TypeRef::String, "Compose service, for containers of a stack."),
        field("labels", STRING_MAP, "Labels of the container."),
    ],
};

pub static STOP_OPTIONS: TypeDecl = TypeDecl {
    name: "StopOptions",
    doc: "How to stop a container.",
    fields: &[opt("timeout", TypeRef::Number, "Seconds to wait before killing, 10 when omitted.")],
};

pub static REMOVE_OPTIONS: TypeDecl = TypeDecl {
    name: "RemoveOptions",
    doc: "How to remove a container or an image.",
    fields: &[
        opt("force", TypeRef::Boolean, "Remove even when running or in use."),
        opt("volumes", TypeRef::Boolean, "Also remove anonymous volumes."),
    ],
};

pub static LIST_OPTIONS: TypeDecl = TypeDecl {
    name: "ListOptions",
    doc: "Which containers to list.",
    fields: &[
        opt("all", TypeRef::Boolean, "Include stopped containers."),
        opt("labels", STRING_MAP, "Only containers carrying all of these labels."),
    ],
};

pub static LOGS_OPTIONS: TypeDecl = TypeDecl {
    name: "LogsOptions",
    doc: "Which log lines to read.",
    fields: &[
        opt("tail", TypeRef::Number, "Number of lines from the end; all lines when omitted."),
        opt("timestamps", TypeRef::Boolean, "Prefix each line with its timestamp."),
        opt("services", STRINGS, "Only these services of a stack; all when omitted."),
    ],
};

pub static LOG_OUTPUT: TypeDecl = TypeDecl {
    name: "LogOutput",
    doc: "Log text of a container, split by stream.",
    fields: &[
        field("stdout", TypeRef::String, "Standard output."),
        field("stderr", TypeRef::String, "Standard error."),
    ],
};

pub static EXEC_OPTIONS: TypeDecl = TypeDecl {
    name: "ExecOptions",
    doc: "How to run a command in a running container.",
    fields: &[
        opt("env", STRING_MAP, "Extra environment variables."),
        opt("workdir", TypeRef::String, "Working directory of the command."),
        opt("user", TypeRef::String, "User to run the command as."),
    ],
};

pub static EXEC_RESULT: TypeDecl = TypeDecl {
    name: "ExecResult",
    doc: "Outcome of a command run in a container.",
    fields: &[
        field("exitCode", TypeRef::Number, "Exit code of the command."),
        field("stdout", TypeRef::String, "Standard output."),
        field("stderr", TypeRef::String, "Standard error."),
    ],
};

pub static IMAGE_INFO: TypeDecl = TypeDecl {
    name: "ImageInfo",
    doc: "An image in the local store.",
    fields: &[
        field("id", TypeRef::String, "Image ID."),
        field("tags", STRINGS, "References that point at the image."),
        opt("size", TypeRef::Number, "Size in bytes."),
    ],
};

pub static BUILD_SPEC: TypeDecl = TypeDecl {
    name: "BuildSpec",
    doc: "What to build an image from.",
    fields: &[
        field("context", TypeRef::String, "Build context directory."),
        field("tag", TypeRef::String, "Reference to tag the image with."),
        opt("dockerfile", TypeRef::String, "Containerfile path relative to the context."),
        opt("args", STRING_MAP, "Build arguments."),
        opt("target", TypeRef::String, "Stage to build in a multi-stage file."),
    ],
};

pub static BACKEND_INFO: TypeDecl = TypeDecl {
    name: "BackendInfo",
    doc: "A container runtime that perry-stack can drive.",
    fields: &[
        field("name", TypeRef::String, "Backend name, such as `podman` or `docker`."),
        opt("version", TypeRef::String, "Version reported by the runtime."),
        field("isolation", TypeRef::Literal(ISOLATION_LEVELS), "Isolation between containers."),
    ],
};

pub static DOWN_OPTIONS: TypeDecl = TypeDecl {
    name: "DownOptions",
    doc: "What to remove besides the containers.",
    fields: &[
        opt("volumes", TypeRef::Boolean, "Also remove named volumes declared by the project."),
        opt("removeOrphans", TypeRef::Boolean, "Also remove containers of services no longer declared."),
    ],
};

const fn member(name: &'static str, ty: TypeRef) -> Member {
    Member { name, ty }
}

pub const DEPENDENCY_CONDITIONS: &[&str] = &["service_started", "service_healthy", "service_completed_successfully"];

pub static COMPOSE_COMMAND: UnionDecl = UnionDecl {
    name: "ComposeCommand",
    doc: "A command: a string split into arguments like a shell would, or the arguments themselves.",
    members: &[member("Text", TypeRef::String), member("List", STRINGS)],
};

pub static COMPOSE_ENVIRONMENT_VALUE: UnionDecl = UnionDecl {
    name: "ComposeEnvironmentValue",
    doc: "The value of a variable; `null` passes the variable through from the environment of `up`.",
    members: &[member("Value", TypeRef::String), member("Unset", TypeRef::Null)],
};

pub static COMPOSE_ENVIRONMENT: UnionDecl = UnionDecl {
    name: "ComposeEnvironment",
    doc: "Environment variables, as a map or as `KEY=value` entries.",
    members: &[member("Map", TypeRef::Map(&TypeRef::Union(&COMPOSE_ENVIRONMENT_VALUE))), member("List", STRINGS)],
};

pub static COMPOSE_LABELS: UnionDecl = UnionDecl {
    name: "ComposeLabels",
    doc: "Labels, as a map or as `key=value` entries.",
    members: &[member("Map", STRING_MAP), member("List", STRINGS)],
};

pub static COMPOSE_PUBLISHED: UnionDecl = UnionDecl {
    name: "ComposePublished",
    doc: "A host port or range, such as `8080` or `\"8000-8010\"`.",
    members: &[member("Range", TypeRef::String), member("Port", TypeRef::Number)],
};

pub static COMPOSE_PORT_CONFIG: TypeDecl = TypeDecl {
    name: "ComposePortConfig",
    doc: "A published port in the long syntax.",
    fields: &[
        field("target", TypeRef::Number, "Port inside the container."),
        opt("published", TypeRef::Union(&COMPOSE_PUBLISHED), "Port or range on the host; the runtime chooses one when omitted."),
        opt("host_ip", TypeRef::String, "Host address to bind."),
        opt("protocol", TypeRef::Literal(&["tcp", "udp"]), "Transport protocol, `tcp` when omitted."),
        opt("name", TypeRef::String, "Name of the port."),
        opt("app_protocol", TypeRef::String, "Application protocol, such as `http`."),
        opt("mode", TypeRef::Literal(&["host", "ingress"]), "Publishing mode, `ingress` when omitted."),
    ],
};

pub static COMPOSE_PORT: UnionDecl = UnionDecl {
    name: "ComposePort",
    doc: "A published port: `[host_ip:][published:]target[/protocol]`, a container port number, or the long syntax.",
    members: &[member("Short", TypeRef::String), member("Target", TypeRef::Number), member("Long", TypeRef::Named(&COMPOSE_PORT_CONFIG))],
};

pub static COMPOSE_SERVICE_VOLUME: TypeDecl = TypeDecl {
    name: "ComposeServiceVolume",
    doc: "A mount of a service in the long syntax.",
    fields: &[
        field("type", TypeRef::Literal(&["volume", "bind", "tmpfs"]), "What the mount attaches."),
        opt("source", TypeRef::String, "Named volume or host path (a relative path starts at the current directory); omitted for an anonymous volume or a tmpfs."),
        field("target", TypeRef::String, "Path inside the container."),
        opt("read_only", TypeRef::Boolean, "Mount read-only."),
    ],
};

pub static COMPOSE_VOLUME_MOUNT: UnionDecl = UnionDecl {
    name: "ComposeVolumeMount",
    doc: "A mount of a service: `[source:]target[:mode]` or the long syntax. A relative host path starts at the current directory of the process.",
    members: &[member("Short", TypeRef::String), member("Long", TypeRef::Named(&COMPOSE_SERVICE_VOLUME))],
};

pub static COMPOSE_DEPENDENCY: TypeDecl = TypeDecl {
    name: "ComposeDependency",
    doc: "A dependency of a service in the long syntax.",
    fields: &[
        field("condition", TypeRef::Literal(DEPENDENCY_CONDITIONS), "What the dependency must reach before this service starts."),
        opt("restart", TypeRef::Boolean, "Restart this service when the dependency is updated."),
        opt("required", TypeRef::Boolean, "When false, a missing or failed dependency only warns; true when omitted."),
    ],
};

pub static COMPOSE_DEPENDS_ON: UnionDecl = UnionDecl {
    name: "ComposeDependsOn",
    doc: "Services that must start first, as names or with a condition each.",
    members: &[member("List", STRINGS), member("Map", TypeRef::Map(&TypeRef::Named(&COMPOSE_DEPENDENCY)))],
};

pub static COMPOSE_HEALTHCHECK: TypeDecl = TypeDecl {
    name: "ComposeHealthcheck",
    doc: "How the runtime checks that a service is healthy. Durations are compose durations, such as `1m30s` or `500ms`.",
    fields: &[
        opt(
            "test",
            TypeRef::Union(&COMPOSE_COMMAND),
            "`[\"CMD\", ...]`, `[\"CMD-SHELL\", script]` or `[\"NONE\"]`; a string runs in a shell.",
        ),
        opt("interval", TypeRef::String, "Time between checks, `30s` when omitted."),
        opt("timeout", TypeRef::String, "Time a check may take, `30s` when omitted."),
        opt("retries", TypeRef::Number, "Failed checks in a row that make the service unhealthy, 3 when omitted."),
        opt("start_period", TypeRef::String, "Time after start during which failures do not count."),
        opt("start_interval", TypeRef::String, "Time between checks during the start period."),
        opt("disable", TypeRef::Boolean, "Switch off the image's own check."),
    ],
};

pub static COMPOSE_SERVICE_NETWORK: TypeDecl = TypeDecl {
    name: "ComposeServiceNetwork",
    doc: "How a service joins a network.",
    fields: &[opt("aliases", STRINGS, "Extra names of the service on the network.")],
};

pub static COMPOSE_SERVICE_NETWORK_ENTRY: UnionDecl = UnionDecl {
    name: "ComposeServiceNetworkEntry",
    doc: "A network a service joins, with settings or `null` for none.",
    members: &[member("Settings", TypeRef::Named(&COMPOSE_SERVICE_NETWORK)), member("Default", TypeRef::Null)],
};

pub static COMPOSE_SERVICE_NETWORKS: UnionDecl = UnionDecl {
    name: "ComposeServiceNetworks",
    doc: "Networks a service joins, as names or with settings each.",
    members: &[member("List", STRINGS), member("Map", TypeRef::Map(&TypeRef::Union(&COMPOSE_SERVICE_NETWORK_ENTRY)))],
};

pub static COMPOSE_DEPLOY: TypeDecl = TypeDecl {
    name: "ComposeDeploy",
    doc: "Deployment settings of a service.",
    fields: &[opt("replicas", TypeRef::Number, "Number of containers to run.")],
};

pub static COMPOSE_SERVICE: TypeDecl = TypeDecl {
    name: "ComposeService",
    doc: "A service of a compose file, in the Compose Specification's own keys.",
    fields: &[
        opt("image", TypeRef::String, "Image reference."),
        opt("command", TypeRef::Union(&COMPOSE_COMMAND), "Command and arguments, replacing the image's own."),
        opt("entrypoint", TypeRef::Union(&COMPOSE_COMMAND), "Entrypoint, replacing the image's own."),
        opt("environment", TypeRef::Union(&COMPOSE_ENVIRONMENT), "Environment variables."),
        opt("ports", TypeRef::Array(&TypeRef::Union(&COMPOSE_PORT)), "Published ports."),
        opt("volumes", TypeRef::Array(&TypeRef::Union(&COMPOSE_VOLUME_MOUNT)), "Mounts."),
        opt("depends_on", TypeRef::Union(&COMPOSE_DEPENDS_ON), "Services that must start first."),
        opt("healthcheck", TypeRef::Named(&COMPOSE_HEALTHCHECK), "Health check of the service's containers."),
        opt("networks", TypeRef::Union(&COMPOSE_SERVICE_NETWORKS), "Networks to join; `default` when omitted."),
        opt("labels", TypeRef::Union(&COMPOSE_LABELS), "Labels to set on the containers."),
        opt("restart", TypeRef::String, "Restart policy: `no`, `always`, `on-failure[:max]` or `unless-stopped`."),
        opt("container_name", TypeRef::String, "Fixed container name; allows one container only."),
        opt("working_dir", TypeRef::String, "Working directory inside the container."),
        opt("user", TypeRef::String, "User to run as, `name` or `uid[:gid]`."),
        opt("scale", TypeRef::Number, "Number of containers to run."),
        opt("deploy", TypeRef::Named(&COMPOSE_DEPLOY), "Deployment settings."),
    ],
};

pub static COMPOSE_NETWORK: TypeDecl = TypeDecl {
    name: "ComposeNetwork",
    doc: "A network of the stack.",
    fields: &[
        opt("name", TypeRef::String, "Name on the runtime; `<project>_<key>` when omitted."),
        opt("driver", TypeRef::String, "Network driver."),
        opt("driver_opts", STRING_MAP, "Options of the driver."),
        opt("external", TypeRef::Boolean, "The network exists already and is not created or removed."),
        opt("internal", TypeRef::Boolean, "No access to outside networks."),
        opt("labels", TypeRef::Union(&COMPOSE_LABELS), "Labels to set on the network."),
    ],
};

pub static COMPOSE_NETWORK_ENTRY: UnionDecl = UnionDecl {
    name: "ComposeNetworkEntry",
    doc: "A network of the stack, with settings or `null` for the defaults.",
    members: &[member("Settings", TypeRef::Named(&COMPOSE_NETWORK)), member("Default", TypeRef::Null)],
};

pub static COMPOSE_VOLUME: TypeDecl = TypeDecl {
    name: "ComposeVolume",
    doc: "A named volume of the stack.",
    fields: &[
        opt("name", TypeRef::String, "Name on the runtime; `<project>_<key>` when omitted."),
        opt("driver", TypeRef::String, "Volume driver."),
        opt("driver_opts", STRING_MAP, "Options of the driver."),
        opt("external", TypeRef::Boolean, "The volume exists already and is not created or removed."),
        opt("labels", TypeRef::Union(&COMPOSE_LABELS), "Labels to set on the volume."),
    ],
};

pub static COMPOSE_VOLUME_ENTRY: UnionDecl = UnionDecl {
    name: "ComposeVolumeEntry",
    doc: "A named volume of the stack, with settings or `null` for the defaults.",
    members: &[member("Settings", TypeRef::Named(&COMPOSE_VOLUME)), member("Default", TypeRef::Null)],
};

pub static COMPOSE_SPEC: TypeDecl = TypeDecl {
    name: "ComposeSpec",
    doc: "A compose file as an object.",
    fields: &[
        opt("name", TypeRef::String, "Project name; COMPOSE_PROJECT_NAME, then `perry-` and a digest of the spec, when omitted."),
        field("services", TypeRef::Map(&TypeRef::Named(&COMPOSE_SERVICE)), "Services by name."),
        opt("networks", TypeRef::Map(&TypeRef::Union(&COMPOSE_NETWORK_ENTRY)), "Networks by name."),
        opt("volumes", TypeRef::Map(&TypeRef::Union(&COMPOSE_VOLUME_ENTRY)), "Named volumes by name."),
    ],
};

pub static UP_OPTIONS: TypeDecl = TypeDecl {
    name: "UpOptions",
    doc: "How to bring a stack up.",
    fields: &[
        opt("services", STRINGS, "Services to start with their dependencies; all when omitted."),
        opt("wait", TypeRef::Boolean, "Wait until every service is running or healthy."),
        opt("removeOrphans", TypeRef::Boolean, "Remove containers of services no longer declared."),
    ],
};

pub static SERVICES_OPTIONS: TypeDecl = TypeDecl {
    name: "ServicesOptions",
    doc: "Which services of a stack an operation applies to.",
    fields: &[
        opt("services", STRINGS, "Services to act on; all when omitted."),
        opt("timeout", TypeRef::Number, "Seconds to wait for a stop before killing."),
    ],
};

pub static RUNTIME_SPEC: TypeDecl = TypeDecl {
    name: "RuntimeSpec",
    doc: "The container runtime a workload node runs on.",
    fields: &[
        opt("kind", TypeRef::Literal(RUNTIME_KINDS), "Kind of runtime, `auto` when omitted: the machine's OCI runtime, or a microvm runtime for an `untrusted` node when one is installed."),
        opt("backend", TypeRef::String, "Backend name; the detected backend when omitted. Any other name is rejected, because a graph runs on one backend."),
        opt("isolation", TypeRef::Literal(ISOLATION_LEVELS), "Minimum isolation the backend must provide; checked when the graph runs."),
    ],
};

pub static POLICY: TypeDecl = TypeDecl {
    name: "Policy",
    doc: "Security policy of a workload node.",
    fields: &[
        field("tier", TypeRef::Literal(POLICY_TIERS), "Policy tier."),
        opt("network", TypeRef::Boolean, "Whether the node has a network; `isolated` and `untrusted` have none, the other tiers always have one. Follows the tier when omitted."),
        opt("privileged", TypeRef::Boolean, "Run the container privileged, false when omitted; `hardened` and `untrusted` forbid it."),
    ],
};

pub static NODE_REFERENCE: TypeDecl = TypeDecl {
    name: "NodeReference",
    doc: "The address of another node, which fills an environment variable once that node is ready.",
    fields: &[
        field("kind", TypeRef::Literal(REFERENCE_KINDS), "`endpoint` is `host:port`, `ip` the node's address, `internalUrl` `http://host:port`."),
        field("node", TypeRef::String, "Node whose address to use; it becomes a dependency."),
        opt("port", TypeRef::String, "Name of a port the node declares; required for `endpoint` and `internalUrl`."),
    ],
};

pub static HEALTHCHECK: TypeDecl = TypeDecl {
    name: "Healthcheck",
    doc: "A command that tells whether a node is ready; dependents wait for it.",
    fields: &[
        field("test", STRINGS, "Command and arguments run inside the container; exit code 0 means healthy."),
        opt("intervalMs", TypeRef::Number, "Milliseconds between checks, 500 when omitted."),
        opt("retries", TypeRef::Number, "Checks after the first before the node fails, 20 when omitted."),
    ],
};

pub static RESOURCES: TypeDecl = TypeDecl {
    name: "Resources",
    doc: "Resource limits of a workload node.",
    fields: &[
        opt("memory", TypeRef::String, "Memory limit in the runtime's units, such as `64m`."),
        opt("cpus", TypeRef::String, "CPU limit, such as `0.5`."),
    ],
};

pub static NODE_SPEC: TypeDecl = TypeDecl {
    name: "NodeSpec",
    doc: "What a workload node runs.",
    fields: &[
        field("image", TypeRef::String, "Image reference."),
        opt("command", STRINGS, "Command and arguments."),
        opt("env", STRING_MAP, "Environment variables."),
        opt("ports", TypeRef::Map(&TypeRef::Number), "Container ports by name, which references of other nodes use; nothing is published on the host."),
        opt("dependsOn", STRINGS, "Nodes that must be ready first, besides the targets of `references`."),
        opt("references", TypeRef::Map(&TypeRef::Named(&NODE_REFERENCE)), "Addresses of other nodes by the environment variable they fill."),
        opt("volumes", STRINGS, "Mounts in `volume:/path` or `/host/path:/path` form; a named volume belongs to the graph's project."),
        opt("healthcheck", TypeRef::Named(&HEALTHCHECK), "Readiness check; the node is ready once started when omitted."),
        opt("resources", TypeRef::Named(&RESOURCES), "Resource limits."),
        opt("exclusive", TypeRef::Boolean, "Never start at the same time as another node under `parallelSafe`, false when omitted."),
        opt("policy", TypeRef::Named(&POLICY), "Security policy, tier `default` when omitted."),
        opt("runtime", TypeRef::Named(&RUNTIME_SPEC), "Runtime to run on, `auto` when omitted."),
    ],
};

pub static WORKLOAD_NODE: TypeDecl = TypeDecl {
    name: "WorkloadNode",
    doc: "A node of a workload graph, built by `node`.",
    fields: &[
        field("name", TypeRef::String, "Node name, unique in its graph."),
        field("spec", TypeRef::Named(&NODE_SPEC), "What the node runs."),
    ],
};

pub static GRAPH_OPTIONS: TypeDecl = TypeDecl {
    name: "GraphOptions",
    doc: "How a workload graph starts its nodes and reacts to a failed one.",
    fields: &[
        opt("onFailure", TypeRef::Literal(FAILURE_MODES), "Failure strategy, `rollbackAll` when omitted."),
        opt("execution", TypeRef::Literal(EXECUTION_STRATEGIES), "Execution strategy, `dependencyAware` when omitted."),
        opt("maxParallel", TypeRef::Number, "Bound of `maxParallel`: nodes starting at once, a whole number from 1 to 1024. Given alone, it selects `maxParallel`."),
    ],
};

pub static WORKLOAD_GRAPH: TypeDecl = TypeDecl {
    name: "WorkloadGraph",
    doc: "A workload graph, built by `graph`.",
    fields: &[
        field("name", TypeRef::String, "Graph name, used as the project name."),
        field("nodes", TypeRef::Array(&TypeRef::Named(&WORKLOAD_NODE)), "Nodes of the graph."),
        opt("onFailure", TypeRef::Literal(FAILURE_MODES), "Failure strategy, `rollbackAll` when omitted."),
        opt("execution", TypeRef::Literal(EXECUTION_STRATEGIES), "Execution strategy, `dependencyAware` when omitted."),
        opt("maxParallel", TypeRef::Number, "Bound of `maxParallel`, from 1 to 1024. Given alone, it selects `maxParallel`."),
    ],
};

pub static RUN_OPTIONS: TypeDecl = TypeDecl {
    name: "RunOptions",
    doc: "How to run a workload graph; each field overrides the graph's own.",
    fields: &[
        opt("project", TypeRef::String, "Project name that labels the graph's containers, the graph's name when omitted."),
        opt("execution", TypeRef::Literal(EXECUTION_STRATEGIES), "Execution strategy, the graph's when omitted."),
        opt("maxParallel", TypeRef::Number, "Bound of `maxParallel`, from 1 to 1024. Given alone, it selects `maxParallel`."),
        opt("onFailure", TypeRef::Literal(FAILURE_MODES), "Failure strategy, the graph's when omitted."),
        opt("stopTimeout", TypeRef::Number, "Seconds that a rollback and `down` wait for a node to stop before killing it, 10 when omitted."),
    ],
};

pub static NODE_PLAN: TypeDecl = TypeDecl {
    name: "NodePlan",
    doc: "How a node would run.",
    fields: &[
        field("tier", TypeRef::Literal(POLICY_TIERS), "Policy tier."),
        field("runtime", TypeRef::Literal(RUNTIME_KINDS), "Kind of runtime."),
        field("dependencies", STRINGS, "Nodes it waits for, sorted: `dependsOn` and the targets of its references."),
        field("options", STRINGS, "Run options that its tier and resources need from the runtime, such as `no network`."),
    ],
};

pub static GRAPH_PLAN: TypeDecl = TypeDecl {
    name: "GraphPlan",
    doc: "A validated graph, the order its nodes would start in and how each would run.",
    fields: &[
        field("name", TypeRef::String, "Graph name."),
        field("order", STRINGS, "Node names in start order: each after its dependencies, ties broken by name."),
        field("execution", TypeRef::Literal(EXECUTION_STRATEGIES), "Execution strategy."),
        opt("maxParallel", TypeRef::Number, "Bound of `maxParallel`."),
        field("onFailure", TypeRef::Literal(FAILURE_MODES), "Failure strategy."),
        field("nodes", TypeRef::Map(&TypeRef::Named(&NODE_PLAN)), "Each node's plan by name."),
    ],
};

pub static NODE_STATUS: TypeDecl = TypeDecl {
    name: "NodeStatus",
    doc: "State of one node of a running graph.",
    fields: &[
        field("state", TypeRef::Literal(NODE_STATES), "Where the node is in its life; `pending` when it has no container."),
        opt("exitCode", TypeRef::Number, "Exit code, when the state is `exited`."),
        opt("reason", TypeRef::String, "Why, when the state is `failed`."),
        opt("container", TypeRef::String, "Name of the node's container."),
        opt("note", TypeRef::String, "A remark such as a permission to run `untrusted` on a shared kernel."),
    ],
};

pub static GRAPH_STATUS: TypeDecl = TypeDecl {
    name: "GraphStatus",
    doc: "State of a running graph.",
    fields: &[
        field("state", TypeRef::Literal(&["starting", "running", "failed", "stopped"]), "State of the whole graph: `failed` when a node failed or exited with a non-zero code, `stopped` when no node has a container, `starting` while a node is pending or starting."),
        field("nodes", TypeRef::Map(&TypeRef::Named(&NODE_STATUS)), "State of each node by name."),
    ],
};
