//! An implementation of the module traits that records each call with its
//! decoded arguments and returns fixed values, so a caller can check both
//! directions of every symbol.

use std::collections::BTreeMap;
use std::sync::Mutex;

use perry_stack::ffi::*;
use serde::Serialize;

pub struct Echo;

static CALLS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Returns the calls recorded so far, in order.
pub fn calls() -> Vec<String> {
    CALLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
}

fn record(call: String) {
    CALLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(call);
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

fn handle(handle: &impl TypedHandle) -> String {
    format!("{}#{}", handle.handle().kind.type_name(), handle.handle().index)
}

fn ready<T: Send + 'static>(value: T) -> ApiFuture<T> {
    Box::pin(async move { Ok(value) })
}

fn new_handle<H: TypedHandle + Send + 'static>() -> ApiFuture<H> {
    ready(H::from_checked(HandleRegistry::global().insert(H::KIND, ()).unwrap()))
}

fn released(value: &impl TypedHandle) -> ApiFuture<()> {
    HandleRegistry::global().release(value.handle().to_js(), value.handle().kind).unwrap();
    ready(())
}

fn info() -> ContainerInfo {
    ContainerInfo {
        id: "c1".to_owned(),
        name: "demo-web-1".to_owned(),
        image: "busybox".to_owned(),
        state: "running".to_owned(),
        health: None,
        service: Some("web".to_owned()),
        labels: BTreeMap::from([("tier".to_owned(), "front".to_owned())]),
    }
}

fn exec_result() -> ExecResult {
    ExecResult { exit_code: 3.0, stdout: "hi\n".to_owned(), stderr: String::new() }
}

fn log_output() -> LogOutput {
    LogOutput { stdout: "out\n".to_owned(), stderr: "err\n".to_owned() }
}

fn backend_info() -> BackendInfo {
    BackendInfo { name: "echo".to_owned(), version: Some("1.0".to_owned()), isolation: "sharedKernel".to_owned() }
}

impl ContainerApi for Echo {
    fn run(&self, spec: ContainerSpec) -> ApiFuture<ContainerHandle> {
        record(format!("container.run {}", json(&spec)));
        new_handle()
    }
    fn create(&self, spec: ContainerSpec) -> ApiFuture<ContainerHandle> {
        record(format!("container.create {}", json(&spec)));
        new_handle()
    }
    fn start(&self, container: ContainerHandle) -> ApiFuture<()> {
        record(format!("container.start {}", handle(&container)));
        ready(())
    }
    fn stop(&self, container: ContainerHandle, options: Option<StopOptions>) -> ApiFuture<()> {
        record(format!("container.stop {} {}", handle(&container), json(&options)));
        ready(())
    }
    fn remove(&self, container: ContainerHandle, options: Option<RemoveOptions>) -> ApiFuture<()> {
        record(format!("container.remove {} {}", handle(&container), json(&options)));
        released(&container)
    }
    fn list(&self, options: Option<ListOptions>) -> ApiFuture<Vec<ContainerInfo>> {
        record(format!("container.list {}", json(&options)));
        ready(vec![info()])
    }
    fn inspect(&self, container: ContainerHandle) -> ApiFuture<ContainerInfo> {
        record(format!("container.inspect {}", handle(&container)));
        ready(info())
    }
    fn logs(&self, container: ContainerHandle, options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        record(format!("container.logs {} {}", handle(&container), json(&options)));
        ready(log_output())
    }
    fn exec(&self, container: ContainerHandle, command: Vec<String>, options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        record(format!("container.exec {} {} {}", handle(&container), json(&command), json(&options)));
        ready(exec_result())
    }
    fn pull_image(&self, reference: String) -> ApiFuture<()> {
        record(format!("container.pullImage {reference}"));
        ready(())
    }
    fn list_images(&self) -> ApiFuture<Vec<ImageInfo>> {
        record("container.listImages".to_owned());
        ready(vec![ImageInfo { id: "sha256:1".to_owned(), tags: vec!["localhost/demo:1".to_owned()], size: Some(42.0) }])
    }
    fn remove_image(&self, reference: String, options: Option<RemoveOptions>) -> ApiFuture<()> {
        record(format!("container.removeImage {reference} {}", json(&options)));
        ready(())
    }
    fn build(&self, spec: BuildSpec) -> ApiFuture<String> {
        record(format!("container.build {}", json(&spec)));
        ready("sha256:built".to_owned())
    }
    fn remove_if_exists(&self, name: String) -> ApiFuture<bool> {
        // A panic here runs inside the stub's decoding step, before any
        // future exists, which must still become a rejection.
        assert_ne!(name, "panic", "decoding exploded");
        record(format!("container.removeIfExists {name}"));
        ready(name == "present")
    }
    fn down_by_project(&self, project: String, options: Option<DownOptions>) -> ApiFuture<()> {
        record(format!("container.downByProject {project} {}", json(&options)));
        ready(())
    }
    fn down_all(&self, options: Option<DownOptions>) -> ApiFuture<()> {
        record(format!("container.downAll {}", json(&options)));
        ready(())
    }
    fn get_backend(&self) -> Result<String, ApiError> {
        record("container.getBackend".to_owned());
        Ok("echo".to_owned())
    }
    fn detect_backend(&self) -> ApiFuture<BackendInfo> {
        record("container.detectBackend".to_owned());
        ready(backend_info())
    }
    fn get_available_backends(&self) -> ApiFuture<Vec<BackendInfo>> {
        record("container.getAvailableBackends".to_owned());
        ready(vec![backend_info()])
    }
    fn get_backend_priority(&self) -> ApiFuture<Vec<String>> {
        record("container.getBackendPriority".to_owned());
        ready(vec!["echo".to_owned(), "podman".to_owned()])
    }
    fn set_backend(&self, name: String) -> ApiFuture<()> {
        record(format!("container.setBackend {name}"));
        ready(())
    }
    fn set_backends(&self, names: Vec<String>) -> ApiFuture<()> {
        record(format!("container.setBackends {}", json(&names)));
        ready(())
    }
}

