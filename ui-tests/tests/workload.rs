//! One compile-fail case per rule of `workload_graph!`, named after it, and
//! one case that builds and reads a valid graph.

#[test]
fn workload() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/workload/valid_graph.rs");
    cases.compile_fail("tests/workload/dependency_cycle.rs");
    cases.compile_fail("tests/workload/reference_to_node_not_in_graph.rs");
    cases.compile_fail("tests/workload/reference_to_undeclared_port.rs");
    cases.compile_fail("tests/workload/hardened_with_privileged.rs");
    cases.compile_fail("tests/workload/isolated_exposes_ports.rs");
    cases.compile_fail("tests/workload/untrusted_references_over_network.rs");
    cases.compile_fail("tests/workload/untrusted_without_own_vm.rs");
    cases.compile_fail("tests/workload/reference_to_isolated_node.rs");
    cases.compile_fail("tests/workload/reference_name_not_a_variable.rs");
}
