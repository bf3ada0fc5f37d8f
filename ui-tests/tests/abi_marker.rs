//! A program that includes the generated Rust dispatch table links only
//! against a library built from the same API declaration: the table
//! references the ABI marker symbol, whose name carries the declaration's
//! hash.

mod support;

use std::fs;

const MAIN: &str = r#"// Linking the library is what defines the marker.
extern crate perry_stack;

#[allow(dead_code)]
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

#[allow(dead_code)]
#[derive(Debug)]
enum ArgKind { F64, StrPtr, PtrI64, JsvalI64 }

#[allow(dead_code)]
#[derive(Debug)]
enum ReturnKind { Ptr, Str, F64, Void, I32Void }

include!("dispatch.rs");

fn main() {
    println!("{} rows", DISPATCH_ROWS.len());
}
"#;

fn committed_table() -> String {
    fs::read_to_string(support::workspace().join("generated/dispatch.rs")).expect("read generated/dispatch.rs")
}

fn marker(table: &str) -> &str {
    let start = table.find("perry_stack_abi_").expect("the table names its marker");
    &table[start..start + "perry_stack_abi_".len() + 16]
}

#[test]
fn current_table_links() {
    let folder = support::probe_folder("abi-current");
    support::write_probe_crate(&folder, "abi-current", MAIN);
    fs::write(folder.join("src/dispatch.rs"), committed_table()).expect("write dispatch.rs");

    let output = support::cargo(&folder, &["build"]);
    assert!(output.status.success(), "the current table failed to link:\n{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn stale_table_fails_to_link() {
    let table = committed_table();
    let stale = "perry_stack_abi_0000000000000000";
    assert_ne!(marker(&table), stale);
    let folder = support::probe_folder("abi-stale");
    support::write_probe_crate(&folder, "abi-stale", MAIN);
    fs::write(folder.join("src/dispatch.rs"), table.replace(marker(&table), stale)).expect("write dispatch.rs");

    let output = support::cargo(&folder, &["build"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a table with another declaration's marker linked");
    assert!(stderr.contains(&format!("undefined symbol: {stale}")), "the link failed for another reason:\n{stderr}");
}
