//! Maps the `perry/workloads` values onto the workload model, checks them
//! with the YAML loader's rules, and maps the engine's plan and node states
//! back.
//!
//! Errors name the value by its path in the graph object the caller passed
//! (`nodes[1].spec.policy.tier`), and every error of a graph is reported at
//! once.

use std::collections::BTreeMap;
use std::path::Path;

use perry_stack_schema::api::types::{EXECUTION_STRATEGIES, FAILURE_MODES, ISOLATION_LEVELS, POLICY_TIERS, REFERENCE_KINDS, RUNTIME_KINDS};
use perry_stack_schema::workload::{self as model, Execution, FailureStrategy, ReferenceKind, Runtime, Tier};

use super::failed;
use crate::ffi::bridge::ApiError;
use crate::ffi::generated::*;
use crate::workload::{required_options, NodeState};

/// A graph in the model, with the runtime requests that only the selected
/// backend can check.
#[derive(Debug)]
pub(super) struct Converted {
    pub graph: model::Graph,
    /// `(path, backend name, minimum isolation)` of each node that names either.
    pub runtimes: Vec<(String, Option<String>, Option<String>)>,
}

/// Collects the errors of one graph as `path: message` lines.
#[derive(Default)]
struct Errors(Vec<String>);

impl Errors {
    fn push(&mut self, path: &str, message: impl std::fmt::Display) {
        self.0.push(format!("{path}: {message}"));
    }

    fn choice<T>(&mut self, path: &str, value: &str, allowed: &[&str], parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            let expected = allowed.iter().map(|value| format!("\"{value}\"")).collect::<Vec<_>>().join(" | ");
            self.push(path, format!("expected {expected}, received \"{value}\""));
        }
        parsed
    }

    fn whole(&mut self, path: &str, value: f64, min: f64, max: f64) -> Option<u64> {
        if value.fract() == 0.0 && (min..=max).contains(&value) {
            return Some(value as u64);
        }
        self.push(path, format!("expected a whole number from {min} to {max}, received {value}"));
        None
    }

    /// Fails with every error collected, under a heading that names `what`
    /// was invalid: the graph or the options.
    fn finish(self, function: &'static str, what: &str) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(failed(function, format!("invalid {what}:\n  {}", self.0.join("\n  "))))
    }
}

fn execution_of(errors: &mut Errors, path: &str, execution: Option<&str>, bound: Option<f64>) -> Option<Execution> {
    let parse = |text: &str| match text {
        "sequential" => Some(Execution::Sequential),
        "dependencyAware" => Some(Execution::DependencyAware),
        "maxParallel" => Some(Execution::MaxParallel(0)),
        "parallelSafe" => Some(Execution::ParallelSafe),
        _ => None,
    };
    let execution = match execution {
        Some(text) => errors.choice(&format!("{path}execution"), text, EXECUTION_STRATEGIES, parse)?,
        None if bound.is_some() => Execution::MaxParallel(0),
        None => return None,
    };
    let bound_path = format!("{path}maxParallel");
    match (execution, bound) {
        (Execution::MaxParallel(_), Some(bound)) => errors.whole(&bound_path, bound, 1.0, 1024.0).map(|bound| Execution::MaxParallel(bound as usize)),
        (Execution::MaxParallel(_), None) => {
            errors.push(&bound_path, "is missing: execution \"maxParallel\" needs a bound");
            None
        }
        (other, Some(_)) => {
            errors.push(&bound_path, format!("applies only to execution \"maxParallel\", not \"{other}\""));
            None
        }
        (other, None) => Some(other),
    }
}

/// Reads the execution and failure strategies of `graph` or `options`
/// objects; `path` is the prefix of their fields, such as `options.`.
pub(super) fn strategies(function: &'static str, path: &str, execution: Option<&str>, bound: Option<f64>, failure: Option<&str>) -> Result<(Option<Execution>, Option<FailureStrategy>), ApiError> {
    let mut errors = Errors::default();
    let strategies = read_strategies(&mut errors, path, execution, bound, failure);
    errors.finish(function, if path.is_empty() { "graph" } else { "options" })?;
    Ok(strategies)
}

