//! The C program drives `compose.up` (with a healthcheck, a service_healthy
//! dependency and a named volume), `ps`, `exec` and `down` through the
//! generated symbols on the default, engine-backed implementation against
//! a real podman, and nothing labelled with the project is left behind.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

use std::ffi::CString;

use support::{leftovers, require_podman, unique_project, Cleanup, IMAGE};

#[test]
fn compose_through_c_on_podman() {
    require_podman();
    let project = unique_project("ffi-c");
    let _cleanup = Cleanup(project.clone());

    let name = CString::new(project.clone()).unwrap();
    let image = CString::new(IMAGE).unwrap();
    // SAFETY: the C program installs its own host first and runs once in
    // this process; both strings outlive the call.
    let failures = unsafe { perry_stack_ffi_tests::perry_c_compose_on_podman(name.as_ptr(), image.as_ptr()) };
    assert_eq!(failures, 0, "the C checks printed their failures above");
    assert_eq!(leftovers(&project), Vec::<String>::new(), "compose.down left objects labelled with the project");
}
