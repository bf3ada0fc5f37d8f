//! Codes and message texts of the workload graph rules.
//!
//! They sit beside the compose table in the same style: lower case, no
//! trailing period, the fix in the help line. Every message names the nodes.

pub mod code {
    pub const DEPENDENCY_CYCLE: &str = "workload-dependency-cycle";
    pub const UNKNOWN_NODE: &str = "workload-unknown-node";
    pub const UNKNOWN_PORT: &str = "workload-unknown-port";
    pub const TIER_CONFLICT: &str = "workload-tier-conflict";
    pub const UNTRUSTED_RUNTIME: &str = "workload-untrusted-runtime";
    pub const INVALID: &str = "workload-invalid";
}

pub fn dependency_cycle(path: &str) -> String {
    format!("workload dependency cycle: {path}")
}

pub const DEPENDENCY_CYCLE_HELP: &str = "remove one dependency or reference of the cycle";

pub fn unknown_node(node: &str, target: &str) -> String {
    format!("node `{node}` refers to `{target}`, which is not a node of the graph")
}

pub fn defined_nodes_help(names: &[&str]) -> String {
    if names.is_empty() { "the graph has no nodes".to_owned() } else { format!("nodes of the graph: {}", names.join(", ")) }
}

pub fn unknown_port(node: &str, target: &str, port: &str) -> String {
    format!("node `{node}` references port `{port}` of `{target}`, which `{target}` does not declare")
}

pub fn declared_ports_help(target: &str, names: &[&str]) -> String {
    if names.is_empty() { format!("`{target}` declares no ports") } else { format!("`{target}` declares: {}", names.join(", ")) }
}

pub fn missing_port(node: &str, target: &str, kind: &str) -> String {
    format!("node `{node}` references the {kind} of `{target}` without naming a port")
}

pub fn hardened_privileged(node: &str, tier: &str) -> String {
    format!("node `{node}` has tier `{tier}` and the option `privileged`, which the tier forbids")
}

pub const PRIVILEGED_HELP: &str = "remove `privileged`, or lower the tier to `default`";

pub fn tier_exposes_ports(node: &str, tier: &str, ports: &str) -> String {
    format!("node `{node}` has tier `{tier}`, which has no network, but exposes ports {ports}")
}

pub fn tier_references(node: &str, tier: &str, target: &str) -> String {
    format!("node `{node}` has tier `{tier}`, which has no network, but references `{target}` over the network")
}

pub fn no_network_help(tier: &str) -> String {
    format!("a node with tier `{tier}` has no network: remove its ports and references, or use the tier `default` or `hardened`")
}

pub fn untrusted_runtime(node: &str, runtime: &str) -> String {
    format!("node `{node}` has tier `untrusted`, but the runtime `{runtime}` cannot give it a VM of its own")
}

pub const UNTRUSTED_RUNTIME_HELP: &str = "use the runtime `microvm`, or `auto` to pick one at run time";

pub fn unknown_value(path: &str, value: &str, allowed: &[&str]) -> String {
    format!("invalid value `{value}` for `{path}`: expected one of {}", allowed.join(", "))
}

pub fn not_a(path: &str, expected: &str, found: &str) -> String {
    format!("`{path}` must be {expected}, found {found}")
}

/// Describes a value for [`not_a`]: a number as written, another scalar
/// with its kind, and a sequence or mapping by its kind alone.
pub fn found(node: &crate::yaml::Node) -> String {
    use crate::yaml::Value;
    match (&node.value, node.scalar_text()) {
        (Value::Int(_) | Value::Float(_), Some(text)) => format!("`{text}`"),
        (Value::Null | Value::Sequence(_) | Value::Mapping(_), _) | (_, None) => node.kind().to_owned(),
        (_, Some(text)) => format!("{} `{text}`", node.kind()),
    }
}

pub const EMPTY_GRAPH: &str = "empty workload graph file";
pub const EMPTY_GRAPH_HELP: &str = "write a `name:` and a `nodes:` mapping with at least one node, such as `nodes: {web: {image: nginx}}`";

pub fn target_without_network(node: &str, target: &str, tier: &str) -> String {
    format!("node `{node}` references `{target}`, which has tier `{tier}` and so no network address")
}

pub fn invalid_variable_name(node: &str, variable: &str) -> String {
    format!("node `{node}` fills the environment variable {variable:?}, which is not a valid variable name")
}

pub const INVALID_VARIABLE_NAME_HELP: &str = "a variable name is letters, digits and `_`, and does not start with a digit";

pub fn invalid_name(what: &str, name: &str) -> String {
    format!("invalid {what} name `{name}`: expected a letter or digit followed by letters, digits, `_`, `.` or `-`")
}

pub fn target_without_network_help(target: &str) -> String {
    format!("remove the reference, or give `{target}` the tier `default` or `hardened`")
}
