//! Workload graphs: typed nodes, references between them, and an engine that
//! runs a graph with its policy tiers enforced and checked.

use std::fmt;
use std::marker::PhantomData;

use perry_stack_schema::workload::WorkloadNode;

/// A struct that `#[workload]` made a node.
pub trait Workload {
    /// The node's name in its graph.
    const NAME: &'static str;
    /// The node's description.
    fn node() -> WorkloadNode;
}

/// Reads the description that `#[workload]` embedded. The macro wrote it
/// from the same type, so a failure is a bug in the macro, not user input.
#[doc(hidden)]
pub fn node_from_json(json: &str) -> WorkloadNode {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("the embedded workload description does not read back: {error}"))
}

macro_rules! address_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            pub value: String,
            target: PhantomData<fn() -> T>,
        }

        impl<T> $name<T> {
            pub fn new(value: impl Into<String>) -> Self {
                Self { value: value.into(), target: PhantomData }
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                Self::new(self.value.clone())
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.value).finish()
            }
        }

        impl<T> fmt::Display for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.value)
            }
        }
    };
}

address_type!(
    /// `host:port` of node `T`, resolved when `T` has started.
    Endpoint
);
address_type!(
    /// The address of node `T`.
    Ip
);
address_type!(
    /// `http://host:port` of node `T`.
    InternalUrl
);

mod engine;
mod state;
#[cfg(test)]
mod tests;

pub use engine::{
    allows_shared_kernel, confinement, container_name, required_options, tier_mismatches, GraphEngine, GraphError, GraphReport, RunOptions, Runtimes, ALLOW_SHARED_KERNEL_VARIABLE, MICROVM_CANDIDATES,
    NODE_LABEL, PROJECT_LABEL, SHARED_KERNEL_LABEL, TIER_LABEL, WASM_CANDIDATES,
};
pub use state::{format_status, NodeState, NodeStatus};
