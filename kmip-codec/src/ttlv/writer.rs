//! One-pass TTLV encoding with back-patched Structure lengths.

use super::{padded, ItemType, HEADER_LEN};
use crate::tags::Tag;

/// Appends TTLV items to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

/// An open Structure; pass it to [`Writer::end`] to fill in its length.
#[must_use = "a Structure must be closed with Writer::end"]
#[derive(Debug)]
pub struct StructStart(usize);

const ZEROS: [u8; 8] = [0; 8];

impl Writer {
    /// A writer with an empty buffer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A writer that appends to `buf` (reuse a buffer across messages).
    pub fn with_buffer(mut buf: Vec<u8>) -> Self {
        buf.clear();
        Writer { buf }
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn header(&mut self, tag: Tag, ty: ItemType, len: u32) {
        let t = tag.0.to_be_bytes();
        self.buf.extend_from_slice(&t[1..]);
        self.buf.push(ty as u8);
        self.buf.extend_from_slice(&len.to_be_bytes());
    }

    fn padding(&mut self, len: usize) {
        let pad = padded(len).unwrap_or(len) - len;
        self.buf.resize(self.buf.len() + pad, 0);
    }

    /// Opens a Structure.
    pub fn begin(&mut self, tag: Tag) -> StructStart {
        let at = self.buf.len();
        self.header(tag, ItemType::Structure, 0);
        StructStart(at)
    }

    /// Closes a Structure, writing its length.
    pub fn end(&mut self, start: StructStart) {
        let len = (self.buf.len() - start.0 - HEADER_LEN) as u32;
        if let Some(slot) = self.buf.get_mut(start.0 + 4..start.0 + 8) {
            slot.copy_from_slice(&len.to_be_bytes());
        }
    }

    /// Writes an Integer.
    pub fn integer(&mut self, tag: Tag, v: i32) {
        self.header(tag, ItemType::Integer, 4);
        self.buf.extend_from_slice(&v.to_be_bytes());
        self.buf.extend_from_slice(&ZEROS[..4]);
    }

    /// Writes a Long Integer.
    pub fn long_integer(&mut self, tag: Tag, v: i64) {
        self.header(tag, ItemType::LongInteger, 8);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Writes a Big Integer from two's-complement big-endian bytes,
    /// sign-extending on the left to a multiple of 8 bytes.
    pub fn big_integer(&mut self, tag: Tag, v: &[u8]) {
        let len = padded(v.len().max(1)).unwrap_or(8);
        self.header(tag, ItemType::BigInteger, len as u32);
        let fill = if v.first().is_some_and(|b| b & 0x80 != 0) {
            0xFF
        } else {
            0
        };
        self.buf.extend(std::iter::repeat_n(fill, len - v.len()));
        self.buf.extend_from_slice(v);
    }

    /// Writes an Enumeration.
    pub fn enumeration(&mut self, tag: Tag, v: u32) {
        self.header(tag, ItemType::Enumeration, 4);
        self.buf.extend_from_slice(&v.to_be_bytes());
        self.buf.extend_from_slice(&ZEROS[..4]);
    }

    /// Writes a Boolean.
    pub fn boolean(&mut self, tag: Tag, v: bool) {
        self.header(tag, ItemType::Boolean, 8);
        self.buf.extend_from_slice(&u64::from(v).to_be_bytes());
    }

    /// Writes a Text String.
    pub fn text(&mut self, tag: Tag, v: &str) {
        self.header(tag, ItemType::TextString, v.len() as u32);
        self.buf.extend_from_slice(v.as_bytes());
        self.padding(v.len());
    }

    /// Writes a Byte String.
    pub fn bytes(&mut self, tag: Tag, v: &[u8]) {
        self.header(tag, ItemType::ByteString, v.len() as u32);
        self.buf.extend_from_slice(v);
        self.padding(v.len());
    }

    /// Writes a Date-Time (POSIX seconds).
    pub fn date_time(&mut self, tag: Tag, v: i64) {
        self.header(tag, ItemType::DateTime, 8);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Writes an Interval (seconds).
    pub fn interval(&mut self, tag: Tag, v: u32) {
        self.header(tag, ItemType::Interval, 4);
        self.buf.extend_from_slice(&v.to_be_bytes());
        self.buf.extend_from_slice(&ZEROS[..4]);
    }
}
