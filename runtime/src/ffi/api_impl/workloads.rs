//! `perry/workloads`: the pure constructors and planning. Running a graph
//! needs the graph engine, which does not exist yet.

use std::collections::{BTreeMap, BTreeSet};

use perry_stack_schema::api::types::{FAILURE_MODES, ISOLATION_LEVELS, POLICY_TIERS};

use super::{failed, not_supported, EngineApi};
use crate::ffi::bridge::{ApiError, ApiFuture};
use crate::ffi::generated::*;
use crate::ffi::typed::GraphHandle;

const GRAPHS: &str = "workload graphs";

fn one_of(function: &'static str, field: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let expected = allowed.iter().map(|value| format!("\"{value}\"")).collect::<Vec<_>>().join(" | ");
    Err(failed(function, format!("`{field}` must be {expected}, received \"{value}\"")))
}

fn unsupported<T: Send + 'static>(function: &'static str) -> ApiFuture<T> {
    Box::pin(async move { Err(not_supported(function, GRAPHS)) })
}

/// Checks a graph and orders its nodes: each after its dependencies, ties
/// broken by name.
fn plan(function: &'static str, graph: &WorkloadGraph) -> Result<GraphPlan, ApiError> {
    if let Some(mode) = &graph.on_failure {
        one_of(function, "onFailure", mode, FAILURE_MODES)?;
    }
    let mut dependencies: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for node in &graph.nodes {
        if let Some(policy) = &node.spec.policy {
            one_of(function, &format!("nodes.{}.policy.tier", node.name), &policy.tier, POLICY_TIERS)?;
        }
        if let Some(isolation) = node.spec.runtime.as_ref().and_then(|runtime| runtime.isolation.as_ref()) {
            one_of(function, &format!("nodes.{}.runtime.isolation", node.name), isolation, ISOLATION_LEVELS)?;
        }
        let depends: BTreeSet<&str> = node.spec.depends_on.iter().flatten().map(String::as_str).collect();
        if dependencies.insert(node.name.as_str(), depends).is_some() {
            return Err(failed(function, format!("graph {} has two nodes named {}", graph.name, node.name)));
        }
    }
    for (node, depends) in &dependencies {
        if let Some(missing) = depends.iter().find(|dependency| !dependencies.contains_key(*dependency)) {
            return Err(failed(function, format!("node {node} depends on {missing}, which is not a node of graph {}", graph.name)));
        }
    }

    let mut order = Vec::new();
    let mut placed = BTreeSet::new();
    while placed.len() < dependencies.len() {
        let ready = dependencies.iter().find(|(node, depends)| !placed.contains(*node) && depends.iter().all(|dependency| placed.contains(dependency)));
        let Some((node, _)) = ready else {
            let left: Vec<&str> = dependencies.keys().filter(|node| !placed.contains(*node)).copied().collect();
            return Err(failed(function, format!("graph {} has a dependency cycle among {}", graph.name, left.join(", "))));
        };
        placed.insert(*node);
        order.push((*node).to_owned());
    }
    Ok(GraphPlan { name: graph.name.clone(), order })
}

impl WorkloadsApi for EngineApi {
    fn graph(&self, name: String, nodes: Vec<WorkloadNode>, options: Option<GraphOptions>) -> Result<WorkloadGraph, ApiError> {
        let on_failure = options.and_then(|options| options.on_failure);
        if let Some(mode) = &on_failure {
            one_of("workloads.graph", "onFailure", mode, FAILURE_MODES)?;
        }
        Ok(WorkloadGraph { name, nodes, on_failure })
    }

    fn node(&self, name: String, spec: NodeSpec) -> Result<WorkloadNode, ApiError> {
        Ok(WorkloadNode { name, spec })
    }

    fn runtime(&self, options: Option<RuntimeSpec>) -> Result<RuntimeSpec, ApiError> {
        let runtime = options.unwrap_or(RuntimeSpec { backend: None, isolation: None });
        if let Some(isolation) = &runtime.isolation {
            one_of("workloads.runtime", "isolation", isolation, ISOLATION_LEVELS)?;
        }
        Ok(runtime)
    }

    fn policy(&self, tier: String, network: Option<bool>) -> Result<Policy, ApiError> {
        one_of("workloads.policy", "tier", &tier, POLICY_TIERS)?;
        Ok(Policy { tier, network })
    }

    fn run_graph(&self, _graph: WorkloadGraph, _options: Option<RunOptions>) -> ApiFuture<GraphHandle> {
        unsupported("workloads.runGraph")
    }

    fn inspect_graph(&self, graph: WorkloadGraph) -> ApiFuture<GraphPlan> {
        Box::pin(async move { plan("workloads.inspectGraph", &graph) })
    }

    fn down(&self, _graph: GraphHandle, _options: Option<DownOptions>) -> ApiFuture<()> {
        unsupported("workloads.down")
    }

    fn status(&self, _graph: GraphHandle) -> ApiFuture<GraphStatus> {
        unsupported("workloads.status")
    }

    fn ps(&self, _graph: GraphHandle) -> ApiFuture<Vec<ContainerInfo>> {
        unsupported("workloads.ps")
    }

    fn logs(&self, _graph: GraphHandle, _node: String, _options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        unsupported("workloads.logs")
    }

    fn exec(&self, _graph: GraphHandle, _node: String, _command: Vec<String>, _options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        unsupported("workloads.exec")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, depends: &[&str]) -> WorkloadNode {
        let spec = NodeSpec {
            image: "busybox".to_owned(),
            command: None,
            env: None,
            ports: None,
            depends_on: Some(depends.iter().map(|name| (*name).to_owned()).collect()),
            policy: None,
            runtime: None,
        };
        WorkloadNode { name: name.to_owned(), spec }
    }

    fn graph(nodes: Vec<WorkloadNode>) -> WorkloadGraph {
        WorkloadGraph { name: "g".to_owned(), nodes, on_failure: None }
    }

    #[test]
    fn plan_orders_dependencies_first_then_by_name() {
        let planned = plan("t", &graph(vec![node("web", &["db", "cache"]), node("db", &[]), node("cache", &[])])).unwrap();
        assert_eq!(planned.order, ["cache", "db", "web"]);
    }

    #[test]
    fn plan_reports_cycle_and_unknown_node() {
        let cycle = plan("t", &graph(vec![node("a", &["b"]), node("b", &["a"])])).unwrap_err();
        assert_eq!(cycle.to_string(), "t: graph g has a dependency cycle among a, b");
        let unknown = plan("t", &graph(vec![node("a", &["ghost"])])).unwrap_err();
        assert_eq!(unknown.to_string(), "t: node a depends on ghost, which is not a node of graph g");
    }

    #[test]
    fn policy_rejects_unknown_tier() {
        let error = EngineApi.policy("paranoid".to_owned(), None).unwrap_err();
        assert!(error.to_string().contains("`tier` must be \"default\""), "{error}");
    }
}
