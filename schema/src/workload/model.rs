//! The typed workload graph.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diag::Span;

/// A graph of workload nodes, run as one unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    pub name: String,
    /// Nodes by name.
    pub nodes: BTreeMap<String, WorkloadNode>,
    /// How nodes start; `dependencyAware` when not given.
    #[serde(default)]
    pub execution: Execution,
    /// What a failed node does to the rest; `rollbackAll` when not given.
    #[serde(default)]
    pub failure: FailureStrategy,
}

/// One workload: a container with its runtime and policy tier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadNode {
    pub image: String,
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Container ports by name, which references use.
    #[serde(default)]
    pub ports: BTreeMap<String, u16>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    #[serde(default)]
    pub runtime: Runtime,
    #[serde(default)]
    pub tier: Tier,
    #[serde(default)]
    pub options: NodeOptions,
    /// Nodes that must be ready before this one starts, besides the targets
    /// of its references.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The source span of each `dependsOn` entry, for diagnostics. Empty
    /// when the graph is built in code.
    #[serde(skip)]
    pub depends_on_spans: Vec<Span>,
    #[serde(default)]
    pub resources: Resources,
    /// Named volumes mounted into the node, as `VOLUME:/path`.
    #[serde(default)]
    pub volumes: Vec<String>,
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
    /// Addresses of other nodes, by the environment variable they fill.
    #[serde(default)]
    pub references: BTreeMap<String, Reference>,
    /// Where the node is declared, for diagnostics; zero when built in code.
    #[serde(skip)]
    pub span: Span,
}

/// Where a node runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// The container runtime found on the machine.
    #[default]
    Auto,
    /// An OCI container on a shared kernel.
    Oci,
    /// A container in its own lightweight VM.
    Microvm,
    /// A WebAssembly module.
    Wasm,
}

/// How far a node is fenced off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    #[default]
    Default,
    /// No network.
    Isolated,
    /// Read-only root filesystem, default seccomp, no new privileges, no capabilities.
    Hardened,
    /// Everything of `hardened` and `isolated`, in a VM of its own.
    Untrusted,
}

/// Options that a tier may forbid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeOptions {
    #[serde(default)]
    pub privileged: bool,
    /// Never runs at the same time as another node under `parallelSafe`.
    #[serde(default)]
    pub exclusive: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// A memory limit in the runtime's words, such as `64m`.
    #[serde(default)]
    pub memory: Option<String>,
    /// A CPU limit such as `0.5`.
    #[serde(default)]
    pub cpus: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healthcheck {
    /// argv run inside the container; exit 0 means healthy.
    pub test: Vec<String>,
    #[serde(default = "default_interval")]
    pub interval_ms: u64,
    #[serde(default = "default_retries")]
    pub retries: u32,
}

fn default_interval() -> u64 {
    500
}

fn default_retries() -> u32 {
    20
}

/// The address of another node that fills an environment variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub node: String,
    /// A port name that the target declares; `ip` needs none.
    #[serde(default)]
    pub port: Option<String>,
    /// Where the target node is named, for diagnostics.
    #[serde(skip)]
    pub span: Span,
    /// Where the port is named; the target's span when no port is given.
    #[serde(skip)]
    pub port_span: Span,
    /// The position of the key in `references`, which names the environment variable.
    #[serde(skip)]
    pub name_span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReferenceKind {
    /// `host:port`
    Endpoint,
    /// The node's address.
    Ip,
    /// `http://host:port`
    InternalUrl,
}

/// In which order and how many nodes start at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Execution {
    /// One node at a time, in dependency order.
    Sequential,
    /// Each node as soon as its dependencies are ready.
    #[default]
    DependencyAware,
    /// As `dependencyAware`, with at most this many nodes starting at once.
    MaxParallel(usize),
    /// As `dependencyAware`, but nodes that share a volume or are exclusive
    /// never run at the same time.
    ParallelSafe,
}

