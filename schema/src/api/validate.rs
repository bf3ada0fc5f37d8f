//! Rules of the declaration that its Rust types cannot express.
//!
//! Each rule is one `check_*` function that records errors; [`validate`]
//! runs them all, so every broken rule is reported at once. Rules about ABI
//! mappings do not belong here: every `ParamType` variant has one by
//! construction.

use std::collections::BTreeMap;

use super::model::{Module, TypeDecl};
use super::walk::{named_types, named_unions};

/// Checks every module and returns one message per broken rule, empty when
/// the declaration is valid.
pub fn validate(modules: &[&Module]) -> Vec<String> {
    let mut errors = Vec::new();
    for module in modules {
        check_function_names_unique(module, &mut errors);
        check_identifiers(module, &mut errors);
        check_optional_params_trailing(module, &mut errors);
        check_type_names_unique(module, &mut errors);
        check_union_members(module, &mut errors);
    }
    errors
}

/// Two functions with one name would produce one symbol twice.
fn check_function_names_unique(module: &Module, errors: &mut Vec<String>) {
    let mut seen = BTreeMap::new();
    for function in module.functions {
        if seen.insert(function.name, ()).is_some() {
            errors.push(format!("{}: function `{}` is declared twice", module.specifier, function.name));
        }
    }
}

/// Names become TypeScript identifiers and, converted to snake case, parts of
/// C symbols, so they must be ASCII identifiers in lower camel case.
fn check_identifiers(module: &Module, errors: &mut Vec<String>) {
    for function in module.functions {
        if !is_lower_camel(function.name) {
            errors.push(format!("{}: function name `{}` is not a lower camelCase ASCII identifier", module.specifier, function.name));
        }
        for param in function.params {
            if !is_lower_camel(param.name) {
                errors.push(format!(
                    "{}.{}: parameter name `{}` is not a lower camelCase ASCII identifier",
                    module.specifier, function.name, param.name
                ));
            }
        }
    }
}

/// TypeScript forbids a required parameter after an optional one, and the
/// compiler pads only trailing arguments.
fn check_optional_params_trailing(module: &Module, errors: &mut Vec<String>) {
    for function in module.functions {
        let mut optional_seen = None;
        for param in function.params {
            match (param.optional, optional_seen) {
                (true, _) => optional_seen = Some(param.name),
                (false, Some(before)) => errors.push(format!(
                    "{}.{}: required parameter `{}` follows optional parameter `{}`; make it optional or move it first",
                    module.specifier, function.name, param.name, before
                )),
                (false, None) => {}
            }
        }
    }
}

/// One `.d.ts` file declares each named type once, so two different types
/// must not share a name.
fn check_type_names_unique(module: &Module, errors: &mut Vec<String>) {
    let mut by_name: BTreeMap<&str, &TypeDecl> = BTreeMap::new();
    for function in module.functions {
        let single = Module { specifier: module.specifier, name: module.name, doc: "", functions: std::slice::from_ref(function) };
        for (name, decl) in named_types(&single) {
            match by_name.get(name) {
                Some(existing) if !std::ptr::eq(*existing, decl) => {
                    errors.push(format!("{}: two different types are named `{}`", module.specifier, name));
                }
                _ => {
                    by_name.insert(name, decl);
                }
            }
        }
    }
}

/// A union member is chosen by the JSON kind of the value, so each member
/// needs one kind of its own. A union also shares the `.d.ts` namespace with
/// the object types, so its name must differ from theirs.
fn check_union_members(module: &Module, errors: &mut Vec<String>) {
    let objects = named_types(module);
    for (name, decl) in named_unions(module) {
        if objects.contains_key(name) {
            errors.push(format!("{}: a union and an object type are both named `{}`", module.specifier, name));
        }
        if decl.members.len() < 2 {
            errors.push(format!("{}: union `{}` needs at least two members", module.specifier, name));
        }
        let mut kinds = BTreeMap::new();
        for member in decl.members {
            match member.ty.json_kind() {
                None => errors.push(format!(
                    "{}: member `{}` of union `{}` has no single JSON kind; use a concrete type",
                    module.specifier, member.name, name
                )),
                Some(kind) => {
                    if let Some(before) = kinds.insert(kind, member.name) {
                        errors.push(format!(
                            "{}: members `{}` and `{}` of union `{}` are both JSON {:?} values, so a value cannot choose between them",
                            module.specifier, before, member.name, name, kind
                        ));
                    }
                }
            }
        }
    }
}

fn is_lower_camel(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z')) && chars.all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
