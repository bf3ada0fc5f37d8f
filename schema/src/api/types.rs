//! The structured types that cross the ABI as JSON: option objects, specs
//! and results.

use super::build::{field, optional_field as opt};
use super::model::{TypeDecl, TypeRef};

const STRINGS: TypeRef = TypeRef::Array(&TypeRef::String);
const STRING_MAP: TypeRef = TypeRef::Map(&TypeRef::String);

pub const ISOLATION_LEVELS: &[&str] = &["sharedKernel", "sharedVm", "vmPerContainer"];
pub const POLICY_TIERS: &[&str] = &["default", "isolated", "hardened", "untrusted"];
pub const FAILURE_MODES: &[&str] = &["rollbackAll", "haltGraph", "partialContinue"];

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

pub static COMPOSE_SERVICE: TypeDecl = TypeDecl {
    name: "ComposeService",
    doc: "A service of a compose file, in the Compose Specification's own keys.",
    fields: &[
        opt("image", TypeRef::String, "Image reference."),
        opt("command", STRINGS, "Command and arguments."),
        opt("environment", STRING_MAP, "Environment variables."),
        opt("ports", STRINGS, "Published ports in `host:container` form."),
        opt("depends_on", STRINGS, "Services that must start first."),
        opt("container_name", TypeRef::String, "Fixed container name."),
    ],
};

pub static COMPOSE_SPEC: TypeDecl = TypeDecl {
    name: "ComposeSpec",
    doc: "A compose file as an object.",
    fields: &[
        opt("name", TypeRef::String, "Project name; COMPOSE_PROJECT_NAME, then `perry-` and a digest of the spec, when omitted."),
        field("services", TypeRef::Map(&TypeRef::Named(&COMPOSE_SERVICE)), "Services by name."),
        opt("networks", TypeRef::Map(&TypeRef::Unknown), "Networks by name."),
        opt("volumes", TypeRef::Map(&TypeRef::Unknown), "Volumes by name."),
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
        opt("backend", TypeRef::String, "Backend name; the detected backend when omitted."),
        opt("isolation", TypeRef::Literal(ISOLATION_LEVELS), "Minimum isolation the backend must provide."),
    ],
};

pub static POLICY: TypeDecl = TypeDecl {
    name: "Policy",
    doc: "Security policy of a workload node.",
    fields: &[
        field("tier", TypeRef::Literal(POLICY_TIERS), "Policy tier."),
        opt("network", TypeRef::Boolean, "Allow network access; `isolated` and `untrusted` forbid it."),
    ],
};

pub static NODE_SPEC: TypeDecl = TypeDecl {
    name: "NodeSpec",
    doc: "What a workload node runs.",
    fields: &[
        field("image", TypeRef::String, "Image reference."),
        opt("command", STRINGS, "Command and arguments."),
        opt("env", STRING_MAP, "Environment variables."),
        opt("ports", TypeRef::Array(&TypeRef::Named(&PORT_MAPPING)), "Ports to publish."),
        opt("dependsOn", STRINGS, "Nodes that must start first."),
        opt("policy", TypeRef::Named(&POLICY), "Security policy, tier `default` when omitted."),
        opt("runtime", TypeRef::Named(&RUNTIME_SPEC), "Runtime to run on."),
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
    doc: "How a workload graph reacts to a failed node.",
    fields: &[opt("onFailure", TypeRef::Literal(FAILURE_MODES), "Failure mode, `rollbackAll` when omitted.")],
};

pub static WORKLOAD_GRAPH: TypeDecl = TypeDecl {
    name: "WorkloadGraph",
    doc: "A workload graph, built by `graph`.",
    fields: &[
        field("name", TypeRef::String, "Graph name, used as the project name."),
        field("nodes", TypeRef::Array(&TypeRef::Named(&WORKLOAD_NODE)), "Nodes of the graph."),
        opt("onFailure", TypeRef::Literal(FAILURE_MODES), "Failure mode."),
    ],
};

pub static RUN_OPTIONS: TypeDecl = TypeDecl {
    name: "RunOptions",
    doc: "How to run a workload graph.",
    fields: &[opt("concurrency", TypeRef::Number, "Maximum number of nodes starting at once.")],
};

pub static GRAPH_PLAN: TypeDecl = TypeDecl {
    name: "GraphPlan",
    doc: "A validated graph and the order its nodes would start in.",
    fields: &[
        field("name", TypeRef::String, "Graph name."),
        field("order", STRINGS, "Node names in start order."),
    ],
};

pub static GRAPH_STATUS: TypeDecl = TypeDecl {
    name: "GraphStatus",
    doc: "State of a running graph.",
    fields: &[
        field("state", TypeRef::Literal(&["starting", "running", "failed", "stopped"]), "State of the whole graph."),
        field("nodes", STRING_MAP, "State of each node by name."),
    ],
};