/// What happens when a node fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureStrategy {
    /// Remove every container of this run, in reverse order.
    #[default]
    RollbackAll,
    /// Start nothing more and leave what runs.
    HaltGraph,
    /// Skip the dependents of the failed node, finish the others.
    PartialContinue,
}

impl Runtime {
    pub const NAMES: &[&str] = &["auto", "oci", "microvm", "wasm"];

    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Auto => "auto",
            Runtime::Oci => "oci",
            Runtime::Microvm => "microvm",
            Runtime::Wasm => "wasm",
        }
    }

    pub fn parse(text: &str) -> Option<Runtime> {
        [Runtime::Auto, Runtime::Oci, Runtime::Microvm, Runtime::Wasm].into_iter().find(|runtime| runtime.as_str() == text)
    }

    /// Whether the runtime can give a node a VM of its own; `auto` decides
    /// when the graph runs.
    pub fn can_isolate_kernel(self) -> bool {
        matches!(self, Runtime::Auto | Runtime::Microvm)
    }
}

impl Tier {
    pub const NAMES: &[&str] = &["default", "isolated", "hardened", "untrusted"];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Default => "default",
            Tier::Isolated => "isolated",
            Tier::Hardened => "hardened",
            Tier::Untrusted => "untrusted",
        }
    }

    pub fn parse(text: &str) -> Option<Tier> {
        [Tier::Default, Tier::Isolated, Tier::Hardened, Tier::Untrusted].into_iter().find(|tier| tier.as_str() == text)
    }

    /// Whether the node has no network at all.
    pub fn without_network(self) -> bool {
        matches!(self, Tier::Isolated | Tier::Untrusted)
    }

    /// Whether the node runs read-only, without capabilities or new privileges.
    pub fn locked_down(self) -> bool {
        matches!(self, Tier::Hardened | Tier::Untrusted)
    }
}

impl ReferenceKind {
    pub const NAMES: &[&str] = &["endpoint", "ip", "internalUrl"];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceKind::Endpoint => "endpoint",
            ReferenceKind::Ip => "ip",
            ReferenceKind::InternalUrl => "internalUrl",
        }
    }

    pub fn parse(text: &str) -> Option<ReferenceKind> {
        [ReferenceKind::Endpoint, ReferenceKind::Ip, ReferenceKind::InternalUrl].into_iter().find(|kind| kind.as_str() == text)
    }

    /// Formats the address of a node reached at `host` and `port`.
    pub fn format(self, host: &str, port: Option<u16>) -> String {
        match (self, port) {
            (ReferenceKind::Ip, _) | (_, None) => host.to_owned(),
            (ReferenceKind::Endpoint, Some(port)) => format!("{host}:{port}"),
            (ReferenceKind::InternalUrl, Some(port)) => format!("http://{host}:{port}"),
        }
    }
}

impl fmt::Display for Execution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Execution::Sequential => f.write_str("sequential"),
            Execution::DependencyAware => f.write_str("dependencyAware"),
            Execution::MaxParallel(bound) => write!(f, "maxParallel({bound})"),
            Execution::ParallelSafe => f.write_str("parallelSafe"),
        }
    }
}

impl fmt::Display for FailureStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureStrategy::RollbackAll => "rollbackAll",
            FailureStrategy::HaltGraph => "haltGraph",
            FailureStrategy::PartialContinue => "partialContinue",
        })
    }
}

impl WorkloadNode {
    /// Every node this one waits for: its `dependsOn` and the targets of its
    /// references, sorted and without repeats.
    pub fn dependencies(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.depends_on.iter().map(String::as_str).chain(self.references.values().map(|reference| reference.node.as_str())).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The names of the named volumes this node mounts.
    pub fn volume_names(&self) -> Vec<&str> {
        self.volumes.iter().filter_map(|mount| mount.split_once(':').map(|(name, _)| name)).filter(|name| !name.starts_with('/') && !name.starts_with('.')).collect()
    }
}
