//! The rules that make a workload graph runnable.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::messages::{self as text, code};
use super::model::{Graph, ReferenceKind, Tier};
use crate::diag::{Diagnostic, Diagnostics};

/// Checks every rule and returns every error, sorted by position and then
/// by node. `file` names the source in the diagnostics.
pub fn validate(graph: &Graph, file: &Path) -> Diagnostics {
    let mut errors = Diagnostics::default();
    let names: Vec<&str> = graph.nodes.keys().map(String::as_str).collect();

    if !valid_name(&graph.name) {
        errors.push(Diagnostic::error(code::INVALID, text::invalid_name("graph", &graph.name), file, Default::default()).with_path("name"));
    }
    for (name, node) in &graph.nodes {
        if !valid_name(name) {
            errors.push(Diagnostic::error(code::INVALID, text::invalid_name("node", name), file, node.span).with_path(format!("nodes.{name}")));
        }
        for (position, dependency) in node.depends_on.iter().enumerate() {
            if !graph.nodes.contains_key(dependency) {
                let span = node.depends_on_spans.get(position).copied().unwrap_or(node.span);
                errors.push(
                    Diagnostic::error(code::UNKNOWN_NODE, text::unknown_node(name, dependency), file, span)
                        .with_path(format!("nodes.{name}.dependsOn"))
                        .with_help(text::defined_nodes_help(&names)),
                );
            }
        }
        for (variable, reference) in &node.references {
            let path = format!("nodes.{name}.references.{variable}");
            if !valid_variable_name(variable) {
                errors.push(
                    Diagnostic::error(code::INVALID, text::invalid_variable_name(name, variable), file, reference.name_span)
                        .with_path(path.clone())
                        .with_help(text::INVALID_VARIABLE_NAME_HELP),
                );
            }
            let Some(target) = graph.nodes.get(&reference.node) else {
                errors.push(
                    Diagnostic::error(code::UNKNOWN_NODE, text::unknown_node(name, &reference.node), file, reference.span)
                        .with_path(path)
                        .with_help(text::defined_nodes_help(&names)),
                );
                continue;
            };
            if target.tier.without_network() {
                errors.push(
                    Diagnostic::error(code::TIER_CONFLICT, text::target_without_network(name, &reference.node, target.tier.as_str()), file, reference.span)
                        .with_path(path.clone())
                        .with_help(text::target_without_network_help(&reference.node)),
                );
            }
            let ports: Vec<&str> = target.ports.keys().map(String::as_str).collect();
            match (&reference.port, reference.kind) {
                (Some(port), _) if !target.ports.contains_key(port) => errors.push(
                    Diagnostic::error(code::UNKNOWN_PORT, text::unknown_port(name, &reference.node, port), file, reference.port_span)
                        .with_path(path)
                        .with_help(text::declared_ports_help(&reference.node, &ports)),
                ),
                (None, kind @ (ReferenceKind::Endpoint | ReferenceKind::InternalUrl)) => errors.push(
                    Diagnostic::error(code::UNKNOWN_PORT, text::missing_port(name, &reference.node, kind.as_str()), file, reference.span)
                        .with_path(path)
                        .with_help(text::declared_ports_help(&reference.node, &ports)),
                ),
                _ => {}
            }
        }

        let tier = node.tier.as_str();
        if node.tier.locked_down() && node.options.privileged {
            errors.push(
                Diagnostic::error(code::TIER_CONFLICT, text::hardened_privileged(name, tier), file, node.span)
                    .with_path(format!("nodes.{name}.options.privileged"))
                    .with_help(text::PRIVILEGED_HELP),
            );
        }
        if node.tier.without_network() {
            if !node.ports.is_empty() {
                let ports: Vec<String> = node.ports.keys().map(|port| format!("`{port}`")).collect();
                errors.push(
                    Diagnostic::error(code::TIER_CONFLICT, text::tier_exposes_ports(name, tier, &ports.join(", ")), file, node.span)
                        .with_path(format!("nodes.{name}.ports"))
                        .with_help(text::no_network_help(tier)),
                );
            }
            for (variable, reference) in &node.references {
                errors.push(
                    Diagnostic::error(code::TIER_CONFLICT, text::tier_references(name, tier, &reference.node), file, reference.span)
                        .with_path(format!("nodes.{name}.references.{variable}"))
                        .with_help(text::no_network_help(tier)),
                );
            }
        }
        if node.tier == Tier::Untrusted && !node.runtime.can_isolate_kernel() {
            errors.push(
                Diagnostic::error(code::UNTRUSTED_RUNTIME, text::untrusted_runtime(name, node.runtime.as_str()), file, node.span)
                    .with_path(format!("nodes.{name}.runtime"))
                    .with_help(text::UNTRUSTED_RUNTIME_HELP),
            );
        }
    }

    if let Err(cycle) = order(graph) {
        let first = graph.nodes.get(&cycle[0]).map(|node| node.span).unwrap_or_default();
        errors.push(
            Diagnostic::error(code::DEPENDENCY_CYCLE, text::dependency_cycle(&cycle.join(" -> ")), file, first)
                .with_path(format!("nodes.{}", cycle[0]))
                .with_help(text::DEPENDENCY_CYCLE_HELP),
        );
    }
    errors.sort();
    errors
}

