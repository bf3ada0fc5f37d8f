//! Snapshots of each FFI emitter over the real declaration.

use perry_stack_codegen::ffi::{dispatch_rows, emit_dispatch_json, emit_dispatch_rust, emit_dts, emit_header, ArgKind, ReturnKind};
use perry_stack_schema::api::{compose, container, workloads, MODULES};

#[test]
fn header_snapshot() {
    insta::assert_snapshot!(emit_header(&MODULES));
}

#[test]
fn dispatch_json_snapshot() {
    insta::assert_snapshot!(emit_dispatch_json(&MODULES));
}

#[test]
fn dispatch_rust_snapshot() {
    insta::assert_snapshot!(emit_dispatch_rust(&MODULES));
}

#[test]
fn dts_container_snapshot() {
    insta::assert_snapshot!(emit_dts(&container::MODULE));
}

#[test]
fn dts_compose_snapshot() {
    insta::assert_snapshot!(emit_dts(&compose::MODULE));
}

#[test]
fn dts_workloads_snapshot() {
    insta::assert_snapshot!(emit_dts(&workloads::MODULE));
}

#[test]
fn dispatch_json_parses() {
    let json: serde_json::Value = serde_json::from_str(&emit_dispatch_json(&MODULES)).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), dispatch_rows(&MODULES).len());
}

#[test]
fn receiver_row_mirrors_plain_row() {
    let rows = dispatch_rows(&MODULES);
    let plain = rows.iter().find(|row| row.symbol == "perry_stack_compose_down").unwrap();
    let receiver = rows.iter().find(|row| row.symbol == "perry_stack_compose_stack_down").unwrap();
    assert!(!plain.has_receiver);
    assert_eq!(plain.args, [ArgKind::F64, ArgKind::JsvalI64]);
    assert!(receiver.has_receiver);
    assert_eq!(receiver.class_filter, Some("StackHandle"));
    assert_eq!(receiver.method, "down");
    assert_eq!(receiver.args, [ArgKind::JsvalI64]);
    assert_eq!(receiver.returns, ReturnKind::Ptr);
}

#[test]
fn every_handle_operation_has_receiver_row() {
    let rows = dispatch_rows(&MODULES);
    for module in MODULES {
        for function in module.functions.iter().filter(|function| function.receiver().is_some()) {
            let found = rows.iter().any(|row| row.has_receiver && row.module == module.specifier && row.method == function.name);
            assert!(found, "no receiver row for {}.{}", module.specifier, function.name);
        }
    }
}

#[test]
fn symbols_are_unique() {
    let rows = dispatch_rows(&MODULES);
    let mut symbols: Vec<_> = rows.iter().map(|row| row.symbol.as_str()).collect();
    symbols.sort_unstable();
    let before = symbols.len();
    symbols.dedup();
    assert_eq!(symbols.len(), before);
}

#[test]
fn sync_functions_do_not_return_promises() {
    let rows = dispatch_rows(&MODULES);
    let get_backend = rows.iter().find(|row| row.symbol == "perry_stack_container_get_backend").unwrap();
    assert_eq!(get_backend.returns, ReturnKind::Str);
    let node = rows.iter().find(|row| row.symbol == "perry_stack_workloads_node").unwrap();
    assert_eq!(node.returns, ReturnKind::F64);
}

#[test]
fn strings_never_use_jsval_and_objects_never_use_strptr() {
    let rows = dispatch_rows(&MODULES);
    let pull = rows.iter().find(|row| row.symbol == "perry_stack_container_pull_image").unwrap();
    assert_eq!(pull.args, [ArgKind::StrPtr]);
    let up = rows.iter().find(|row| row.symbol == "perry_stack_compose_up").unwrap();
    assert_eq!(up.args, [ArgKind::JsvalI64, ArgKind::JsvalI64]);
}

#[test]
fn emitters_are_deterministic() {
    assert_eq!(emit_header(&MODULES), emit_header(&MODULES));
    assert_eq!(emit_dispatch_json(&MODULES), emit_dispatch_json(&MODULES));
    for module in MODULES {
        assert_eq!(emit_dts(module), emit_dts(module));
    }
}

#[test]
fn rust_ffi_snapshot() {
    insta::assert_snapshot!(perry_stack_codegen::ffi::emit_rust_ffi(&MODULES));
}

/// A union on its own: the TypeScript alias and the Rust enum that decodes
/// by JSON kind, side by side.
#[test]
fn union_snapshot() {
    let decl = &perry_stack_schema::api::types::COMPOSE_DEPENDS_ON;
    let syntax = syn::parse2::<syn::File>(perry_stack_codegen::ffi::rust_types::expand_union(decl)).unwrap();
    use perry_stack_schema::api::{types::COMPOSE_DEPENDS_ON, Function, Module, Param, ParamType, Returns, TypeRef, Value};
    static FUNCTIONS: [Function; 1] = [Function {
        name: "up",
        doc: "Takes one union.",
        params: &[Param { name: "dependsOn", doc: "The union.", ty: ParamType::Structured(TypeRef::Union(&COMPOSE_DEPENDS_ON)), optional: false }],
        returns: Returns::Promise(Value::Void),
    }];
    let module = Module { specifier: "perry/test", name: "test", doc: "Union snapshot.", functions: &FUNCTIONS };
    insta::assert_snapshot!(format!("{}\n{}", emit_dts(&module), prettyplease::unparse(&syntax)));
}

/// Every union has one TypeScript member per Rust variant, in the same
/// order, in the committed outputs.
#[test]
fn unions_agree_between_typescript_and_rust() {
    let rust = perry_stack_codegen::ffi::emit_rust_ffi(&MODULES);
    for module in MODULES {
        let dts = emit_dts(module);
        for (name, decl) in perry_stack_schema::api::walk::named_unions(module) {
            let alias = dts.lines().find(|line| line.starts_with(&format!("export type {name} = "))).unwrap_or_else(|| panic!("no alias {name}"));
            assert_eq!(alias.matches(" | ").count() + 1, decl.members.len(), "{alias}");
            let start = rust.find(&format!("pub enum {name} {{")).unwrap_or_else(|| panic!("no enum {name}"));
            let body = &rust[start..start + rust[start..].find('}').unwrap()];
            let variants: Vec<&str> = body.lines().skip(1).map(|line| line.trim().trim_end_matches(',')).filter(|line| !line.is_empty()).collect();
            let expected: Vec<String> = decl
                .members
                .iter()
                .map(|member| match member.ty {
                    perry_stack_schema::api::TypeRef::Null => member.name.to_owned(),
                    _ => format!("{}(", member.name),
                })
                .collect();
            assert_eq!(variants.len(), expected.len(), "{name}: {variants:?}");
            for (variant, expected) in variants.iter().zip(&expected) {
                assert!(variant.starts_with(expected.as_str()), "{name}: {variant} is not {expected}");
            }
        }
    }
}
