use perry_stack::ffi::*;

struct Implementation;

impl WorkloadsApi for Implementation {
    fn graph(&self, _name: String, _nodes: Vec<WorkloadNode>, _options: Option<GraphOptions>) -> Result<WorkloadGraph, ApiError> {
        todo!()
    }
    fn node(&self, _name: String, _spec: NodeSpec) -> Result<WorkloadNode, ApiError> {
        todo!()
    }
    fn runtime(&self, _options: Option<RuntimeSpec>) -> Result<RuntimeSpec, ApiError> {
        todo!()
    }
    fn policy(&self, _tier: String, _network: Option<i32>) -> Result<Policy, ApiError> {
        todo!()
    }
    fn run_graph(&self, _graph: WorkloadGraph, _options: Option<RunOptions>) -> ApiFuture<GraphHandle> {
        todo!()
    }
    fn inspect_graph(&self, _graph: WorkloadGraph) -> ApiFuture<GraphPlan> {
        todo!()
    }
    fn down(&self, _graph: GraphHandle, _options: Option<DownOptions>) -> ApiFuture<()> {
        todo!()
    }
    fn status(&self, _graph: GraphHandle) -> ApiFuture<GraphStatus> {
        todo!()
    }
    fn ps(&self, _graph: GraphHandle) -> ApiFuture<Vec<ContainerInfo>> {
        todo!()
    }
    fn logs(&self, _graph: GraphHandle, _node: String, _options: Option<LogsOptions>) -> ApiFuture<LogOutput> {
        todo!()
    }
    fn exec(&self, _graph: GraphHandle, _node: String, _command: Vec<String>, _options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        todo!()
    }
}

fn main() {}
