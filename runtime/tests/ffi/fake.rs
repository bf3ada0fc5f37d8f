//! An implementation of the module traits for stub tests: a few functions
//! do recorded work, the rest reject as not supported.

use std::sync::Mutex;

use perry_stack::ffi::*;
use perry_stack::schema::api::HandleKind;

pub struct Fake;

static CALLS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(call: String) {
    CALLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(call);
}

/// Whether a call with exactly this text was recorded.
pub fn recorded(call: &str) -> bool {
    CALLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).iter().any(|recorded| recorded == call)
}

fn unsupported<T>(function: &'static str) -> ApiFuture<T> {
    Box::pin(async move { Err(ApiError::NotSupported { function, what: "not in the fake".to_owned() }) })
}

fn unsupported_sync<T>(function: &'static str) -> Result<T, ApiError> {
    Err(ApiError::NotSupported { function, what: "not in the fake".to_owned() })
}

impl ContainerApi for Fake {
    fn run(&self, _spec: ContainerSpec) -> ApiFuture<ContainerHandle> {
        unsupported("run")
    }
    fn create(&self, _spec: ContainerSpec) -> ApiFuture<ContainerHandle> {
        unsupported("create")
    }
    fn start(&self, _container: ContainerHandle) -> ApiFuture<()> {
        unsupported("start")
    }
    fn stop(&self, _container: ContainerHandle, options: Option<StopOptions>) -> ApiFuture<()> {
        record(format!("container.stop options={options:?}"));
        Box::pin(async { Ok(()) })
    }
    fn remove(&self, _container: ContainerHandle, _options: Option<RemoveOptions>) -> ApiFuture<()> {
        unsupported("remove")
    }
    fn list(&self, _options: Option<ListOptions>) -> ApiFuture<Vec<ContainerInfo>> {
        unsupported("list")
    }
    fn inspect(&self, _container: ContainerHandle) -> ApiFuture<ContainerInfo> {
        unsupported("inspect")
    }
    fn logs(&self, _container: ContainerHandle, _options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        unsupported("logs")
    }
    fn exec(&self, _container: ContainerHandle, _command: Vec<String>, _options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        unsupported("exec")
    }
    fn pull_image(&self, _reference: String) -> ApiFuture<()> {
        unsupported("pull_image")
    }
    fn list_images(&self) -> ApiFuture<Vec<ImageInfo>> {
        unsupported("list_images")
    }
    fn remove_image(&self, _reference: String, _options: Option<RemoveOptions>) -> ApiFuture<()> {
        unsupported("remove_image")
    }
    fn build(&self, _spec: BuildSpec) -> ApiFuture<String> {
        unsupported("build")
    }
    fn remove_if_exists(&self, name: String) -> ApiFuture<bool> {
        Box::pin(async move { Ok(name == "present") })
    }
    fn down_by_project(&self, _project: String, _options: Option<DownOptions>) -> ApiFuture<()> {
        unsupported("down_by_project")
    }
    fn down_all(&self, _options: Option<DownOptions>) -> ApiFuture<()> {
        unsupported("down_all")
    }
    fn get_backend(&self) -> Result<String, ApiError> {
        Ok("fake".to_owned())
    }
    fn detect_backend(&self) -> ApiFuture<BackendInfo> {
        unsupported("detect_backend")
    }
    fn get_available_backends(&self) -> ApiFuture<Vec<BackendInfo>> {
        unsupported("get_available_backends")
    }
    fn get_backend_priority(&self) -> ApiFuture<Vec<String>> {
        unsupported("get_backend_priority")
    }
    fn set_backend(&self, _name: String) -> ApiFuture<()> {
        unsupported("set_backend")
    }
    fn set_backends(&self, names: Vec<String>) -> ApiFuture<()> {
        record(format!("container.setBackends {names:?}"));
        Box::pin(async { Ok(()) })
    }
}

