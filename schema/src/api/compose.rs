//! Declaration of `perry/compose`: stacks from compose specs.

use super::build::{optional as opt, required as req};
use super::model::{Function, HandleKind, Module, ParamType as P, Returns, TypeRef, Value};
use super::types::*;

const STACK: P = P::Handle(HandleKind::Stack);
const VOID: Returns = Returns::Promise(Value::Void);
const SERVICES: P = P::Structured(TypeRef::Named(&SERVICES_OPTIONS));

pub static MODULE: Module = Module {
    specifier: "perry/compose",
    name: "compose",
    doc: "Stacks of services described by the Compose Specification.",
    functions: &[
        Function {
            name: "up",
            doc: "Creates and starts the services of a compose spec. The project name is the spec's `name`, then COMPOSE_PROJECT_NAME, then `perry-` followed by a digest of the spec's content. Two stacks never share a project by accident: `up` rejects a spec whose project is already used by a live stack of a different spec in this process, and `up` of the same spec again returns the same stack. Values are taken literally; `$` is not interpolated.",
            params: &[
                req("spec", P::Structured(TypeRef::Named(&COMPOSE_SPEC)), "The compose file as an object."),
                opt("options", P::Structured(TypeRef::Named(&UP_OPTIONS)), "Services to start, waiting and orphan removal."),
            ],
            returns: Returns::Promise(Value::Handle(HandleKind::Stack)),
        },
        Function {
            name: "down",
            doc: "Stops and removes the containers and networks of a stack and releases its handle.",
            params: &[
                req("stack", STACK, "Stack to take down."),
                opt("options", P::Structured(TypeRef::Named(&DOWN_OPTIONS)), "What else to remove."),
            ],
            returns: VOID,
        },
        Function {
            name: "ps",
            doc: "Lists the containers of a stack.",
            params: &[req("stack", STACK, "Stack to list.")],
            returns: Returns::Promise(Value::Json(TypeRef::Array(&TypeRef::Named(&CONTAINER_INFO)))),
        },
        Function {
            name: "logs",
            doc: "Reads the logs of the services of a stack, each line prefixed with its service.",
            params: &[
                req("stack", STACK, "Stack to read from."),
                opt("options", P::Structured(TypeRef::Named(&LOGS_OPTIONS)), "Services and lines to read."),
            ],
            returns: Returns::Promise(Value::String),
        },
        Function {
            name: "exec",
            doc: "Runs a command in the first container of a service and waits for it to exit.",
            params: &[
                req("stack", STACK, "Stack of the service."),
                req("service", P::String, "Service name."),
                req("command", P::Structured(TypeRef::Array(&TypeRef::String)), "Command and arguments, passed as argv."),
                opt("options", P::Structured(TypeRef::Named(&EXEC_OPTIONS)), "How to run it."),
            ],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&EXEC_RESULT))),
        },
        Function {
            name: "config",
            doc: "Validates a compose spec and resolves with its normalized form as YAML, without starting anything.",
            params: &[req("spec", P::Structured(TypeRef::Named(&COMPOSE_SPEC)), "The compose file as an object.")],
            returns: Returns::Promise(Value::String),
        },
        Function {
            name: "start",
            doc: "Starts stopped services of a stack.",
            params: &[req("stack", STACK, "Stack of the services."), opt("options", SERVICES, "Services to start.")],
            returns: VOID,
        },
        Function {
            name: "stop",
            doc: "Stops services of a stack without removing them.",
            params: &[req("stack", STACK, "Stack of the services."), opt("options", SERVICES, "Services to stop.")],
            returns: VOID,
        },
        Function {
            name: "restart",
            doc: "Restarts services of a stack.",
            params: &[req("stack", STACK, "Stack of the services."), opt("options", SERVICES, "Services to restart.")],
            returns: VOID,
        },
    ],
};
