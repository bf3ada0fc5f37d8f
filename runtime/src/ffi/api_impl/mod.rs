//! The implementation of the module traits that the exported symbols call
//! by default: containers on the selected backend, stacks on the engine,
//! and workload graphs on the graph engine.

pub mod backends;
pub(crate) mod compose;
pub(crate) mod container;
mod cli;
mod workload_model;
mod workloads;

use std::sync::Arc;

use perry_stack_schema::api::HandleKind;

use super::bridge::ApiError;
use super::handle::HandleRegistry;
use super::typed::TypedHandle;
use backends::Selected;

/// The engine-backed implementation of every Perry module.
pub struct EngineApi;

fn failed(function: &'static str, message: impl std::fmt::Display) -> ApiError {
    ApiError::Failed { function, message: message.to_string() }
}

fn not_supported(function: &'static str, what: impl Into<String>) -> ApiError {
    ApiError::NotSupported { function, what: what.into() }
}

/// Returns the selected backend, detecting it off the async workers.
async fn selected(function: &'static str) -> Result<Arc<Selected>, ApiError> {
    tokio::task::spawn_blocking(backends::current)
        .await
        .map_err(|error| failed(function, error))?
        .map_err(|message| failed(function, message))
}

/// Looks up the object behind a handle that the stub already checked.
fn object<T: std::any::Any + Send + Sync>(function: &'static str, handle: &impl TypedHandle, kind: HandleKind) -> Result<Arc<T>, ApiError> {
    HandleRegistry::global().get::<T>(handle.handle().to_js(), kind).map_err(|error| failed(function, format!("received {error}")))
}

fn register<T: std::any::Any + Send + Sync, H: TypedHandle>(function: &'static str, object: T) -> Result<H, ApiError> {
    HandleRegistry::global().insert(H::KIND, object).map(H::from_checked).map_err(|error| failed(function, error))
}

fn release(handle: &impl TypedHandle) {
    // A handle released by a concurrent call is already gone, which is the goal.
    let _ = HandleRegistry::global().release(handle.handle().to_js(), handle.handle().kind);
}

#[cfg(test)]
mod tests;
