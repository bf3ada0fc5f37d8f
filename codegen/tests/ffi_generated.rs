//! The committed generated files must equal a fresh generation.
//!
//! Run with `PERRY_STACK_BLESS=1` to rewrite them after changing the
//! declaration or an emitter. The Rust table is also compiled into this
//! test, so after it changes the first blessing run fails and a second
//! one passes.

use std::path::{Path, PathBuf};

use perry_stack_codegen::ffi::{abi_marker, dispatch_rows, generated_files, ArgKind, DispatchRow as Computed, ReturnKind};
use perry_stack_schema::api::MODULES;

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

/// The row type the generated Rust table is written against, as a compiler
/// that includes it would declare it.
#[derive(Debug)]
struct DispatchRow {
    module: &'static str,
    has_receiver: bool,
    method: &'static str,
    class_filter: Option<&'static str>,
    symbol: &'static str,
    args: &'static [ArgKind],
    returns: ReturnKind,
}

mod generated {
    use super::{ArgKind, DispatchRow, ReturnKind};

    include!("../../generated/dispatch.rs");
}

#[test]
fn generated_rust_table_compiles_and_matches() {
    let table: &[DispatchRow] = generated::DISPATCH_ROWS;
    assert_eq!(generated::ABI_MARKER, abi_marker(&MODULES));
    let computed: Vec<Computed> = dispatch_rows(&MODULES);
    assert_eq!(table.len(), computed.len());
    for (row, expected) in table.iter().zip(&computed) {
        assert_eq!(row.module, expected.module);
        assert_eq!(row.has_receiver, expected.has_receiver);
        assert_eq!(row.method, expected.method);
        assert_eq!(row.class_filter, expected.class_filter);
        assert_eq!(row.symbol, expected.symbol);
        assert_eq!(row.args, expected.args.as_slice());
        assert_eq!(row.returns, expected.returns);
    }
}
