//! The process-wide handle registry.
//!
//! A handle crosses the ABI as a pointer-tagged value whose 48-bit payload
//! packs the kind (bits 44-47), a generation (bits 24-43) and a registry
//! index (bits 0-23). The kind catches a stack passed where a graph is
//! expected; the generation catches a handle whose object was released and
//! whose slot was reused.

use std::any::Any;
use std::sync::{Arc, OnceLock, RwLock};

use perry_stack_schema::api::HandleKind;

use super::nanbox::{Decoded, JsValue, PAYLOAD_MASK};

const INDEX_BITS: u32 = 24;
const GENERATION_BITS: u32 = 20;
const INDEX_MASK: u64 = (1 << INDEX_BITS) - 1;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;
const KIND_SHIFT: u32 = INDEX_BITS + GENERATION_BITS;

/// A handle's payload, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    pub kind: HandleKind,
    pub generation: u32,
    pub index: u32,
}

impl Handle {
    /// The 48-bit payload.
    pub fn payload(self) -> u64 {
        (u64::from(self.kind.code()) << KIND_SHIFT)
            | ((u64::from(self.generation) & GENERATION_MASK) << INDEX_BITS)
            | (u64::from(self.index) & INDEX_MASK)
    }

    /// The pointer-tagged value that a promise resolves with.
    pub fn to_js(self) -> JsValue {
        // The payload is at most 48 bits by construction.
        JsValue::pointer(self.payload()).unwrap_or(JsValue::UNDEFINED)
    }

    /// Splits a 48-bit payload; `None` when the kind bits name no kind.
    pub fn from_payload(payload: u64) -> Option<Handle> {
        if payload & !PAYLOAD_MASK != 0 {
            return None;
        }
        let kind = HandleKind::from_code((payload >> KIND_SHIFT) as u8)?;
        Some(Handle {
            kind,
            generation: ((payload >> INDEX_BITS) & GENERATION_MASK) as u32,
            index: (payload & INDEX_MASK) as u32,
        })
    }
}

/// Why a value is not a live handle of the expected kind. The text
/// completes "received ...".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("{0}")]
    NotAHandle(String),
    #[error("a {} (a {} handle)", .found.type_name(), .found.word())]
    WrongKind { found: HandleKind },
    #[error("a {} that was released", .0.type_name())]
    Released(HandleKind),
    #[error("a pointer-tagged value 0x{0:012x} that this registry never issued")]
    Forged(u64),
}

struct Slot {
    generation: u32,
    entry: Option<(HandleKind, Arc<dyn Any + Send + Sync>)>,
}

/// A concurrent map from handles to the objects they name.
#[derive(Default)]
pub struct HandleRegistry {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

/// Why an object could not be registered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the handle registry is full ({max} live objects)", max = INDEX_MASK + 1)]
pub struct RegistryFull;

impl HandleRegistry {
    pub fn new() -> HandleRegistry {
        HandleRegistry::default()
    }

    /// The registry shared by every FFI call of the process.
    pub fn global() -> &'static HandleRegistry {
        static GLOBAL: OnceLock<HandleRegistry> = OnceLock::new();
        GLOBAL.get_or_init(HandleRegistry::new)
    }

    /// Stores `object` and returns its handle.
    pub fn insert<T: Any + Send + Sync>(&self, kind: HandleKind, object: T) -> Result<Handle, RegistryFull> {
        let mut state = self.state.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = Some((kind, Arc::new(object) as Arc<dyn Any + Send + Sync>));

        if let Some(index) = state.free.pop() {
            let slot = &mut state.slots[index as usize];
            slot.entry = entry;
            return Ok(Handle { kind, generation: slot.generation, index });
        }

        let index = u32::try_from(state.slots.len()).map_err(|_| RegistryFull)?;
        if u64::from(index) > INDEX_MASK {
            return Err(RegistryFull);
        }
        state.slots.push(Slot { generation: 0, entry });
        Ok(Handle { kind, generation: 0, index })
    }

    /// Resolves a handle argument of kind `expected` to its object.
    pub fn get<T: Any + Send + Sync>(&self, value: JsValue, expected: HandleKind) -> Result<Arc<T>, HandleError> {
        let handle = decode_handle(value)?;
        let object = self.lookup(handle, expected)?;
        object.downcast::<T>().map_err(|_| HandleError::Forged(handle.payload()))
    }

    /// Checks that a value is a live handle of kind `expected`.
    pub fn check(&self, value: JsValue, expected: HandleKind) -> Result<Handle, HandleError> {
        let handle = decode_handle(value)?;
        self.lookup(handle, expected)?;
        Ok(handle)
    }

    /// Removes the object of a handle; later uses of the handle are errors.
    pub fn release(&self, value: JsValue, expected: HandleKind) -> Result<(), HandleError> {
        let handle = decode_handle(value)?;
        self.lookup(handle, expected)?;

        let mut state = self.state.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = &mut state.slots[handle.index as usize];
        if slot.generation != handle.generation || slot.entry.is_none() {
            return Err(HandleError::Released(handle.kind));
        }
        slot.entry = None;
        slot.generation += 1;
        // A slot whose generation space is used up is retired rather than
        // reused, so an old handle can never match a new object.
        if u64::from(slot.generation) <= GENERATION_MASK {
            state.free.push(handle.index);
        }
        Ok(())
    }

    fn lookup(&self, handle: Handle, expected: HandleKind) -> Result<Arc<dyn Any + Send + Sync>, HandleError> {
        if handle.kind != expected {
            return Err(HandleError::WrongKind { found: handle.kind });
        }
        let state = self.state.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(slot) = state.slots.get(handle.index as usize) else {
            return Err(HandleError::Forged(handle.payload()));
        };
        if slot.generation > handle.generation {
            return Err(HandleError::Released(handle.kind));
        }
        match &slot.entry {
            Some((kind, object)) if *kind == handle.kind && slot.generation == handle.generation => Ok(object.clone()),
            Some(_) => Err(HandleError::Forged(handle.payload())),
            None if slot.generation == handle.generation => Err(HandleError::Released(handle.kind)),
            None => Err(HandleError::Forged(handle.payload())),
        }
    }
}

/// Splits a value into a handle without checking the registry.
fn decode_handle(value: JsValue) -> Result<Handle, HandleError> {
    match value.decode() {
        Decoded::Pointer(payload) => Handle::from_payload(payload).ok_or(HandleError::Forged(payload)),
        _ => Err(HandleError::NotAHandle(value.describe())),
    }
}

/// Rebuilds the value of a receiver, which the compiler passes reduced to
/// its low 48 bits in an `int64_t`.
pub fn receiver_value(low_bits: i64) -> JsValue {
    let payload = (low_bits as u64) & PAYLOAD_MASK;
    JsValue::pointer(payload).unwrap_or(JsValue::UNDEFINED)
}

#[cfg(test)]
#[path = "handle_tests.rs"]
mod tests;
