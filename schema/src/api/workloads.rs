//! Declaration of `perry/workloads`: graphs of workload nodes.

use super::build::{optional as opt, required as req};
use super::model::{Function, HandleKind, Module, ParamType as P, Returns, TypeRef, Value};
use super::types::*;

const GRAPH: P = P::Handle(HandleKind::Graph);
const GRAPH_SPEC: P = P::Structured(TypeRef::Named(&WORKLOAD_GRAPH));

pub static MODULE: Module = Module {
    specifier: "perry/workloads",
    name: "workloads",
    doc: "Workload graphs: nodes with policies and dependencies, run as one unit.",
    functions: &[
        Function {
            name: "graph",
            doc: "Builds a workload graph from its nodes. Nothing is checked or started until `inspectGraph` or `runGraph`.",
            params: &[
                req("name", P::String, "Graph name, used as the project name."),
                req("nodes", P::Structured(TypeRef::Array(&TypeRef::Named(&WORKLOAD_NODE))), "Nodes of the graph."),
                opt("options", P::Structured(TypeRef::Named(&GRAPH_OPTIONS)), "Execution and failure strategies."),
            ],
            returns: Returns::Sync(Value::Json(TypeRef::Named(&WORKLOAD_GRAPH))),
        },
        Function {
            name: "node",
            doc: "Builds a workload node.",
            params: &[
                req("name", P::String, "Node name, unique in its graph."),
                req("spec", P::Structured(TypeRef::Named(&NODE_SPEC)), "What the node runs."),
            ],
            returns: Returns::Sync(Value::Json(TypeRef::Named(&WORKLOAD_NODE))),
        },
        Function {
            name: "runtime",
            doc: "Describes the container runtime a node runs on.",
            params: &[opt("options", P::Structured(TypeRef::Named(&RUNTIME_SPEC)), "Backend and minimum isolation.")],
            returns: Returns::Sync(Value::Json(TypeRef::Named(&RUNTIME_SPEC))),
        },
        Function {
            name: "policy",
            doc: "Describes the security policy of a node.",
            params: &[
                req("tier", P::Literal(POLICY_TIERS), "Policy tier."),
                opt("network", P::Boolean, "Whether the node has a network; follows the tier when omitted."),
            ],
            returns: Returns::Sync(Value::Json(TypeRef::Named(&POLICY))),
        },
        Function {
            name: "runGraph",
            doc: "Validates, plans and starts a workload graph.",
            params: &[req("graph", GRAPH_SPEC, "Graph to run."), opt("options", P::Structured(TypeRef::Named(&RUN_OPTIONS)), "How to run it.")],
            returns: Returns::Promise(Value::Handle(HandleKind::Graph)),
        },
        Function {
            name: "inspectGraph",
            doc: "Validates and plans a workload graph without starting anything.",
            params: &[req("graph", GRAPH_SPEC, "Graph to check.")],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&GRAPH_PLAN))),
        },
        Function {
            name: "down",
            doc: "Stops and removes every node of a running graph and releases its handle.",
            params: &[req("graph", GRAPH, "Graph to take down."), opt("options", P::Structured(TypeRef::Named(&DOWN_OPTIONS)), "What else to remove.")],
            returns: Returns::Promise(Value::Void),
        },
        Function {
            name: "status",
            doc: "Reads the state of a running graph and of each node.",
            params: &[req("graph", GRAPH, "Graph to read.")],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&GRAPH_STATUS))),
        },
        Function {
            name: "ps",
            doc: "Lists the containers of a running graph.",
            params: &[req("graph", GRAPH, "Graph to list.")],
            returns: Returns::Promise(Value::Json(TypeRef::Array(&TypeRef::Named(&CONTAINER_INFO)))),
        },
        Function {
            name: "logs",
            doc: "Reads the logs of one node of a running graph.",
            params: &[
                req("graph", GRAPH, "Graph of the node."),
                req("node", P::String, "Node name."),
                opt("options", P::Structured(TypeRef::Named(&LOGS_OPTIONS)), "Which lines to read."),
            ],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&LOG_OUTPUT))),
        },
        Function {
            name: "exec",
            doc: "Runs a command in one node of a running graph and waits for it to exit.",
            params: &[
                req("graph", GRAPH, "Graph of the node."),
                req("node", P::String, "Node name."),
                req("command", P::Structured(TypeRef::Array(&TypeRef::String)), "Command and arguments, passed as argv."),
                opt("options", P::Structured(TypeRef::Named(&EXEC_OPTIONS)), "How to run it."),
            ],
            returns: Returns::Promise(Value::Json(TypeRef::Named(&EXEC_RESULT))),
        },
    ],
};
