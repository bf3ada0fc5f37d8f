//! `perry/workloads` on the graph engine.
//!
//! A graph arrives as an object, is mapped onto the workload model and
//! checked with the YAML loader's rules, and runs on the selected backend.
//! Its handle names the project whose labels mark the graph's containers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use perry_stack_schema::api::types::{ISOLATION_LEVELS, POLICY_TIERS};
use perry_stack_schema::api::HandleKind;
use perry_stack_schema::workload as model;

use super::container::{exec_result, exec_settings, project_containers, tail};
use super::workload_model::{self as convert, Converted};
use super::{failed, object, register, release, selected, EngineApi};
use crate::backend::{Backend, Isolation};
use crate::ffi::bridge::{ApiError, ApiFuture};
use crate::ffi::generated::*;
use crate::ffi::handle::{Handle, HandleRegistry};
use crate::ffi::typed::{GraphHandle, TypedHandle};
use crate::workload::{GraphEngine, RunOptions as EngineRunOptions};

/// How long a rollback and `down` wait for a node to stop, as `container.stop` does.
const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The running graph that a handle names.
struct GraphEntry {
    project: String,
    graph: model::Graph,
    engine: GraphEngine,
    backend: Arc<dyn Backend>,
    stop_timeout: Duration,
}

/// Projects of the graphs this process runs: `None` while `runGraph` is
/// starting it, then the graph's handle.
static PROJECTS: Mutex<BTreeMap<String, Option<Handle>>> = Mutex::new(BTreeMap::new());

fn projects() -> MutexGuard<'static, BTreeMap<String, Option<Handle>>> {
    PROJECTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A project held by a `runGraph` in progress. Dropping it releases the
/// project, so a failed or panicking run does not keep it in use.
struct Claim(Option<String>);

impl Claim {
    /// Claims `project` for a new run. A project that a live graph uses is rejected.
    fn new(function: &'static str, project: &str) -> Result<Claim, ApiError> {
        let mut projects = projects();
        let in_use = match projects.get(project) {
            Some(None) => true,
            Some(Some(handle)) => HandleRegistry::global().check(handle.to_js(), HandleKind::Graph).is_ok(),
            None => false,
        };
        if in_use {
            return Err(failed(function, format!("project {project} is already used by a running graph of this process; give the graph another `project`, or take the other graph down first")));
        }
        projects.insert(project.to_owned(), None);
        Ok(Claim(Some(project.to_owned())))
    }

