//! Heap strings: a `StringHeader` of five `u32` fields followed by the
//! UTF-8 bytes.

use std::alloc::{alloc, dealloc, Layout};

/// The header in front of the bytes of a heap string.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringHeader {
    pub utf16_len: u32,
    pub byte_len: u32,
    pub capacity: u32,
    pub refcount: u32,
    pub flags: u32,
}

const _: () = assert!(std::mem::size_of::<StringHeader>() == 20);

/// Why the bytes behind a string pointer could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StringError {
    #[error("a null string pointer")]
    Null,
    #[error("a string whose bytes are not valid UTF-8")]
    InvalidUtf8,
    #[error("a string of {0} bytes, longer than the 4 GiB a StringHeader can describe")]
    TooLong(usize),
}

impl StringHeader {
    /// Reads the bytes of the string that starts at `header`.
    ///
    /// # Safety
    /// `header` is null or points to a live `StringHeader` followed by at
    /// least `byte_len` readable bytes, which stay alive for `'a`.
    pub unsafe fn bytes<'a>(header: *const StringHeader) -> Result<&'a [u8], StringError> {
        if header.is_null() {
            return Err(StringError::Null);
        }
        // SAFETY: the caller guarantees a live header followed by its bytes.
        unsafe {
            let len = (*header).byte_len as usize;
            let data = header.cast::<u8>().add(std::mem::size_of::<StringHeader>());
            Ok(std::slice::from_raw_parts(data, len))
        }
    }

    /// Reads the string that starts at `header` as UTF-8.
    ///
    /// # Safety
    /// Same contract as [`StringHeader::bytes`].
    pub unsafe fn as_str<'a>(header: *const StringHeader) -> Result<&'a str, StringError> {
        // SAFETY: forwarded from the caller.
        let bytes = unsafe { Self::bytes(header)? };
        std::str::from_utf8(bytes).map_err(|_| StringError::InvalidUtf8)
    }
}

/// A heap string allocated with the `StringHeader` layout, for test hosts
/// and for tests that build arguments the way Perry does.
pub struct OwnedString {
    header: *mut StringHeader,
    layout: Layout,
}

// SAFETY: the allocation is owned exclusively and never aliased mutably.
unsafe impl Send for OwnedString {}
unsafe impl Sync for OwnedString {}

impl OwnedString {
    /// Allocates a header and a copy of `text` with refcount 1 and no flags.
    pub fn new(text: &str) -> Result<OwnedString, StringError> {
        let byte_len = u32::try_from(text.len()).map_err(|_| StringError::TooLong(text.len()))?;
        let utf16_len = u32::try_from(text.encode_utf16().count()).map_err(|_| StringError::TooLong(text.len()))?;
        let size = std::mem::size_of::<StringHeader>() + text.len();
        let layout = Layout::from_size_align(size, std::mem::align_of::<StringHeader>())
            .map_err(|_| StringError::TooLong(text.len()))?;

        // SAFETY: the layout has a non-zero size (at least the header).
        let header = unsafe { alloc(layout) }.cast::<StringHeader>();
        if header.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: `header` points to `size` freshly allocated bytes.
        unsafe {
            header.write(StringHeader { utf16_len, byte_len, capacity: byte_len, refcount: 1, flags: 0 });
            let data = header.cast::<u8>().add(std::mem::size_of::<StringHeader>());
            std::ptr::copy_nonoverlapping(text.as_ptr(), data, text.len());
        }
        Ok(OwnedString { header, layout })
    }

    pub fn as_ptr(&self) -> *const StringHeader {
        self.header
    }

    pub fn header(&self) -> StringHeader {
        // SAFETY: `header` stays valid until drop.
        unsafe { *self.header }
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: built from a `&str` in `new`, alive as long as `self`.
        unsafe { StringHeader::as_str(self.header).unwrap_or_default() }
    }

    /// Hands the allocation to the caller, who frees it with [`OwnedString::from_raw`].
    pub fn into_raw(self) -> *mut StringHeader {
        let header = self.header;
        std::mem::forget(self);
        header
    }

    /// Takes back an allocation made by [`OwnedString::new`].
    ///
    /// # Safety
    /// `header` came from [`OwnedString::into_raw`] and is not used after this.
    pub unsafe fn from_raw(header: *mut StringHeader) -> OwnedString {
        // SAFETY: the caller guarantees the allocation came from `new`.
        let byte_len = unsafe { (*header).byte_len } as usize;
        let size = std::mem::size_of::<StringHeader>() + byte_len;
        let layout = Layout::from_size_align(size, std::mem::align_of::<StringHeader>())
            .unwrap_or_else(|_| Layout::new::<StringHeader>());
        OwnedString { header, layout }
    }
}

impl Drop for OwnedString {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.header.cast(), self.layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_five_u32_fields() {
        assert_eq!(std::mem::size_of::<StringHeader>(), 20);
        assert_eq!(std::mem::offset_of!(StringHeader, utf16_len), 0);
        assert_eq!(std::mem::offset_of!(StringHeader, byte_len), 4);
        assert_eq!(std::mem::offset_of!(StringHeader, capacity), 8);
        assert_eq!(std::mem::offset_of!(StringHeader, refcount), 12);
        assert_eq!(std::mem::offset_of!(StringHeader, flags), 16);
    }

    #[test]
    fn owned_string_round_trip() {
        let owned = OwnedString::new("héllo").unwrap();
        assert_eq!(owned.as_str(), "héllo");
        let header = owned.header();
        assert_eq!(header.byte_len, 6);
        assert_eq!(header.utf16_len, 5);
        assert_eq!(header.refcount, 1);
    }

    #[test]
    fn utf16_length_counts_surrogates() {
        let owned = OwnedString::new("a😀").unwrap();
        assert_eq!(owned.header().utf16_len, 3);
        assert_eq!(owned.header().byte_len, 5);
    }

    #[test]
    fn bytes_follow_the_header() {
        let owned = OwnedString::new("abc").unwrap();
        let raw = owned.as_ptr().cast::<u8>();
        // SAFETY: the allocation holds the header and three bytes.
        let tail = unsafe { std::slice::from_raw_parts(raw.add(20), 3) };
        assert_eq!(tail, b"abc");
    }

    #[test]
    fn empty_string() {
        let owned = OwnedString::new("").unwrap();
        assert_eq!(owned.as_str(), "");
    }

    #[test]
    fn null_pointer_is_an_error() {
        // SAFETY: null is allowed by the contract.
        let result = unsafe { StringHeader::as_str(std::ptr::null()) };
        assert_eq!(result, Err(StringError::Null));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let owned = OwnedString::new("ab").unwrap();
        // SAFETY: the allocation is exclusively ours and two bytes long.
        unsafe { *owned.header.cast::<u8>().add(20) = 0xFF };
        // SAFETY: the header is live.
        let result = unsafe { StringHeader::as_str(owned.as_ptr()) };
        assert_eq!(result, Err(StringError::InvalidUtf8));
    }

    #[test]
    fn raw_round_trip() {
        let raw = OwnedString::new("kept").unwrap().into_raw();
        // SAFETY: `raw` came from `into_raw`.
        let owned = unsafe { OwnedString::from_raw(raw) };
        assert_eq!(owned.as_str(), "kept");
    }
}
