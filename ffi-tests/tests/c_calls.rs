//! Runs the C program against the generated symbols with a fake
//! implementation of the module traits installed.

#[path = "../../runtime/tests/ffi/fake.rs"]
mod fake;

use std::sync::Arc;

#[test]
fn c_program_calls_every_form() {
    assert!(perry_stack::ffi::install_api(Arc::new(fake::Fake)));
    // SAFETY: the C program installs its own host first and is called once.
    let failures = unsafe { perry_stack_ffi_tests::perry_c_run_checks() };
    assert_eq!(failures, 0, "the C checks printed their failures above");
    assert!(fake::recorded(r#"container.setBackends ["podman", "docker"]"#));
}
