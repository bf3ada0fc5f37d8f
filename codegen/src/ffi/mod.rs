//! Emitters of the FFI: every artifact derived from the declaration of the
//! Perry modules. Each emitter is a pure function of the declaration, so
//! output is byte-identical across runs.

pub mod dispatch;
pub mod dts;
pub mod files;
pub mod header;
pub mod marker;
pub mod rows;
pub mod rust_types;
pub mod stubs;

pub use dispatch::{emit_dispatch_json, emit_dispatch_rust};
pub use dts::emit_dts;
pub use files::generated_files;
pub use header::emit_header;
pub use marker::abi_marker;
pub use stubs::emit_rust_ffi;
pub use rows::{dispatch_rows, ArgKind, DispatchRow, ReturnKind};
