//! Binary TTLV, the KMIP wire format (KMIP 1.4 §9.1).
//!
//! Every item is an 8-byte header — a 3-byte tag, a 1-byte item type and a
//! 4-byte big-endian length — followed by the value, padded with zeros to a
//! multiple of 8 bytes. A Structure's value is the concatenation of its items.
//!
//! Two trees are offered:
//! - [`Document`], a validated, borrowed, flat tree decoded in one pass with no
//!   recursion and one allocation: the fast path the server and the typed
//!   messages read from;
//! - [`Ttlv`], an owned tree that tools, the XML/JSON encodings and tests build
//!   and edit.
//!
//! Both are written with [`Writer`], which back-patches Structure lengths.

mod decode;
mod error;
mod value;
mod writer;

pub use decode::{Children, Document, Item, Limits, ValueRef};
pub use error::{DecodeError, DecodeErrorKind};
pub use value::{Bytes, Ttlv, Value};
pub use writer::{StructStart, Writer};

use std::fmt;

/// The TTLV item types (KMIP 1.4 §9.1.1.2, Table 286).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ItemType {
    /// A sequence of items.
    Structure = 0x01,
    /// Signed 32-bit integer.
    Integer = 0x02,
    /// Signed 64-bit integer.
    LongInteger = 0x03,
    /// Two's-complement big-endian integer, a multiple of 8 bytes long.
    BigInteger = 0x04,
    /// Unsigned 32-bit enumeration value.
    Enumeration = 0x05,
    /// 64-bit 0 or 1.
    Boolean = 0x06,
    /// UTF-8 text.
    TextString = 0x07,
    /// Opaque bytes.
    ByteString = 0x08,
    /// Signed 64-bit POSIX time in seconds.
    DateTime = 0x09,
    /// Unsigned 32-bit number of seconds.
    Interval = 0x0A,
}

impl ItemType {
    /// The item type for a wire byte, if it is one of KMIP 1.x's.
    pub fn from_byte(b: u8) -> Option<ItemType> {
        Some(match b {
            0x01 => ItemType::Structure,
            0x02 => ItemType::Integer,
            0x03 => ItemType::LongInteger,
            0x04 => ItemType::BigInteger,
            0x05 => ItemType::Enumeration,
            0x06 => ItemType::Boolean,
            0x07 => ItemType::TextString,
            0x08 => ItemType::ByteString,
            0x09 => ItemType::DateTime,
            0x0A => ItemType::Interval,
            _ => return None,
        })
    }

    /// The name used by the XML and JSON encodings (`TextString`).
    pub fn name(self) -> &'static str {
        match self {
            ItemType::Structure => "Structure",
            ItemType::Integer => "Integer",
            ItemType::LongInteger => "LongInteger",
            ItemType::BigInteger => "BigInteger",
            ItemType::Enumeration => "Enumeration",
            ItemType::Boolean => "Boolean",
            ItemType::TextString => "TextString",
            ItemType::ByteString => "ByteString",
            ItemType::DateTime => "DateTime",
            ItemType::Interval => "Interval",
        }
    }

    /// Parses the XML/JSON type name.
    pub fn from_name(name: &str) -> Option<ItemType> {
        (1..=0x0A).filter_map(ItemType::from_byte).find(|t| t.name() == name)
    }
}

impl fmt::Display for ItemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The fixed size of every item header.
pub const HEADER_LEN: usize = 8;

/// Rounds `len` up to the next multiple of 8, or `None` on overflow.
pub(crate) fn padded(len: usize) -> Option<usize> {
    len.checked_add(7).map(|n| n & !7)
}

/// The length of the message a TTLV frame header announces: the 8 header
/// bytes plus the value length. Transports read the header, check this
/// against their limit, and only then read (and allocate for) the body.
pub fn frame_length(header: &[u8; HEADER_LEN]) -> usize {
    let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
    HEADER_LEN + len as usize
}