/// Whether `name` can be part of a container name, as podman and docker
/// accept them.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphanumeric()) && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Returns whether `name` is a valid environment variable name
/// (`[A-Za-z_][A-Za-z0-9_]*`), because a reference's name becomes one in the
/// node's container.
fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The nodes in start order (Kahn's algorithm, ties broken by name), or the
/// path of a cycle that starts and ends at the same node. Dependencies on
/// nodes outside the graph are ignored here; [`validate`] reports them.
pub fn order(graph: &Graph) -> Result<Vec<String>, Vec<String>> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = graph
        .nodes
        .iter()
        .map(|(name, node)| (name.as_str(), node.dependencies().into_iter().filter(|dep| graph.nodes.contains_key(*dep)).collect()))
        .collect();
    let mut ordered = Vec::new();
    loop {
        let ready: Option<&str> = waiting.iter().find(|(_, deps)| deps.is_empty()).map(|(name, _)| *name);
        let Some(ready) = ready else { break };
        waiting.remove(ready);
        for deps in waiting.values_mut() {
            deps.remove(ready);
        }
        ordered.push(ready.to_owned());
    }
    if waiting.is_empty() {
        return Ok(ordered);
    }

    // Every node left waits for another node left, so walking the smallest
    // dependency from the smallest node must revisit a node.
    let mut path: Vec<&str> = vec![waiting.keys().next().copied().unwrap_or_default()];
    loop {
        let current = path[path.len() - 1];
        let Some(next) = waiting.get(current).and_then(|deps| deps.iter().next().copied()) else {
            return Err(path.iter().map(|name| (*name).to_owned()).collect());
        };
        if let Some(start) = path.iter().position(|name| *name == next) {
            let mut cycle: Vec<String> = path[start..].iter().map(|name| (*name).to_owned()).collect();
            cycle.push(next.to_owned());
            return Err(cycle);
        }
        path.push(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::model::{Reference, Runtime, WorkloadNode};

    fn node(image: &str) -> WorkloadNode {
        WorkloadNode { image: image.into(), ..WorkloadNode::default() }
    }

    fn reference(kind: ReferenceKind, target: &str, port: Option<&str>) -> Reference {
        Reference { kind, node: target.into(), port: port.map(Into::into), span: Default::default(), port_span: Default::default(), name_span: Default::default() }
    }

    fn named() -> Graph {
        Graph { name: "g".into(), ..Graph::default() }
    }

    fn codes(graph: &Graph) -> Vec<(&'static str, String)> {
        validate(graph, Path::new("g.yaml")).into_iter().map(|d| (d.code, d.message)).collect()
    }

    #[test]
    fn cycle_is_reported_with_its_path() {
        let mut graph = named();
        let mut a = node("i");
        a.depends_on = vec!["b".into()];
        let mut b = node("i");
        b.ports.insert("http".into(), 80);
        let mut c = node("i");
        c.depends_on = vec!["a".into()];
        b.references.insert("C".into(), reference(ReferenceKind::Ip, "c", None));
        graph.nodes.insert("a".into(), a);
        graph.nodes.insert("b".into(), b);
        graph.nodes.insert("c".into(), c);
        assert_eq!(codes(&graph), vec![(code::DEPENDENCY_CYCLE, "workload dependency cycle: a -> b -> c -> a".to_owned())]);
    }

    #[test]
    fn order_breaks_ties_by_name() {
        let mut graph = named();
        let mut web = node("i");
        web.depends_on = vec!["db".into()];
        graph.nodes.insert("web".into(), web);
        graph.nodes.insert("db".into(), node("i"));
        graph.nodes.insert("batch".into(), node("i"));
        assert_eq!(order(&graph).unwrap(), vec!["batch", "db", "web"]);
    }

    #[test]
    fn tier_rules_name_the_nodes() {
        let mut graph = named();
        let mut db = node("i");
        db.ports.insert("pg".into(), 5432);
        db.tier = Tier::Hardened;
        db.options.privileged = true;
        let mut job = node("i");
        job.tier = Tier::Isolated;
        job.references.insert("DB".into(), reference(ReferenceKind::Endpoint, "db", Some("pg")));
        let mut sandbox = node("i");
        sandbox.tier = Tier::Untrusted;
        sandbox.runtime = Runtime::Oci;
        let mut web = node("i");
        web.references.insert("DB".into(), reference(ReferenceKind::Endpoint, "db", Some("mysql")));
        web.references.insert("CACHE".into(), reference(ReferenceKind::Ip, "cache", None));
        for (name, value) in [("db", db), ("job", job), ("sandbox", sandbox), ("web", web)] {
            graph.nodes.insert(name.into(), value);
        }
        let found = codes(&graph);
        assert!(found.contains(&(code::TIER_CONFLICT, "node `db` has tier `hardened` and the option `privileged`, which the tier forbids".into())), "{found:?}");
        assert!(found.contains(&(code::TIER_CONFLICT, "node `job` has tier `isolated`, which has no network, but references `db` over the network".into())), "{found:?}");
        assert!(found.contains(&(code::UNTRUSTED_RUNTIME, "node `sandbox` has tier `untrusted`, but the runtime `oci` cannot give it a VM of its own".into())), "{found:?}");
        assert!(found.contains(&(code::UNKNOWN_PORT, "node `web` references port `mysql` of `db`, which `db` does not declare".into())), "{found:?}");
        assert!(found.contains(&(code::UNKNOWN_NODE, "node `web` refers to `cache`, which is not a node of the graph".into())), "{found:?}");
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn reference_names_must_be_variables() {
        let mut graph = named();
        let mut db = node("i");
        db.ports.insert("pg".into(), 5432);
        let mut web = node("i");
        for variable in ["", "X=Y", "lower-case", "1ST", "A\nB", "A\"B", "A B", "ÄRGER", "lower_case", "_X1", "DATABASE_ADDR"] {
            web.references.insert(variable.into(), reference(ReferenceKind::Endpoint, "db", Some("pg")));
        }
        graph.nodes.insert("db".into(), db);
        graph.nodes.insert("web".into(), web);
        let rejected: Vec<String> = codes(&graph)
            .into_iter()
            .filter(|(code, _)| *code == code::INVALID)
            .map(|(_, message)| message)
            .collect();
        let expected: Vec<String> = ["", "1ST", "A\nB", "A B", "A\"B", "X=Y", "lower-case", "ÄRGER"]
            .iter()
            .map(|variable| format!("node `web` fills the environment variable {variable:?}, which is not a valid variable name"))
            .collect();
        assert_eq!(rejected, expected);
    }

    #[test]
    fn reference_to_node_without_network() {
        let mut graph = named();
        let mut batch = node("i");
        batch.tier = Tier::Isolated;
        let mut web = node("i");
        web.references.insert("BATCH".into(), reference(ReferenceKind::Ip, "batch", None));
        graph.nodes.insert("batch".into(), batch);
        graph.nodes.insert("web".into(), web);
        let expected = (code::TIER_CONFLICT, "node `web` references `batch`, which has tier `isolated` and so no network address".to_owned());
        assert_eq!(codes(&graph), vec![expected]);
    }

    #[test]
    fn names_must_fit_container_names() {
        let mut graph = Graph { name: "".into(), ..Graph::default() };
        graph.nodes.insert("web server".into(), node("i"));
        let found = codes(&graph);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[1].1.starts_with("invalid node name `web server`"), "{found:?}");
    }
}
