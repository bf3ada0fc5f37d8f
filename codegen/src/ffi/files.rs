//! The committed generated files and their paths in the workspace.

use perry_stack_schema::api::{Module, MODULES};

use super::{emit_dispatch_json, emit_dispatch_rust, emit_dts, emit_header, emit_rust_ffi};

/// Emits every generated file as `(path relative to the workspace root, content)`,
/// in a fixed order.
pub fn generated_files() -> Vec<(String, String)> {
    let modules: &[&Module] = &MODULES;
    let mut files = vec![
        ("generated/perry_stack.h".to_owned(), emit_header(modules)),
        ("generated/dispatch.json".to_owned(), emit_dispatch_json(modules)),
        ("generated/dispatch.rs".to_owned(), emit_dispatch_rust(modules)),
        ("runtime/src/ffi/generated.rs".to_owned(), emit_rust_ffi(modules)),
    ];
    for module in modules {
        files.push((format!("types/perry/{}/index.d.ts", module.name), emit_dts(module)));
    }
    files
}

/// Emits only the TypeScript declarations, as `(path relative to the output
/// directory, content)`, for users who do not build with cargo.
pub fn typescript_files() -> Vec<(String, String)> {
    MODULES.iter().map(|module| (format!("perry/{}/index.d.ts", module.name), emit_dts(module))).collect()
}
