//! Why a byte sequence is not valid TTLV, and where.

use std::fmt;

use super::ItemType;
use crate::tags::Tag;

/// A TTLV decoding failure at a byte offset of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset of the item header (or byte) where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
}

/// The kinds of TTLV decoding failure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Fewer bytes remain than the item needs.
    Truncated {
        /// Bytes the item needs.
        needed: usize,
        /// Bytes left in the enclosing item or input.
        available: usize,
    },
    /// The message is larger than the configured maximum.
    TooLarge {
        /// The size found or declared.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Structures nest deeper than the configured maximum.
    TooDeep {
        /// The configured maximum.
        max: usize,
    },
    /// The item type byte is not a KMIP 1.x type.
    UnknownItemType(u8),
    /// The length does not suit the item type.
    BadLength {
        /// The item's tag.
        tag: Tag,
        /// The item's type.
        item_type: ItemType,
        /// The declared length.
        length: u32,
    },
    /// Padding bytes after a value are not zero.
    NonZeroPadding {
        /// The item's tag.
        tag: Tag,
    },
    /// A Boolean is neither 0 nor 1.
    BadBoolean {
        /// The item's tag.
        tag: Tag,
        /// The value found.
        value: u64,
    },
    /// A Text String is not UTF-8.
    InvalidUtf8 {
        /// The item's tag.
        tag: Tag,
    },
    /// Bytes remain after the top-level item.
    TrailingBytes(usize),
    /// The input is empty.
    Empty,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeErrorKind::*;
        match &self.kind {
            Truncated { needed, available } => write!(f, "item needs {needed} bytes but only {available} remain"),
            TooLarge { size, max } => {
                write!(f, "message of {size} bytes exceeds the maximum of {max}")
            }
            TooDeep { max } => write!(f, "structures nest deeper than {max} levels"),
            UnknownItemType(t) => write!(f, "unknown item type 0x{t:02X}"),
            BadLength { tag, item_type, length } => write!(f, "{tag}: length {length} is invalid for a {item_type}"),
            NonZeroPadding { tag } => write!(f, "{tag}: padding bytes are not zero"),
            BadBoolean { tag, value } => write!(f, "{tag}: Boolean value {value} is not 0 or 1"),
            InvalidUtf8 { tag } => write!(f, "{tag}: Text String is not valid UTF-8"),
            TrailingBytes(n) => write!(f, "{n} bytes follow the message"),
            Empty => f.write_str("empty input"),
        }?;
        write!(f, " (at byte {})", self.offset)
    }
}

impl std::error::Error for DecodeError {}
