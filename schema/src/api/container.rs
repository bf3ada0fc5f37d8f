//! Declaration of `perry/container`: single containers, images and backends.

use super::build::{optional as opt, required as req};
use super::model::{Function, HandleKind, Module, ParamType as P, Returns, TypeRef, Value};
use super::types::*;

const CONTAINER: P = P::Handle(HandleKind::Container);
const HANDLE: Returns = Returns::Promise(Value::Handle(HandleKind::Container));
const VOID: Returns = Returns::Promise(Value::Void);
const STRINGS: TypeRef = TypeRef::Array(&TypeRef::String);

pub static MODULE: Module = Module {
    specifier: "perry/container",
    name: "container",
    doc: "Single containers, images and the choice of container runtime.",
    functions: &[
        Function {
            name: "run",
            doc: "Creates and starts a container.",
            params: &[req("spec", P::Structured(TypeRef::Named(&CONTAINER_SPEC)), "What to run.")],
            returns: HANDLE,
        },
        Function {
            name: "create",
            doc: "Creates a container without starting it.",
            params: &[req("spec", P::Structured(TypeRef::Named(&CONTAINER_SPEC)), "What to create.")],
            returns: HANDLE,
        },
        Function {
            name: "start",
            doc: "Starts a created or stopped container.",
            params: &[req("container", CONTAINER, "Container to start.")],
            returns: VOID,
        },
        Function {
            name: "stop",
            doc: "Stops a running container.",
            params: &[
                req("container", CONTAINER, "Container to stop."),
                opt("options", P::Structured(TypeRef::Named(&STOP_OPTIONS)), "How to stop it."),
            ],
            returns: VOID,
        },
        Function {
            name: "remove",
            doc: "Removes a container and releases its handle.",
            params: &[
                req("container", CONTAINER, "Container to remove."),
                opt("options", P::Structured(TypeRef::Named(&REMOVE_OPTIONS)), "How to remove it."),
            ],
            returns: VOID,
        },
        Function {
            name: "list",
            doc: "Lists containers.",
            params: &[opt("options", P::Structured(TypeRef::Named(&LIST_OPTIONS)), "Which containers to list.")],
            returns: Returns::Promise(Value::Json(TypeRef::Array(&TypeRef::Named(&CONTAINER_INFO)))),
        },
        Function {
            name: "inspect",
            doc: "Reads the current state of a container.",
            params: &[req("container", CONTAINER, "Container to inspect.")],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&CONTAINER_INFO))),
        },
        Function {
            name: "logs",
            doc: "Reads the logs of a container.",
            params: &[
                req("container", CONTAINER, "Container to read from."),
                opt("options", P::Structured(TypeRef::Named(&LOGS_OPTIONS)), "Which lines to read."),
            ],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&LOG_OUTPUT))),
        },
        Function {
            name: "exec",
            doc: "Runs a command in a running container and waits for it to exit.",
            params: &[
                req("container", CONTAINER, "Container to run in."),
                req("command", P::Structured(STRINGS), "Command and arguments, passed as argv."),
                opt("options", P::Structured(TypeRef::Named(&EXEC_OPTIONS)), "How to run it."),
            ],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&EXEC_RESULT))),
        },
        Function {
            name: "pullImage",
            doc: "Pulls an image into the local store.",
            params: &[req("reference", P::String, "Image reference.")],
            returns: VOID,
        },
        Function {
            name: "listImages",
            doc: "Lists the images in the local store.",
            params: &[],
            returns: Returns::Promise(Value::Json(TypeRef::Array(&TypeRef::Named(&IMAGE_INFO)))),
        },
        Function {
            name: "removeImage",
            doc: "Removes an image from the local store.",
            params: &[
                req("reference", P::String, "Image reference or ID."),
                opt("options", P::Structured(TypeRef::Named(&REMOVE_OPTIONS)), "How to remove it."),
            ],
            returns: VOID,
        },
        Function {
            name: "build",
            doc: "Builds an image and resolves with its ID.",
            params: &[req("spec", P::Structured(TypeRef::Named(&BUILD_SPEC)), "What to build.")],
            returns: Returns::Promise(Value::String),
        },
        Function {
            name: "removeIfExists",
            doc: "Removes the container with this name if there is one; resolves with whether one was removed.",
            params: &[req("name", P::String, "Container name.")],
            returns: Returns::Promise(Value::Boolean),
        },
        Function {
            name: "downByProject",
            doc: "Removes every container, network and, on request, volume of a compose project.",
            params: &[
                req("project", P::String, "Compose project name."),
                opt("options", P::Structured(TypeRef::Named(&DOWN_OPTIONS)), "What else to remove."),
            ],
            returns: VOID,
        },
        Function {
            name: "downAll",
            doc: "Removes every container that perry-stack started in any project.",
            params: &[opt("options", P::Structured(TypeRef::Named(&DOWN_OPTIONS)), "What else to remove.")],
            returns: VOID,
        },
        Function {
            name: "getBackend",
            doc: "Returns the name of the backend in use, detecting it on the first call. Works before any other call.",
            params: &[],
            returns: Returns::Sync(Value::String),
        },
        Function {
            name: "detectBackend",
            doc: "Detects the backend to use and describes it.",
            params: &[],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&BACKEND_INFO))),
        },
        Function {
            name: "getAvailableBackends",
            doc: "Lists the backends found on this machine, in priority order.",
            params: &[],
            returns: Returns::Promise(Value::Json(TypeRef::Array(&TypeRef::Named(&BACKEND_INFO)))),
        },
        Function {
            name: "getBackendPriority",
            doc: "Lists the backend names in the order detection tries them.",
            params: &[],
            returns: Returns::Promise(Value::Json(STRINGS)),
        },
        Function {
            name: "setBackend",
            doc: "Pins one backend by name for every later call.",
            params: &[req("name", P::String, "Backend name, such as `podman`.")],
            returns: VOID,
        },
        Function {
            name: "setBackends",
            doc: "Sets the backend names that detection tries, in order.",
            params: &[req("names", P::Structured(STRINGS), "Backend names in priority order.")],
            returns: VOID,
        },
    ],
};