impl ComposeApi for Echo {
    fn up(&self, spec: ComposeSpec, options: Option<UpOptions>) -> ApiFuture<StackHandle> {
        record(format!("compose.up {} {}", json(&spec), json(&options)));
        new_handle()
    }
    fn down(&self, stack: StackHandle, options: Option<DownOptions>) -> ApiFuture<()> {
        record(format!("compose.down {} {}", handle(&stack), json(&options)));
        released(&stack)
    }
    fn ps(&self, stack: StackHandle) -> ApiFuture<Vec<ContainerInfo>> {
        record(format!("compose.ps {}", handle(&stack)));
        ready(vec![info()])
    }
    fn logs(&self, stack: StackHandle, options: Option<LogsOptions>) -> ApiFuture<String> {
        record(format!("compose.logs {} {}", handle(&stack), json(&options)));
        ready("web | hello\n".to_owned())
    }
    fn exec(&self, stack: StackHandle, service: String, command: Vec<String>, options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        record(format!("compose.exec {} {service} {} {}", handle(&stack), json(&command), json(&options)));
        ready(exec_result())
    }
    fn config(&self, spec: ComposeSpec) -> ApiFuture<String> {
        record(format!("compose.config {}", json(&spec)));
        ready(format!("name: {}\n", spec.name.unwrap_or_default()))
    }
    fn start(&self, stack: StackHandle, options: Option<ServicesOptions>) -> ApiFuture<()> {
        record(format!("compose.start {} {}", handle(&stack), json(&options)));
        ready(())
    }
    fn stop(&self, stack: StackHandle, options: Option<ServicesOptions>) -> ApiFuture<()> {
        record(format!("compose.stop {} {}", handle(&stack), json(&options)));
        ready(())
    }
    fn restart(&self, stack: StackHandle, options: Option<ServicesOptions>) -> ApiFuture<()> {
        record(format!("compose.restart {} {}", handle(&stack), json(&options)));
        ready(())
    }
}

impl WorkloadsApi for Echo {
    fn graph(&self, name: String, nodes: Vec<WorkloadNode>, options: Option<GraphOptions>) -> Result<WorkloadGraph, ApiError> {
        record(format!("workloads.graph {name} {} {}", json(&nodes), json(&options)));
        let options = options.unwrap_or(GraphOptions { on_failure: None, execution: None, max_parallel: None });
        Ok(WorkloadGraph { name, nodes, on_failure: options.on_failure, execution: options.execution, max_parallel: options.max_parallel })
    }
    fn node(&self, name: String, spec: NodeSpec) -> Result<WorkloadNode, ApiError> {
        record(format!("workloads.node {name} {}", json(&spec)));
        Ok(WorkloadNode { name, spec })
    }
    fn runtime(&self, options: Option<RuntimeSpec>) -> Result<RuntimeSpec, ApiError> {
        record(format!("workloads.runtime {}", json(&options)));
        Ok(options.unwrap_or(RuntimeSpec { kind: None, backend: None, isolation: None }))
    }
    fn policy(&self, tier: String, network: Option<bool>) -> Result<Policy, ApiError> {
        record(format!("workloads.policy {tier} {}", json(&network)));
        Ok(Policy { tier, network, privileged: None })
    }
    fn run_graph(&self, graph: WorkloadGraph, options: Option<RunOptions>) -> ApiFuture<GraphHandle> {
        record(format!("workloads.runGraph {} {}", json(&graph), json(&options)));
        new_handle()
    }
    fn inspect_graph(&self, graph: WorkloadGraph) -> ApiFuture<GraphPlan> {
        record(format!("workloads.inspectGraph {}", json(&graph)));
        let order = graph.nodes.iter().map(|node| node.name.clone()).collect();
        let plan = |_| NodePlan { tier: "default".to_owned(), runtime: "auto".to_owned(), dependencies: Vec::new(), options: Vec::new() };
        let nodes = graph.nodes.iter().map(|node| (node.name.clone(), plan(node))).collect();
        ready(GraphPlan { name: graph.name, order, execution: "dependencyAware".to_owned(), max_parallel: None, on_failure: "rollbackAll".to_owned(), nodes })
    }
    fn down(&self, graph: GraphHandle, options: Option<DownOptions>) -> ApiFuture<()> {
        record(format!("workloads.down {} {}", handle(&graph), json(&options)));
        released(&graph)
    }
    fn status(&self, graph: GraphHandle) -> ApiFuture<GraphStatus> {
        record(format!("workloads.status {}", handle(&graph)));
        let api = NodeStatus { state: "running".to_owned(), exit_code: None, reason: None, container: Some("g-api-1".to_owned()), note: None };
        ready(GraphStatus { state: "running".to_owned(), nodes: BTreeMap::from([("api".to_owned(), api)]) })
    }
    fn ps(&self, graph: GraphHandle) -> ApiFuture<Vec<ContainerInfo>> {
        record(format!("workloads.ps {}", handle(&graph)));
        ready(vec![info()])
    }
    fn logs(&self, graph: GraphHandle, node: String, options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        record(format!("workloads.logs {} {node} {}", handle(&graph), json(&options)));
        ready(log_output())
    }
    fn exec(&self, graph: GraphHandle, node: String, command: Vec<String>, options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        record(format!("workloads.exec {} {node} {} {}", handle(&graph), json(&command), json(&options)));
        ready(exec_result())
    }
}