fn read_strategies(errors: &mut Errors, path: &str, execution: Option<&str>, bound: Option<f64>, failure: Option<&str>) -> (Option<Execution>, Option<FailureStrategy>) {
    let execution = execution_of(errors, path, execution, bound);
    let parse = |text: &str| match text {
        "rollbackAll" => Some(FailureStrategy::RollbackAll),
        "haltGraph" => Some(FailureStrategy::HaltGraph),
        "partialContinue" => Some(FailureStrategy::PartialContinue),
        _ => None,
    };
    let failure = failure.and_then(|mode| errors.choice(&format!("{path}onFailure"), mode, FAILURE_MODES, parse));
    (execution, failure)
}

fn node(errors: &mut Errors, path: &str, spec: &NodeSpec) -> model::WorkloadNode {
    let mut node = model::WorkloadNode {
        image: spec.image.clone(),
        command: spec.command.clone(),
        environment: spec.env.clone().unwrap_or_default(),
        depends_on: spec.depends_on.clone().unwrap_or_default(),
        volumes: spec.volumes.clone().unwrap_or_default(),
        ..model::WorkloadNode::default()
    };
    node.options.exclusive = spec.exclusive.unwrap_or(false);

    // The engine mounts `NAME:/path` as a project volume and `/host:/path`
    // as a bind mount; anything else would be skipped or misread.
    for (index, mount) in node.volumes.iter().enumerate() {
        let valid = mount.split_once(':').is_some_and(|(source, target)| !source.is_empty() && !source.starts_with('.') && target.starts_with('/'));
        if !valid {
            errors.push(&format!("{path}.volumes[{index}]"), format!("expected `volume:/path` or `/host/path:/path`, received \"{mount}\""));
        }
    }

    for (name, port) in spec.ports.iter().flatten() {
        if let Some(port) = errors.whole(&format!("{path}.ports.{name}"), *port, 1.0, 65535.0) {
            node.ports.insert(name.clone(), port as u16);
        }
    }

    for (variable, reference) in spec.references.iter().flatten() {
        let kind_path = format!("{path}.references.{variable}.kind");
        if let Some(kind) = errors.choice(&kind_path, &reference.kind, REFERENCE_KINDS, ReferenceKind::parse) {
            let reference = model::Reference { kind, node: reference.node.clone(), port: reference.port.clone(), span: Default::default(), port_span: Default::default(), name_span: Default::default() };
            node.references.insert(variable.clone(), reference);
        }
    }

    if let Some(check) = &spec.healthcheck {
        let mut healthcheck = model::Healthcheck { test: check.test.clone(), interval_ms: 500, retries: 20 };
        if check.test.is_empty() {
            errors.push(&format!("{path}.healthcheck.test"), "is empty: expected a command and its arguments");
        }
        if let Some(interval) = check.interval_ms {
            healthcheck.interval_ms = errors.whole(&format!("{path}.healthcheck.intervalMs"), interval, 1.0, 3_600_000.0).unwrap_or(500);
        }
        if let Some(retries) = check.retries {
            healthcheck.retries = errors.whole(&format!("{path}.healthcheck.retries"), retries, 0.0, 10_000.0).unwrap_or(20) as u32;
        }
        node.healthcheck = Some(healthcheck);
    }

    if let Some(resources) = &spec.resources {
        node.resources = model::Resources { memory: resources.memory.clone(), cpus: resources.cpus.clone() };
    }

    if let Some(policy) = &spec.policy {
        let tier_path = format!("{path}.policy.tier");
        node.tier = errors.choice(&tier_path, &policy.tier, POLICY_TIERS, Tier::parse).unwrap_or_default();
        node.options.privileged = policy.privileged.unwrap_or(false);
        match policy.network {
            Some(true) if node.tier.without_network() => {
                errors.push(&format!("{path}.policy.network"), format!("is true, but tier \"{}\" has no network; remove `network` or use tier \"default\" or \"hardened\"", node.tier.as_str()));
            }
            Some(false) if !node.tier.without_network() => {
                let instead = if node.tier == Tier::Hardened { "untrusted" } else { "isolated" };
                errors.push(&format!("{path}.policy.network"), format!("is false, but tier \"{}\" always has a network; use tier \"{instead}\" for a node without one", node.tier.as_str()));
            }
            _ => {}
        }
    }

    if let Some(runtime) = &spec.runtime {
        if let Some(kind) = &runtime.kind {
            node.runtime = errors.choice(&format!("{path}.runtime.kind"), kind, RUNTIME_KINDS, Runtime::parse).unwrap_or_default();
        }
        if let Some(isolation) = &runtime.isolation {
            errors.choice(&format!("{path}.runtime.isolation"), isolation, ISOLATION_LEVELS, |text| ISOLATION_LEVELS.contains(&text).then_some(()));
        }
    }
    node
}

