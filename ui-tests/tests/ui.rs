//! One compile-fail case per diagnostic of `include_stack!`, named after its
//! rule, and one case that uses the typed items.

use std::fs;
use std::path::{Path, PathBuf};

/// trybuild compiles the cases as a crate of its own under
/// `<target>/tests/trybuild/<crate>`, so `CARGO_MANIFEST_DIR` points there.
/// Copying the YAML fixtures to the same relative paths lets each case name
/// its fixture as `tests/ui/<rule>.yaml`, as a crate's own code would.
fn copy_fixtures() {
    let executable = std::env::current_exe().expect("path of the test executable");
    // The executable is `<target>/<profile>/deps/ui-<hash>`.
    let target = executable.ancestors().nth(3).expect("target folder");
    let project = target.join("tests/trybuild").join(env!("CARGO_PKG_NAME"));
    let destination = project.join("tests/ui");
    fs::create_dir_all(&destination).expect("create the trybuild fixture folder");

    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in fs::read_dir(&source).expect("read tests/ui") {
        let path: PathBuf = entry.expect("entry of tests/ui").path();
        if path.extension().is_some_and(|extension| extension == "yaml") {
            fs::copy(&path, destination.join(path.file_name().unwrap())).expect("copy a fixture");
        }
    }
}

#[test]
fn ui() {
    copy_fixtures();
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/typed_items.rs");
    cases.compile_fail("tests/ui/yaml_syntax_error.rs");
    cases.compile_fail("tests/ui/depends_on_undefined_service.rs");
    cases.compile_fail("tests/ui/dependency_cycle.rs");
    cases.compile_fail("tests/ui/undeclared_named_volume.rs");
    cases.compile_fail("tests/ui/undeclared_network.rs");
    cases.compile_fail("tests/ui/unknown_key.rs");
    cases.compile_fail("tests/ui/service_identifier_collision.rs");
    cases.compile_fail("tests/ui/missing_file.rs");
}
