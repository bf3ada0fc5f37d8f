//! Typed handles: one Rust type per handle kind, so a stack handle passed
//! where a graph handle is expected is a compile error in Rust, as the
//! branded types make it one in TypeScript.

use perry_stack_schema::api::HandleKind;

use super::handle::Handle;

/// A handle type with a fixed kind.
pub trait TypedHandle: Sized {
    const KIND: HandleKind;

    /// Wraps a handle already checked to be of kind [`Self::KIND`].
    fn from_checked(handle: Handle) -> Self;

    fn handle(&self) -> Handle;
}

macro_rules! typed_handle {
    ($name:ident, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name(Handle);

        impl TypedHandle for $name {
            const KIND: HandleKind = $kind;

            fn from_checked(handle: Handle) -> Self {
                $name(handle)
            }

            fn handle(&self) -> Handle {
                self.0
            }
        }
    };
}

typed_handle!(ContainerHandle, HandleKind::Container, "A handle to a container in the registry.");
typed_handle!(StackHandle, HandleKind::Stack, "A handle to a compose stack in the registry.");
typed_handle!(GraphHandle, HandleKind::Graph, "A handle to a running workload graph in the registry.");