    /// Hands the project to the graph's handle.
    fn settle(mut self, handle: Handle) {
        if let Some(project) = self.0.take() {
            projects().insert(project, Some(handle));
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(project) = self.0.take() {
            forget(&project);
        }
    }
}

fn forget(project: &str) {
    projects().remove(project);
}

fn entry(function: &'static str, handle: &GraphHandle) -> Result<Arc<GraphEntry>, ApiError> {
    object::<GraphEntry>(function, handle, HandleKind::Graph)
}

/// Fails unless `node` is a node of the graph, naming the nodes there are.
fn known_node(function: &'static str, entry: &GraphEntry, node: &str) -> Result<(), ApiError> {
    if entry.graph.nodes.contains_key(node) {
        return Ok(());
    }
    let names: Vec<&str> = entry.graph.nodes.keys().map(String::as_str).collect();
    Err(failed(function, format!("graph {} has no node {node}; its nodes are {}", entry.graph.name, names.join(", "))))
}

fn isolation_rank(isolation: Isolation) -> usize {
    match isolation {
        Isolation::SharedKernel => 0,
        Isolation::SharedVm => 1,
        Isolation::VmPerContainer => 2,
    }
}

/// Checks the backend name and minimum isolation that nodes ask for
/// against the backend the graph runs on.
fn check_runtimes(function: &'static str, converted: &Converted, name: &str, backend: &dyn Backend) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (path, wanted, isolation) in &converted.runtimes {
        if let Some(wanted) = wanted.as_deref().filter(|wanted| *wanted != name) {
            errors.push(format!("{path}.backend: names \"{wanted}\", but the graph runs on \"{name}\", the selected backend; a graph runs on one backend"));
        }
        let required = isolation.as_deref().and_then(|level| ISOLATION_LEVELS.iter().position(|known| *known == level));
        let provided = isolation_rank(backend.isolation());
        if let Some(required) = required.filter(|required| *required > provided) {
            errors.push(format!(
                "{path}.isolation: needs \"{}\", but the backend \"{name}\" provides \"{}\"",
                ISOLATION_LEVELS[required], ISOLATION_LEVELS[provided]
            ));
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(failed(function, format!("invalid graph:\n  {}", errors.join("\n  "))))
}

fn run_graph(graph: WorkloadGraph, options: Option<RunOptions>) -> ApiFuture<GraphHandle> {
    const FUNCTION: &str = "workloads.runGraph";
    Box::pin(async move {
        let converted = convert::convert(FUNCTION, &graph)?;
        let options = options.unwrap_or(RunOptions { project: None, execution: None, max_parallel: None, on_failure: None, stop_timeout: None });
        let (execution, failure) = convert::strategies(FUNCTION, "options.", options.execution.as_deref(), options.max_parallel, options.on_failure.as_deref())?;
        let stop_timeout = match options.stop_timeout {
            None => DEFAULT_STOP_TIMEOUT,
            Some(seconds) if seconds.is_finite() && seconds >= 0.0 => Duration::from_secs_f64(seconds),
            Some(seconds) => return Err(failed(FUNCTION, format!("invalid options:\n  options.stopTimeout: expected a number of seconds of at least 0, received {seconds}"))),
        };
        let project = options.project.unwrap_or_else(|| graph.name.clone());
        if project.is_empty() {
            return Err(failed(FUNCTION, "`options.project` is empty"));
        }

        let selected = selected(FUNCTION).await?;
        check_runtimes(FUNCTION, &converted, &selected.name, selected.backend.as_ref())?;
        let engine = GraphEngine::new(selected.backend.clone());
        let run_options = EngineRunOptions { execution, failure, project: Some(project.clone()), allow_untrusted_shared_kernel: None, stop_timeout };

        let claim = Claim::new(FUNCTION, &project)?;
        // NOTE: under `haltGraph` a failed run leaves the nodes that started
        // running; `container.downByProject` with the project removes them.
        engine.run(&converted.graph, &run_options).await.map_err(|error| failed(FUNCTION, error))?;
        let entry = GraphEntry { project, graph: converted.graph, engine, backend: selected.backend.clone(), stop_timeout };
        let handle: GraphHandle = register(FUNCTION, entry)?;
        claim.settle(handle.handle());
        Ok(handle)
    })
}

impl WorkloadsApi for EngineApi {
    fn graph(&self, name: String, nodes: Vec<WorkloadNode>, options: Option<GraphOptions>) -> Result<WorkloadGraph, ApiError> {
        let options = options.unwrap_or(GraphOptions { on_failure: None, execution: None, max_parallel: None });
        convert::strategies("workloads.graph", "options.", options.execution.as_deref(), options.max_parallel, options.on_failure.as_deref())?;
        Ok(WorkloadGraph { name, nodes, on_failure: options.on_failure, execution: options.execution, max_parallel: options.max_parallel })
    }

    fn node(&self, name: String, spec: NodeSpec) -> Result<WorkloadNode, ApiError> {
        Ok(WorkloadNode { name, spec })
    }

    fn runtime(&self, options: Option<RuntimeSpec>) -> Result<RuntimeSpec, ApiError> {
        const FUNCTION: &str = "workloads.runtime";
        let runtime = options.unwrap_or(RuntimeSpec { kind: None, backend: None, isolation: None });
        if let Some(kind) = runtime.kind.as_deref().filter(|kind| model::Runtime::parse(kind).is_none()) {
            return Err(failed(FUNCTION, format!("`kind` must be {}, received \"{kind}\"", quoted(model::Runtime::NAMES))));
        }
        if let Some(isolation) = runtime.isolation.as_deref().filter(|isolation| !ISOLATION_LEVELS.contains(isolation)) {
            return Err(failed(FUNCTION, format!("`isolation` must be {}, received \"{isolation}\"", quoted(ISOLATION_LEVELS))));
        }
        Ok(runtime)
    }

    fn policy(&self, tier: String, network: Option<bool>) -> Result<Policy, ApiError> {
        const FUNCTION: &str = "workloads.policy";
        let Some(parsed) = model::Tier::parse(&tier) else {
            return Err(failed(FUNCTION, format!("`tier` must be {}, received \"{tier}\"", quoted(POLICY_TIERS))));
        };
        if network.is_some_and(|network| network == parsed.without_network()) {
            let has = if parsed.without_network() { "has no network" } else { "always has a network" };
            return Err(failed(FUNCTION, format!("`network` is {}, but tier \"{tier}\" {has}", network.unwrap_or_default())));
        }
        Ok(Policy { tier, network, privileged: None })
    }

    fn run_graph(&self, graph: WorkloadGraph, options: Option<RunOptions>) -> ApiFuture<GraphHandle> {
        run_graph(graph, options)
    }

    fn inspect_graph(&self, graph: WorkloadGraph) -> ApiFuture<GraphPlan> {
        Box::pin(async move { convert::convert("workloads.inspectGraph", &graph).map(|converted| convert::plan(&converted.graph)) })
    }

    fn down(&self, handle: GraphHandle, options: Option<DownOptions>) -> ApiFuture<()> {
        const FUNCTION: &str = "workloads.down";
        Box::pin(async move {
            let entry = entry(FUNCTION, &handle)?;
            // `down` removes every container labelled with the project, so
            // orphans go with the rest whether or not they were asked for.
            entry.engine.down(&entry.project, entry.stop_timeout).await.map_err(|error| failed(FUNCTION, error))?;
            if options.and_then(|options| options.volumes) == Some(true) {
                let mut volumes: Vec<&str> = entry.graph.nodes.values().flat_map(|node| node.volume_names()).collect();
                volumes.sort();
                volumes.dedup();
                for volume in volumes {
                    match entry.backend.remove_volume(&format!("{}_{volume}", entry.project)).await {
                        Ok(()) => {}
                        Err(error) if error.is_not_found() => {}
                        Err(error) => return Err(failed(FUNCTION, error)),
                    }
                }
            }
            forget(&entry.project);
            release(&handle);
            Ok(())
        })
    }

    fn status(&self, handle: GraphHandle) -> ApiFuture<GraphStatus> {
        const FUNCTION: &str = "workloads.status";
        Box::pin(async move {
            let entry = entry(FUNCTION, &handle)?;
            let states = entry.engine.status(&entry.graph, &entry.project).await.map_err(|error| failed(FUNCTION, error))?;
            let nodes: BTreeMap<String, NodeStatus> = states.iter().map(|(name, status)| (name.clone(), convert::node_status(status))).collect();
            Ok(GraphStatus { state: convert::graph_state(&nodes).to_owned(), nodes })
        })
    }

    fn ps(&self, handle: GraphHandle) -> ApiFuture<Vec<ContainerInfo>> {
        const FUNCTION: &str = "workloads.ps";
        Box::pin(async move {
            let entry = entry(FUNCTION, &handle)?;
            let listed = project_containers(FUNCTION, entry.backend.as_ref(), &entry.project).await?;
            Ok(listed.into_iter().map(super::container::info).collect())
        })
    }

    fn logs(&self, handle: GraphHandle, node: String, options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        const FUNCTION: &str = "workloads.logs";
        Box::pin(async move {
            let entry = entry(FUNCTION, &handle)?;
            known_node(FUNCTION, &entry, &node)?;
            if options.as_ref().is_some_and(|options| options.services.is_some()) {
                return Err(failed(FUNCTION, "`services` applies to stacks; a graph's logs are read per node"));
            }
            let tail = tail(FUNCTION, &options)?;
            let logs = entry.engine.logs(&entry.project, &node, tail).await.map_err(|error| failed(FUNCTION, error))?;
            Ok(LogOutput { stdout: logs.stdout, stderr: logs.stderr })
        })
    }

    fn exec(&self, handle: GraphHandle, node: String, command: Vec<String>, options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        const FUNCTION: &str = "workloads.exec";
        Box::pin(async move {
            let entry = entry(FUNCTION, &handle)?;
            known_node(FUNCTION, &entry, &node)?;
            if command.is_empty() {
                return Err(failed(FUNCTION, "the command is empty"));
            }
            let settings = exec_settings(options);
            entry.engine.exec(&entry.project, &node, &command, &settings).await.map(exec_result).map_err(|error| failed(FUNCTION, error))
        })
    }
}

fn quoted(values: &[&str]) -> String {
    values.iter().map(|value| format!("\"{value}\"")).collect::<Vec<_>>().join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_unknown_tier() {
        let error = EngineApi.policy("paranoid".to_owned(), None).unwrap_err();
        assert_eq!(error.to_string(), "workloads.policy: `tier` must be \"default\" | \"isolated\" | \"hardened\" | \"untrusted\", received \"paranoid\"");
    }

    #[test]
    fn policy_rejects_network_against_tier() {
        let error = EngineApi.policy("isolated".to_owned(), Some(true)).unwrap_err();
        assert_eq!(error.to_string(), "workloads.policy: `network` is true, but tier \"isolated\" has no network");
        let error = EngineApi.policy("default".to_owned(), Some(false)).unwrap_err();
        assert_eq!(error.to_string(), "workloads.policy: `network` is false, but tier \"default\" always has a network");
        assert!(EngineApi.policy("isolated".to_owned(), Some(false)).is_ok());
    }

    #[test]
    fn graph_checks_its_options() {
        let options = GraphOptions { on_failure: None, execution: Some("maxParallel".to_owned()), max_parallel: Some(0.0) };
        let error = EngineApi.graph("g".to_owned(), Vec::new(), Some(options)).unwrap_err();
        assert_eq!(error.to_string(), "workloads.graph: invalid options:\n  options.maxParallel: expected a whole number from 1 to 1024, received 0");
    }
}
