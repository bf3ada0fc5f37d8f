//! Compile-fail cases of the FFI: an implementation or a declaration that
//! drifts from the ABI mapping does not build.

#[test]
fn ffi_drift_is_a_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ffi/*.rs");
}
