//! The ABI marker: a symbol whose name carries a hash of the declaration.
//! The library defines it and generated callers reference it, so a caller
//! generated from another declaration fails to link instead of calling
//! symbols whose arguments no longer match.

use perry_stack_schema::api::Module;

use super::{emit_dispatch_json, emit_dts};

/// Names the marker symbol, `perry_stack_abi_<16 hex digits>`.
pub fn abi_marker(modules: &[&Module]) -> String {
    let mut text = emit_dispatch_json(modules);
    for module in modules {
        text.push_str(&emit_dts(module));
    }
    format!("perry_stack_abi_{:016x}", fnv1a(text.as_bytes()))
}

/// FNV-1a, 64-bit: stable across platforms and Rust versions, unlike
/// `DefaultHasher`; collisions only need to be unlikely, not hard to forge.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_known_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
