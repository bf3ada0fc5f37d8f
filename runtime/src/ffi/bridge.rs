//! The bridge between stubs and the runtime: the installed implementation,
//! the tokio runtime that runs its futures, and settling promises on the
//! main thread through the host. Panics become rejections and never unwind
//! into the host.

use std::any::Any;
use std::ffi::c_void;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use super::args::ArgumentError;
use super::generated::PerryApi;
use super::handle::Handle;
use super::host::{host, HostError, PromiseId};
use super::nanbox::JsValue;

/// A future returned by an implementation of a module trait.
pub type ApiFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'static>>;

/// A failed call; its text is the rejection message.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    #[error("{function}: not supported yet: {what}")]
    NotSupported { function: &'static str, what: String },
    #[error("{function}: {message}")]
    Failed { function: &'static str, message: String },
    #[error("{function} panicked: {message}")]
    Panicked { function: &'static str, message: String },
    #[error(transparent)]
    Host(#[from] HostError),
}

/// A result ready to cross back: what a promise resolves with or a
/// synchronous call returns.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Undefined,
    String(String),
    Number(f64),
    Bool(bool),
    Handle(Handle),
    /// JSON text that the host parses into an object or array.
    Json(String),
}

impl Outcome {
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Outcome, ApiError> {
        serde_json::to_string(value)
            .map(Outcome::Json)
            .map_err(|error| ApiError::Failed { function: "serialize", message: error.to_string() })
    }

    /// Boxes the outcome, creating strings and parsed JSON through the host.
    /// Runs on the main thread.
    fn into_js(self) -> Result<JsValue, HostError> {
        let functions = host()?;
        Ok(match self {
            Outcome::Undefined => JsValue::UNDEFINED,
            Outcome::Number(number) => JsValue::number(number),
            Outcome::Bool(flag) => JsValue::bool(flag),
            Outcome::Handle(handle) => handle.to_js(),
            Outcome::String(text) => {
                let header = new_string(&text)?;
                JsValue::heap_string(header).unwrap_or(JsValue::NULL)
            }
            Outcome::Json(text) => {
                let header = new_string(&text)?;
                // SAFETY: the host returned a live string for the JSON text.
                JsValue::from_bits(unsafe { (functions.json_parse)(header) })
            }
        })
    }
}

static API: OnceLock<Arc<dyn PerryApi>> = OnceLock::new();

/// Installs the implementation that every stub calls, in place of the
/// engine-backed [`EngineApi`](super::EngineApi). It must come before the
/// first call; returns false when an implementation is already in use.
pub fn install_api(implementation: Arc<dyn PerryApi>) -> bool {
    API.set(implementation).is_ok()
}

/// The implementation in use: the installed one, else [`EngineApi`](super::EngineApi).
pub fn api(_function: &'static str) -> Result<Arc<dyn PerryApi>, ApiError> {
    Ok(API.get_or_init(|| Arc::new(super::EngineApi)).clone())
}

/// The tokio runtime that runs every call's future, built on first use.
/// Building a multi-thread runtime does not enter or block on any runtime,
/// so the first call may come from a plain thread or a runtime worker.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, ApiError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    let built = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("perry-stack")
            .enable_all()
            .build()
            .map_err(|error| error.to_string())
    });
    built.as_ref().map_err(|message| ApiError::Failed { function: "runtime", message: format!("the tokio runtime failed to start: {message}") })
}

/// Runs a promise-returning call: `decode` checks the arguments and starts
/// the work, whose result settles the promise on the main thread. Returns
/// the promise, or `0` when no host is installed to create one.
pub fn promise_call(function: &'static str, decode: impl FnOnce() -> Result<ApiFuture<Outcome>, ApiError>) -> i64 {
    let Ok(functions) = host() else {
        tracing::error!(function, "called before host functions were installed");
        return 0;
    };
    // SAFETY: the host table was installed as valid function pointers.
    let promise = unsafe { (functions.promise_new)() };

    let started = catch_unwind(AssertUnwindSafe(decode))
        .map(|decoded| decoded.and_then(|future| Ok((runtime()?, future))));
    match started {
        Ok(Ok((runtime, future))) => {
            runtime.spawn(async move {
                let outcome = match tokio::spawn(future).await {
                    Ok(result) => result,
                    Err(error) if error.is_panic() => Err(ApiError::Panicked { function, message: panic_message(error.into_panic()) }),
                    Err(error) => Err(ApiError::Failed { function, message: error.to_string() }),
                };
                settle_on_main(promise, outcome);
            });
        }
        Ok(Err(error)) => settle_on_main(promise, Err(error)),
        Err(payload) => settle_on_main(promise, Err(ApiError::Panicked { function, message: panic_message(payload) })),
    }
    promise as i64
}

