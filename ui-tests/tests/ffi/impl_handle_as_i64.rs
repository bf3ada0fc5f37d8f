use perry_stack::ffi::*;

struct Implementation;

impl ComposeApi for Implementation {
    fn up(&self, _spec: ComposeSpec, _options: Option<UpOptions>) -> ApiFuture<StackHandle> {
        todo!()
    }
    fn down(&self, _stack: i64, _options: Option<DownOptions>) -> ApiFuture<()> {
        todo!()
    }
    fn ps(&self, _stack: StackHandle) -> ApiFuture<Vec<ContainerInfo>> {
        todo!()
    }
    fn logs(&self, _stack: StackHandle, _options: Option<LogsOptions>) -> ApiFuture<String> {
        todo!()
    }
    fn exec(&self, _stack: StackHandle, _service: String, _command: Vec<String>, _options: Option<ExecOptions>) -> ApiFuture<ExecResult> {
        todo!()
    }
    fn config(&self, _spec: ComposeSpec) -> ApiFuture<String> {
        todo!()
    }
    fn start(&self, _stack: StackHandle, _options: Option<ServicesOptions>) -> ApiFuture<()> {
        todo!()
    }
    fn stop(&self, _stack: StackHandle, _options: Option<ServicesOptions>) -> ApiFuture<()> {
        todo!()
    }
    fn restart(&self, _stack: StackHandle, _options: Option<ServicesOptions>) -> ApiFuture<()> {
        todo!()
    }
}

fn main() {}
