//! Traversals of the declaration that emitters share.

use std::collections::BTreeMap;

use super::model::{Module, ParamType, Returns, TypeDecl, TypeRef, UnionDecl, Value};

/// Collects every named object type that a module's parameters and results
/// reach, including types nested in fields and unions, sorted by name.
pub fn named_types(module: &Module) -> BTreeMap<&'static str, &'static TypeDecl> {
    collect(module).0
}

/// Collects every named union that a module's parameters and results reach,
/// sorted by name.
pub fn named_unions(module: &Module) -> BTreeMap<&'static str, &'static UnionDecl> {
    collect(module).1
}

#[derive(Default)]
struct Found {
    objects: BTreeMap<&'static str, &'static TypeDecl>,
    unions: BTreeMap<&'static str, &'static UnionDecl>,
}

fn collect(module: &Module) -> (BTreeMap<&'static str, &'static TypeDecl>, BTreeMap<&'static str, &'static UnionDecl>) {
    let mut found = Found::default();
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
    (found.objects, found.unions)
}

fn visit(ty: &TypeRef, found: &mut Found) {
    match ty {
        TypeRef::Array(inner) | TypeRef::Map(inner) => visit(inner, found),
        TypeRef::Named(decl) => {
            if found.objects.insert(decl.name, *decl).is_none() {
                for field in decl.fields {
                    visit(&field.ty, found);
                }
            }
        }
        TypeRef::Union(decl) => {
            if found.unions.insert(decl.name, *decl).is_none() {
                for member in decl.members {
                    visit(&member.ty, found);
                }
            }
        }
        TypeRef::String | TypeRef::Number | TypeRef::Boolean | TypeRef::Unknown | TypeRef::Literal(_) | TypeRef::Null => {}
    }
}