/// Converts a graph and checks it: first what only the object form can get
/// wrong (literal values, numbers, repeated node names), then every rule of
/// the YAML loader.
pub(super) fn convert(function: &'static str, graph: &WorkloadGraph) -> Result<Converted, ApiError> {
    let mut errors = Errors::default();
    let (execution, failure) = read_strategies(&mut errors, "", graph.execution.as_deref(), graph.max_parallel, graph.on_failure.as_deref());
    let mut model = model::Graph { name: graph.name.clone(), execution: execution.unwrap_or_default(), failure: failure.unwrap_or_default(), ..model::Graph::default() };
    let mut runtimes = Vec::new();
    let mut indices: BTreeMap<String, usize> = BTreeMap::new();

    for (index, entry) in graph.nodes.iter().enumerate() {
        if let Some(first) = indices.get(&entry.name) {
            errors.push(&format!("nodes[{index}].name"), format!("node name \"{}\" is already used by nodes[{first}]", entry.name));
            continue;
        }
        indices.insert(entry.name.clone(), index);
        let path = format!("nodes[{index}].spec");
        let converted = node(&mut errors, &path, &entry.spec);
        if let Some(runtime) = entry.spec.runtime.as_ref().filter(|runtime| runtime.backend.is_some() || runtime.isolation.is_some()) {
            runtimes.push((format!("{path}.runtime"), runtime.backend.clone(), runtime.isolation.clone()));
        }
        model.nodes.insert(entry.name.clone(), converted);
    }
    if graph.nodes.is_empty() {
        errors.push("nodes", "is empty: a graph needs at least one node");
    }
    errors.finish(function, "graph")?;

    // The loader's rules report model paths (`nodes.web.options.privileged`);
    // the caller wrote `nodes[1].spec.policy.privileged`.
    let diagnostics = model::validate(&model, Path::new(function));
    let mut errors = Errors::default();
    for diagnostic in diagnostics.iter() {
        let path = diagnostic.path.as_deref().map(|path| object_path(path, &indices)).unwrap_or_else(|| "graph".to_owned());
        match &diagnostic.help {
            Some(help) => errors.push(&path, format!("{}; {help}", diagnostic.message)),
            None => errors.push(&path, &diagnostic.message),
        }
    }
    errors.finish(function, "graph")?;
    Ok(Converted { graph: model, runtimes })
}

/// Translates a model path into the path of the same value in the graph
/// object.
fn object_path(path: &str, indices: &BTreeMap<String, usize>) -> String {
    let Some(rest) = path.strip_prefix("nodes.") else { return path.to_owned() };
    // Node names may contain dots, so match the longest known name.
    let found = indices.iter().filter(|(name, _)| rest == name.as_str() || rest.starts_with(&format!("{name}."))).max_by_key(|(name, _)| name.len());
    let Some((name, index)) = found else { return path.to_owned() };
    let field = &rest[name.len()..];
    let field = match field {
        "" => return format!("nodes[{index}].name"),
        ".options.privileged" => ".policy.privileged",
        ".options.exclusive" => ".exclusive",
        ".runtime" => ".runtime.kind",
        other => other,
    };
    format!("nodes[{index}].spec{field}")
}

/// Describes the engine's plan of a checked graph.
pub(super) fn plan(graph: &model::Graph) -> GraphPlan {
    let order = model::order(graph).unwrap_or_default();
    let nodes = graph
        .nodes
        .iter()
        .map(|(name, node)| {
            let plan = NodePlan {
                tier: node.tier.as_str().to_owned(),
                runtime: node.runtime.as_str().to_owned(),
                dependencies: node.dependencies().into_iter().map(str::to_owned).collect(),
                options: required_options(node).into_iter().map(|option| option.as_str().to_owned()).collect(),
            };
            (name.clone(), plan)
        })
        .collect();
    let (execution, max_parallel) = match graph.execution {
        Execution::MaxParallel(bound) => ("maxParallel".to_owned(), Some(bound as f64)),
        other => (other.to_string(), None),
    };
    GraphPlan { name: graph.name.clone(), order, execution, max_parallel, on_failure: graph.failure.to_string(), nodes }
}

