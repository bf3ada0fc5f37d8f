//! The ABI between Perry-compiled code and perry-stack: NaN-boxed values,
//! heap strings, the host functions, the handle registry and argument
//! decoding.

pub mod api_impl;
pub mod args;
pub mod bridge;
#[allow(clippy::all)]
pub mod generated;
pub mod handle;
pub mod host;
pub mod nanbox;
pub mod string;
pub mod typed;

pub use api_impl::EngineApi;
pub use bridge::{install_api, ApiError, ApiFuture, Outcome};
pub use generated::*;
pub use typed::{ContainerHandle, GraphHandle, StackHandle, TypedHandle};
pub use args::{ArgumentError, ArgumentSite};
pub use handle::{Handle, HandleError, HandleRegistry};
pub use host::{HostFunctions, PromiseId};
pub use nanbox::{Decoded, JsValue};
pub use string::{OwnedString, StringHeader};
