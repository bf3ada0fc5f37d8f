//! Dispatch rows: how the compiler lowers each call to a native symbol.

use heck::ToSnakeCase;
use perry_stack_schema::api::{Function, HandleKind, Module, ParamType, Returns, Value};

/// How one argument is lowered at the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// The NaN-boxed value as a `double`.
    F64,
    /// A `StringHeader*` as an `int64_t`.
    StrPtr,
    /// The low 48 bits of the value as an `int64_t`.
    PtrI64,
    /// All 64 bits of the NaN-boxed value as an `int64_t`.
    JsvalI64,
}

/// How the returned value is boxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnKind {
    /// An `int64_t` boxed with the pointer tag; used for promises.
    Ptr,
    /// A `StringHeader*` boxed as a string; `0` becomes null.
    Str,
    /// A `double` passed through.
    F64,
    Void,
    I32Void,
}

/// One `(module, has_receiver, method, class_filter, symbol, args, return)`
/// row. For a row with a receiver, `args` lists the arguments after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchRow {
    pub module: &'static str,
    pub has_receiver: bool,
    pub method: &'static str,
    pub class_filter: Option<&'static str>,
    pub symbol: String,
    pub args: Vec<ArgKind>,
    pub returns: ReturnKind,
}

impl ArgKind {
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::F64 => "F64",
            ArgKind::StrPtr => "StrPtr",
            ArgKind::PtrI64 => "PtrI64",
            ArgKind::JsvalI64 => "JsvalI64",
        }
    }

    /// The C type of a parameter of this kind.
    pub fn c_type(self) -> &'static str {
        match self {
            ArgKind::F64 => "double",
            ArgKind::StrPtr | ArgKind::PtrI64 | ArgKind::JsvalI64 => "int64_t",
        }
    }
}

impl ReturnKind {
    pub fn name(self) -> &'static str {
        match self {
            ReturnKind::Ptr => "Ptr",
            ReturnKind::Str => "Str",
            ReturnKind::F64 => "F64",
            ReturnKind::Void => "Void",
            ReturnKind::I32Void => "I32Void",
        }
    }

    /// The C return type of a symbol with this kind.
    pub fn c_type(self) -> &'static str {
        match self {
            ReturnKind::Ptr | ReturnKind::Str => "int64_t",
            ReturnKind::F64 => "double",
            ReturnKind::Void => "void",
            ReturnKind::I32Void => "int32_t",
        }
    }
}

/// The dispatch kind of a declared parameter type.
pub fn arg_kind(ty: &ParamType) -> ArgKind {
    match ty {
        ParamType::Handle(_) | ParamType::Number | ParamType::Boolean => ArgKind::F64,
        ParamType::String | ParamType::Literal(_) => ArgKind::StrPtr,
        ParamType::Structured(_) => ArgKind::JsvalI64,
    }
}

/// The return kind of a declared result.
pub fn return_kind(returns: &Returns) -> ReturnKind {
    match returns {
        Returns::Promise(_) => ReturnKind::Ptr,
        Returns::Sync(Value::Void) => ReturnKind::Void,
        Returns::Sync(Value::String) => ReturnKind::Str,
        Returns::Sync(Value::Number | Value::Boolean | Value::Handle(_) | Value::Json(_)) => ReturnKind::F64,
    }
}

/// The symbol of the plain-function form, `perry_stack_compose_up`.
pub fn function_symbol(module: &Module, function: &Function) -> String {
    format!("perry_stack_{}_{}", module.name, function.name.to_snake_case())
}

/// The symbol of the receiver form, `perry_stack_compose_stack_down`.
pub fn receiver_symbol(module: &Module, function: &Function, kind: HandleKind) -> String {
    format!("perry_stack_{}_{}_{}", module.name, kind.word(), function.name.to_snake_case())
}

/// Every row of every module: each function's plain row, followed by its
/// receiver row when the first parameter is a handle.
pub fn dispatch_rows(modules: &[&Module]) -> Vec<DispatchRow> {
    let mut rows = Vec::new();
    for module in modules {
        for function in module.functions {
            rows.push(DispatchRow {
                module: module.specifier,
                has_receiver: false,
                method: function.name,
                class_filter: None,
                symbol: function_symbol(module, function),
                args: function.params.iter().map(|param| arg_kind(&param.ty)).collect(),
                returns: return_kind(&function.returns),
            });

            if let Some(kind) = function.receiver() {
                rows.push(DispatchRow {
                    module: module.specifier,
                    has_receiver: true,
                    method: function.name,
                    class_filter: Some(kind.type_name()),
                    symbol: receiver_symbol(module, function, kind),
                    args: function.params[1..].iter().map(|param| arg_kind(&param.ty)).collect(),
                    returns: return_kind(&function.returns),
                });
            }
        }
    }
    rows
}
