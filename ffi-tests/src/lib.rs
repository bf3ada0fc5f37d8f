//! Runs the C calls of `c/calls.c` and links the generated symbols of
//! perry-stack into the same binary.

unsafe extern "C" {
    /// Installs the C host, calls every checked symbol and returns the
    /// number of failed checks (each is printed to stderr).
    pub fn perry_c_run_checks() -> i32;
}

unsafe extern "C" {
    /// Installs the C host, calls every generated symbol with checked
    /// results and returns the number of failed checks.
    pub fn perry_c_call_every_symbol() -> i32;
}

unsafe extern "C" {
    /// Installs the C host and drives a two-service stack named `project`
    /// on `image` through perry/compose; returns the number of failed checks.
    pub fn perry_c_compose_on_podman(project: *const std::ffi::c_char, image: *const std::ffi::c_char) -> i32;
}

unsafe extern "C" {
    /// Installs the C host and drives perry/workloads on the installed
    /// backend: plans, wrong arguments and a graph's operations; returns the
    /// number of failed checks.
    pub fn perry_c_workloads_on_mock() -> i32;

    /// Installs the C host and runs a two-node graph as `project` on `image`
    /// through perry/workloads; returns the number of failed checks.
    pub fn perry_c_workloads_on_podman(project: *const std::ffi::c_char, image: *const std::ffi::c_char) -> i32;
}
