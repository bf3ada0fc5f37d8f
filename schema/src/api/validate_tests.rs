use super::*;
use crate::api::model::{Function, Param, ParamType, Returns, Value};
use crate::api::MODULES;

const fn param(name: &'static str, optional: bool) -> Param {
    Param { name, doc: "", ty: ParamType::Number, optional }
}

fn module(functions: &'static [Function]) -> Module {
    Module { specifier: "perry/test", name: "test", doc: "", functions }
}

#[test]
fn declared_modules_are_valid() {
    assert_eq!(validate(&MODULES), Vec::<String>::new());
}

#[test]
fn duplicate_function_is_reported() {
    static FUNCTIONS: [Function; 2] = [
        Function { name: "up", doc: "", params: &[], returns: Returns::Promise(Value::Void) },
        Function { name: "up", doc: "", params: &[], returns: Returns::Promise(Value::Void) },
    ];
    let errors = validate(&[&module(&FUNCTIONS)]);
    assert_eq!(errors, ["perry/test: function `up` is declared twice"]);
}

#[test]
fn required_after_optional_is_reported() {
    static FUNCTIONS: [Function; 1] = [Function {
        name: "up",
        doc: "",
        params: &[param("first", true), param("second", false)],
        returns: Returns::Promise(Value::Void),
    }];
    let errors = validate(&[&module(&FUNCTIONS)]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("required parameter `second` follows optional parameter `first`"), "{errors:?}");
}

#[test]
fn bad_identifier_is_reported() {
    static FUNCTIONS: [Function; 1] = [Function {
        name: "Pull-image",
        doc: "",
        params: &[param("my_ref", false)],
        returns: Returns::Promise(Value::Void),
    }];
    let errors = validate(&[&module(&FUNCTIONS)]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("function name `Pull-image`"));
    assert!(errors[1].contains("parameter name `my_ref`"));
}

#[test]
fn every_module_declares_the_listed_functions() {
    let names = |module: &Module| module.functions.iter().map(|f| f.name).collect::<Vec<_>>();
    assert_eq!(
        names(MODULES[0]),
        [
            "run", "create", "start", "stop", "remove", "list", "inspect", "logs", "exec", "pullImage", "listImages",
            "removeImage", "build", "removeIfExists", "downByProject", "downAll", "getBackend", "detectBackend",
            "getAvailableBackends", "getBackendPriority", "setBackend", "setBackends",
        ]
    );
    assert_eq!(names(MODULES[1]), ["up", "down", "ps", "logs", "exec", "config", "start", "stop", "restart"]);
    assert_eq!(
        names(MODULES[2]),
        ["graph", "node", "runtime", "policy", "runGraph", "inspectGraph", "down", "status", "ps", "logs", "exec"]
    );
}

#[test]
fn union_members_of_one_kind_are_reported() {
    use crate::api::model::{Member, TypeRef, UnionDecl};
    static TEXT_OR_NAME: UnionDecl = UnionDecl {
        name: "TextOrName",
        doc: "",
        members: &[Member { name: "Text", ty: TypeRef::String }, Member { name: "Name", ty: TypeRef::Literal(&["a"]) }],
    };
    static FUNCTIONS: [Function; 1] = [Function {
        name: "up",
        doc: "",
        params: &[Param { name: "spec", doc: "", ty: ParamType::Structured(TypeRef::Union(&TEXT_OR_NAME)), optional: false }],
        returns: Returns::Promise(Value::Void),
    }];
    let errors = validate(&[&module(&FUNCTIONS)]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("members `Text` and `Name` of union `TextOrName` are both JSON String values"), "{errors:?}");
}