/// Runs a synchronous call returning a string (`Str`): a failure is logged
/// and returns `0`, which the compiler boxes as null.
pub fn sync_string(function: &'static str, call: impl FnOnce() -> Result<String, ApiError>) -> i64 {
    let result = catch_unwind(AssertUnwindSafe(call))
        .unwrap_or_else(|payload| Err(ApiError::Panicked { function, message: panic_message(payload) }));
    match result.and_then(|text| Ok(new_string(&text)?)) {
        Ok(header) => header as i64,
        Err(error) => {
            tracing::error!(function, %error, "synchronous call failed");
            0
        }
    }
}

/// Runs a synchronous call returning a NaN-boxed value (`F64`): a failure is
/// logged and returns undefined.
pub fn sync_value(function: &'static str, call: impl FnOnce() -> Result<Outcome, ApiError>) -> f64 {
    let result = catch_unwind(AssertUnwindSafe(call))
        .unwrap_or_else(|payload| Err(ApiError::Panicked { function, message: panic_message(payload) }));
    match result.and_then(|outcome| Ok(outcome.into_js()?)) {
        Ok(value) => value.to_f64_slot(),
        Err(error) => {
            tracing::error!(function, %error, "synchronous call failed");
            JsValue::UNDEFINED.to_f64_slot()
        }
    }
}

fn new_string(text: &str) -> Result<*mut super::string::StringHeader, HostError> {
    let functions = host()?;
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    // SAFETY: `text` is valid for `len` bytes (clamped to its length).
    Ok(unsafe { (functions.string_from_bytes)(text.as_ptr(), len) })
}

struct Settlement {
    promise: PromiseId,
    outcome: Result<Outcome, ApiError>,
}

fn settle_on_main(promise: PromiseId, outcome: Result<Outcome, ApiError>) {
    let Ok(functions) = host() else { return };
    let data = Box::into_raw(Box::new(Settlement { promise, outcome })).cast::<c_void>();
    // SAFETY: `settle` takes back the box exactly once.
    unsafe { (functions.run_on_main)(settle, data) };
}

unsafe extern "C" fn settle(data: *mut c_void) {
    // SAFETY: `data` is the box leaked by `settle_on_main`.
    let Settlement { promise, outcome } = *unsafe { Box::from_raw(data.cast::<Settlement>()) };
    let Ok(functions) = host() else { return };
    let result = catch_unwind(AssertUnwindSafe(|| match outcome {
        Ok(outcome) => outcome.into_js().map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    }));
    let result = result.unwrap_or_else(|payload| Err(panic_message(payload)));

    match result {
        // SAFETY: valid host function pointers; the promise came from the host.
        Ok(value) => unsafe { (functions.promise_resolve)(promise, value.to_bits()) },
        Err(message) => {
            let reason = new_string(&message).ok().and_then(|header| JsValue::heap_string(header)).unwrap_or(JsValue::UNDEFINED);
            // SAFETY: as above.
            unsafe { (functions.promise_reject)(promise, reason.to_bits()) }
        }
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_starts_once_from_any_thread() {
        let plain = (0..8).map(|_| std::thread::spawn(|| runtime().unwrap() as *const _ as usize));
        let inside = std::thread::spawn(|| {
            let outer = tokio::runtime::Builder::new_current_thread().build().unwrap();
            outer.block_on(async { runtime().unwrap() as *const _ as usize })
        });

        let mut addresses: Vec<usize> = plain.map(|thread| thread.join().unwrap()).collect();
        addresses.push(inside.join().unwrap());
        addresses.dedup();
        assert_eq!(addresses.len(), 1);
    }

    #[test]
    fn panic_message_reads_both_payloads() {
        assert_eq!(panic_message(Box::new("static")), "static");
        assert_eq!(panic_message(Box::new(String::from("owned"))), "owned");
        assert_eq!(panic_message(Box::new(3)), "a panic without a message");
    }
}