/// Converts the engine's view of one node.
pub(super) fn node_status(status: &crate::workload::NodeStatus) -> NodeStatus {
    let (state, exit_code, reason) = match &status.state {
        NodeState::Pending => ("pending", None, None),
        NodeState::Starting => ("starting", None, None),
        NodeState::Running => ("running", None, None),
        NodeState::Healthy => ("healthy", None, None),
        NodeState::Exited(code) => ("exited", Some(*code as f64), None),
        NodeState::Failed(reason) => ("failed", None, Some(reason.clone())),
    };
    NodeStatus { state: state.to_owned(), exit_code, reason, container: status.container.clone(), note: status.note.clone() }
}

/// Sums the node states up into the state of the graph.
pub(super) fn graph_state(nodes: &BTreeMap<String, NodeStatus>) -> &'static str {
    let states = || nodes.values().map(|node| (node.state.as_str(), node.exit_code));
    if states().any(|(state, code)| state == "failed" || (state == "exited" && code != Some(0.0))) {
        "failed"
    } else if states().all(|(state, _)| state == "pending") {
        "stopped"
    } else if states().any(|(state, _)| state == "pending" || state == "starting") {
        "starting"
    } else {
        "running"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(image: &str) -> NodeSpec {
        serde_json::from_value(serde_json::json!({ "image": image })).unwrap()
    }

    fn graph(nodes: serde_json::Value) -> WorkloadGraph {
        serde_json::from_value(serde_json::json!({ "name": "g", "nodes": nodes })).unwrap()
    }

    #[test]
    fn convert_maps_every_field() {
        let graph = graph(serde_json::json!([
            { "name": "db", "spec": { "image": "i", "ports": { "pg": 5432 }, "policy": { "tier": "hardened" },
              "healthcheck": { "test": ["true"], "intervalMs": 100 }, "resources": { "memory": "64m" }, "volumes": ["data:/d"] } },
            { "name": "web", "spec": { "image": "i", "references": { "DB": { "kind": "endpoint", "node": "db", "port": "pg" } },
              "exclusive": true, "runtime": { "kind": "oci" } } }
        ]));
        let converted = convert("t", &graph).unwrap().graph;
        let db = &converted.nodes["db"];
        assert_eq!(db.tier, Tier::Hardened);
        assert_eq!(db.ports["pg"], 5432);
        assert_eq!(db.healthcheck.as_ref().map(|check| (check.interval_ms, check.retries)), Some((100, 20)));
        assert_eq!(db.resources.memory.as_deref(), Some("64m"));
        let web = &converted.nodes["web"];
        assert_eq!(web.dependencies(), ["db"]);
        assert!(web.options.exclusive);
        assert_eq!(web.runtime, Runtime::Oci);
        assert_eq!(converted.execution, Execution::DependencyAware);
        assert_eq!(converted.failure, FailureStrategy::RollbackAll);
    }

    #[test]
    fn convert_reports_object_paths() {
        let graph = graph(serde_json::json!([
            { "name": "a", "spec": { "image": "i", "ports": { "http": 80.5 }, "policy": { "tier": "paranoid" } } },
            { "name": "a", "spec": { "image": "i" } },
            { "name": "b", "spec": { "image": "i", "policy": { "tier": "isolated", "network": true }, "runtime": { "kind": "jvm" } } },
            { "name": "c", "spec": { "image": "i", "volumes": ["data:/d", "./here:/d", "/tmp"] } }
        ]));
        let error = convert("t", &graph).unwrap_err().to_string();
        assert_eq!(
            error,
            "t: invalid graph:\n  \
             nodes[0].spec.ports.http: expected a whole number from 1 to 65535, received 80.5\n  \
             nodes[0].spec.policy.tier: expected \"default\" | \"isolated\" | \"hardened\" | \"untrusted\", received \"paranoid\"\n  \
             nodes[1].name: node name \"a\" is already used by nodes[0]\n  \
             nodes[2].spec.policy.network: is true, but tier \"isolated\" has no network; remove `network` or use tier \"default\" or \"hardened\"\n  \
             nodes[2].spec.runtime.kind: expected \"auto\" | \"oci\" | \"microvm\" | \"wasm\", received \"jvm\"\n  \
             nodes[3].spec.volumes[1]: expected `volume:/path` or `/host/path:/path`, received \"./here:/d\"\n  \
             nodes[3].spec.volumes[2]: expected `volume:/path` or `/host/path:/path`, received \"/tmp\""
        );
    }

    #[test]
    fn convert_applies_loader_rules() {
        let graph = graph(serde_json::json!([
            { "name": "db", "spec": { "image": "i", "policy": { "tier": "hardened", "privileged": true } } },
            { "name": "web", "spec": { "image": "i", "dependsOn": ["ghost"], "references": { "DB": { "kind": "endpoint", "node": "db", "port": "pg" } } } }
        ]));
        let error = convert("t", &graph).unwrap_err().to_string();
        assert!(error.contains("\n  nodes[0].spec.policy.privileged: node `db` has tier `hardened` and the option `privileged`, which the tier forbids; remove `privileged`"), "{error}");
        assert!(error.contains("\n  nodes[1].spec.dependsOn: node `web` refers to `ghost`, which is not a node of the graph; nodes of the graph: db, web"), "{error}");
        assert!(error.contains("\n  nodes[1].spec.references.DB: node `web` references port `pg` of `db`, which `db` does not declare"), "{error}");
    }

    #[test]
    fn convert_reports_cycle_path() {
        let mut a = spec("i");
        a.depends_on = Some(vec!["b".to_owned()]);
        let mut b = spec("i");
        b.depends_on = Some(vec!["a".to_owned()]);
        let graph = WorkloadGraph {
            name: "g".to_owned(),
            nodes: vec![WorkloadNode { name: "a".to_owned(), spec: a }, WorkloadNode { name: "b".to_owned(), spec: b }],
            on_failure: None,
            execution: None,
            max_parallel: None,
        };
        let error = convert("t", &graph).unwrap_err().to_string();
        assert_eq!(error, "t: invalid graph:\n  nodes[0].name: workload dependency cycle: a -> b -> a; remove one dependency or reference of the cycle");
    }

    #[test]
    fn strategies_check_the_bound() {
        assert_eq!(strategies("t", "", Some("maxParallel"), Some(2.0), None).unwrap(), (Some(Execution::MaxParallel(2)), None));
        assert_eq!(strategies("t", "", None, Some(3.0), Some("haltGraph")).unwrap(), (Some(Execution::MaxParallel(3)), Some(FailureStrategy::HaltGraph)));
        let missing = strategies("t", "options.", Some("maxParallel"), None, None).unwrap_err().to_string();
        assert_eq!(missing, "t: invalid options:\n  options.maxParallel: is missing: execution \"maxParallel\" needs a bound");
        let stray = strategies("t", "", Some("sequential"), Some(2.0), Some("never")).unwrap_err().to_string();
        assert_eq!(
            stray,
            "t: invalid graph:\n  maxParallel: applies only to execution \"maxParallel\", not \"sequential\"\n  onFailure: expected \"rollbackAll\" | \"haltGraph\" | \"partialContinue\", received \"never\""
        );
    }

    #[test]
    fn plan_lists_tiers_runtimes_and_options() {
        let graph = graph(serde_json::json!([
            { "name": "web", "spec": { "image": "i", "dependsOn": ["db", "cache"] } },
            { "name": "db", "spec": { "image": "i", "policy": { "tier": "hardened" } } },
            { "name": "cache", "spec": { "image": "i", "policy": { "tier": "isolated" } } }
        ]));
        let planned = plan(&convert("t", &graph).unwrap().graph);
        assert_eq!(planned.order, ["cache", "db", "web"]);
        assert_eq!(planned.execution, "dependencyAware");
        assert_eq!(planned.on_failure, "rollbackAll");
        assert_eq!(planned.nodes["cache"].options, ["no network"]);
        assert_eq!(planned.nodes["db"].options, ["read-only root filesystem", "drop all capabilities", "no new privileges", "default seccomp profile"]);
        assert_eq!(planned.nodes["web"].dependencies, ["cache", "db"]);
        assert_eq!(planned.nodes["web"].runtime, "auto");
    }

    #[test]
    fn graph_state_sums_up_nodes() {
        let status = |state: &str, code: Option<f64>| NodeStatus { state: state.to_owned(), exit_code: code, reason: None, container: None, note: None };
        let nodes = |list: &[(&str, Option<f64>)]| list.iter().enumerate().map(|(index, (state, code))| (index.to_string(), status(state, *code))).collect::<BTreeMap<_, _>>();
        assert_eq!(graph_state(&nodes(&[("running", None), ("exited", Some(0.0))])), "running");
        assert_eq!(graph_state(&nodes(&[("running", None), ("exited", Some(2.0))])), "failed");
        assert_eq!(graph_state(&nodes(&[("pending", None), ("pending", None)])), "stopped");
        assert_eq!(graph_state(&nodes(&[("healthy", None), ("starting", None)])), "starting");
    }
}
