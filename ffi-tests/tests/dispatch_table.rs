//! The committed Rust dispatch table compiles where a compiler would include
//! it, matches the declaration, and links against this library, which
//! defines the ABI marker symbol that the table references.

use perry_stack_codegen::ffi::{abi_marker, dispatch_rows, ArgKind, DispatchRow as Computed, ReturnKind};
use perry_stack_schema::api::MODULES;

// The library defines the marker; without it this test would not link.
use perry_stack as _;

/// The row type the generated Rust table is written against, as a compiler
/// that includes it would declare it.
#[derive(Debug)]
struct DispatchRow {
    module: &'static str,
    has_receiver: bool,
    method: &'static str,
    class_filter: Option<&'static str>,
    symbol: &'static str,
    args: &'static [ArgKind],
    returns: ReturnKind,
}

mod generated {
    use super::{ArgKind, DispatchRow, ReturnKind};

    include!("../../generated/dispatch.rs");
}

#[test]
fn generated_rust_table_compiles_and_matches() {
    let table: &[DispatchRow] = generated::DISPATCH_ROWS;
    assert_eq!(generated::ABI_MARKER, abi_marker(&MODULES));
    let computed: Vec<Computed> = dispatch_rows(&MODULES);
    assert_eq!(table.len(), computed.len());
    for (row, expected) in table.iter().zip(&computed) {
        assert_eq!(row.module, expected.module);
        assert_eq!(row.has_receiver, expected.has_receiver);
        assert_eq!(row.method, expected.method);
        assert_eq!(row.class_filter, expected.class_filter);
        assert_eq!(row.symbol, expected.symbol);
        assert_eq!(row.args, expected.args.as_slice());
        assert_eq!(row.returns, expected.returns);
    }
}
