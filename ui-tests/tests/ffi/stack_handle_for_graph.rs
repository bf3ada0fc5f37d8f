use perry_stack::ffi::*;

fn status_of(implementation: &dyn PerryApi, stack: StackHandle) -> ApiFuture<GraphStatus> {
    WorkloadsApi::status(implementation, stack)
}

fn main() {}
