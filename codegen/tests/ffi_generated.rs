//! The committed generated files must equal a fresh generation.
//!
//! Run with `PERRY_STACK_BLESS=1` to rewrite them after changing the
//! declaration or an emitter. The Rust table is compiled and linked in
//! `ffi-tests/tests/dispatch_table.rs`, beside the library that defines its
//! ABI marker.

use std::path::{Path, PathBuf};

use perry_stack_codegen::ffi::generated_files;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn committed_files_are_fresh() {
    let root = workspace_root();
    let bless = std::env::var_os("PERRY_STACK_BLESS").is_some_and(|value| value == "1");
    let mut stale = Vec::new();

    for (path, content) in generated_files() {
        let full = root.join(&path);
        if bless {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &content).unwrap();
            continue;
        }
        match std::fs::read_to_string(&full) {
            Ok(committed) if committed == content => {}
            Ok(_) => stale.push(format!("{path} differs from a fresh generation")),
            Err(error) => stale.push(format!("{path} cannot be read: {error}")),
        }
    }

    assert!(stale.is_empty(), "{}\nrun `PERRY_STACK_BLESS=1 cargo test -p perry-stack-codegen --test ffi_generated` and commit the result", stale.join("\n"));
}

#[test]
fn generation_is_byte_identical() {
    assert_eq!(generated_files(), generated_files());
}