impl ComposeApi for Fake {
    fn up(&self, spec: ComposeSpec, options: Option<UpOptions>) -> ApiFuture<StackHandle> {
        let name = spec.name.clone().unwrap_or_default();
        record(format!("compose.up name={name} options={options:?}"));
        Box::pin(async move {
            let handle = HandleRegistry::global().insert(HandleKind::Stack, spec).unwrap();
            Ok(StackHandle::from_checked(handle))
        })
    }
    fn down(&self, stack: StackHandle, options: Option<DownOptions>) -> ApiFuture<()> {
        record(format!("compose.down options={options:?}"));
        let released = HandleRegistry::global().release(stack.handle().to_js(), HandleKind::Stack);
        Box::pin(async move { released.map_err(|error| ApiError::Failed { function: "compose.down", message: error.to_string() }) })
    }
    fn ps(&self, stack: StackHandle) -> ApiFuture<Vec<ContainerInfo>> {
        let spec = HandleRegistry::global().get::<ComposeSpec>(stack.handle().to_js(), HandleKind::Stack);
        Box::pin(async move {
            let spec = spec.map_err(|error| ApiError::Failed { function: "compose.ps", message: error.to_string() })?;
            Ok(spec
                .services
                .iter()
                .map(|(service, definition)| ContainerInfo {
                    id: format!("id-{service}"),
                    name: format!("{}-{service}-1", spec.name.clone().unwrap_or_default()),
                    image: definition.image.clone().unwrap_or_default(),
                    state: "running".to_owned(),
                    health: None,
                    service: Some(service.clone()),
                    labels: Default::default(),
                })
                .collect())
        })
    }
    fn logs(&self, _stack: StackHandle, _options: Option<LogsOptions>) -> ApiFuture<String> {
        unsupported("logs")
    }
    fn exec(&self, _stack: StackHandle, _service: String, _command: Vec<String>, _options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        unsupported("exec")
    }
    fn config(&self, _spec: ComposeSpec) -> ApiFuture<String> {
        unsupported("config")
    }
    fn start(&self, _stack: StackHandle, _options: Option<ServicesOptions>) -> ApiFuture<()> {
        unsupported("start")
    }
    fn stop(&self, _stack: StackHandle, _options: Option<ServicesOptions>) -> ApiFuture<()> {
        unsupported("stop")
    }
    fn restart(&self, _stack: StackHandle, _options: Option<ServicesOptions>) -> ApiFuture<()> {
        unsupported("restart")
    }
}

impl WorkloadsApi for Fake {
    fn graph(&self, _name: String, _nodes: Vec<WorkloadNode>, _options: Option<GraphOptions>) -> Result<WorkloadGraph, ApiError> {
        unsupported_sync("graph")
    }
    fn node(&self, _name: String, _spec: NodeSpec) -> Result<WorkloadNode, ApiError> {
        unsupported_sync("node")
    }
    fn runtime(&self, _options: Option<RuntimeSpec>) -> Result<RuntimeSpec, ApiError> {
        unsupported_sync("runtime")
    }
    fn policy(&self, tier: String, network: Option<bool>) -> Result<Policy, ApiError> {
        Ok(Policy { tier, network, privileged: None })
    }
    fn run_graph(&self, _graph: WorkloadGraph, _options: Option<RunOptions>) -> ApiFuture<GraphHandle> {
        unsupported("run_graph")
    }
    fn inspect_graph(&self, _graph: WorkloadGraph) -> ApiFuture<GraphPlan> {
        unsupported("inspect_graph")
    }
    fn down(&self, _graph: GraphHandle, _options: Option<DownOptions>) -> ApiFuture<()> {
        unsupported("down")
    }
    fn status(&self, _graph: GraphHandle) -> ApiFuture<GraphStatus> {
        Box::pin(async { panic!("status exploded") })
    }
    fn ps(&self, _graph: GraphHandle) -> ApiFuture<Vec<ContainerInfo>> {
        unsupported("ps")
    }
    fn logs(&self, _graph: GraphHandle, _node: String, _options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        unsupported("logs")
    }
    fn exec(&self, _graph: GraphHandle, _node: String, _command: Vec<String>, _options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        unsupported("exec")
    }
}
