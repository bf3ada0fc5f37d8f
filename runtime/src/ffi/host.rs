//! The functions that Perry's runtime provides to native code.
//!
//! They are a table of function pointers rather than `extern` imports, so a
//! test host (Rust or C) installs its own implementation with the same
//! layouts and the FFI runs for real without Perry.

use std::sync::OnceLock;

use super::string::StringHeader;

/// An opaque promise created by the host.
pub type PromiseId = u64;

/// The host functions, with C layouts.
///
/// NOTE: the symbol names under which Perry's runtime exports these are not
/// pinned here; whoever links against Perry fills this table from them.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct HostFunctions {
    /// Creates a heap string from UTF-8 bytes.
    pub string_from_bytes: unsafe extern "C" fn(bytes: *const u8, len: u32) -> *mut StringHeader,
    /// Creates a pending promise; its NaN-box payload is the returned id.
    pub promise_new: unsafe extern "C" fn() -> PromiseId,
    /// Resolves a promise with a NaN-boxed value.
    pub promise_resolve: unsafe extern "C" fn(promise: PromiseId, value: u64),
    /// Rejects a promise with a NaN-boxed reason (an error message string).
    pub promise_reject: unsafe extern "C" fn(promise: PromiseId, reason: u64),
    /// JSON-stringifies a NaN-boxed value; null when it cannot.
    pub json_stringify: unsafe extern "C" fn(value: u64) -> *mut StringHeader,
    /// Parses JSON into a NaN-boxed value.
    pub json_parse: unsafe extern "C" fn(json: *const StringHeader) -> u64,
    /// Queues `callback(data)` on the main thread, where promises must be
    /// settled; Perry runs it from its pump.
    pub run_on_main: unsafe extern "C" fn(callback: unsafe extern "C" fn(data: *mut std::ffi::c_void), data: *mut std::ffi::c_void),
}

static HOST: OnceLock<HostFunctions> = OnceLock::new();

/// Why the host table could not be installed or used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HostError {
    #[error("host functions are already installed; install them once, before the first call")]
    AlreadyInstalled,
    #[error("host functions are not installed; call perry_stack_install_host before any other function")]
    NotInstalled,
}

/// Installs the host functions once for the whole process.
pub fn install(functions: HostFunctions) -> Result<(), HostError> {
    HOST.set(functions).map_err(|_| HostError::AlreadyInstalled)
}

/// The installed host functions.
pub fn host() -> Result<&'static HostFunctions, HostError> {
    HOST.get().ok_or(HostError::NotInstalled)
}

/// Installs the host table from C; returns 0 on success and 1 when a table
/// was already installed.
///
/// # Safety
/// `functions` points to a valid, fully initialized table.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn perry_stack_install_host(functions: *const HostFunctions) -> i32 {
    if functions.is_null() {
        return 1;
    }
    // SAFETY: checked for null; the caller guarantees a valid table.
    match install(unsafe { *functions }) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
