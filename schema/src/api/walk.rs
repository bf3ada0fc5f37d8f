//! Traversals of the declaration that emitters share.

use std::collections::BTreeMap;

use super::model::{Module, ParamType, Returns, TypeDecl, TypeRef, Value};

/// Collects every named type that a module's parameters and results reach,
/// including types nested in fields, sorted by name.
pub fn named_types(module: &Module) -> BTreeMap<&'static str, &'static TypeDecl> {
    let mut found = BTreeMap::new();
    for function in module.functions {
        for param in function.params {
            if let ParamType::Structured(ty) = &param.ty {
                visit(ty, &mut found);
            }
        }
        let (Returns::Promise(value) | Returns::Sync(value)) = &function.returns;
        if let Value::Json(ty) = value {
            visit(ty, &mut found);
        }
    }
    found
}

fn visit(ty: &TypeRef, found: &mut BTreeMap<&'static str, &'static TypeDecl>) {
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => visit(inner, found),
        TypeRef::Named(decl) => {
            if found.insert(decl.name, *decl).is_none() {
                for field in decl.fields {
                    visit(&field.ty, found);
                }
            }
        }
        TypeRef::String | TypeRef::Number | TypeRef::Boolean | TypeRef::Unknown | TypeRef::Literal(_) => {}
    }
}
