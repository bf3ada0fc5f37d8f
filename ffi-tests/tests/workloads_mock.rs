//! The C program drives perry/workloads through the generated symbols on
//! the default, engine-backed implementation with a mock backend: plans,
//! path-precise rejections, every wrong handle, and a graph's operations.

use std::sync::Arc;

use perry_stack::backend::{Fault, Operation};
use perry_stack::MockBackend;

#[test]
fn workloads_through_c_on_mock() {
    let fault = Fault::Fail("no space left on device".to_owned());
    let mock = Arc::new(MockBackend::new().with_fault(Operation::StartContainer, Some("mock-fail-db-1"), fault));
    perry_stack::ffi::api_impl::backends::install("mock", mock.clone());
    // SAFETY: the C program installs its own host first and runs once in
    // this process.
    let failures = unsafe { perry_stack_ffi_tests::perry_c_workloads_on_mock() };
    assert_eq!(failures, 0, "the C checks printed their failures above");
    assert!(mock.spec("mock-wl-web-1").is_none(), "workloads.down removed the graph's containers");
    assert!(mock.spec("mock-fail-batch-1").is_none(), "the failed run rolled back the node that started");
}
