//! The owned TTLV tree.

use std::fmt;
use std::ops::Deref;

use zeroize::Zeroize;

use super::{Document, ItemType, Limits, Writer};
use crate::tags::Tag;
use crate::ttlv::DecodeError;

/// Bytes that are wiped from memory when dropped: Byte Strings and Big
/// Integers may hold key material. Debug shows only the length.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(Vec<u8>);

impl Bytes {
    /// Wraps a vector.
    pub fn new(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// One TTLV item with its value, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ttlv {
    /// The item's tag.
    pub tag: Tag,
    /// The item's value, which also fixes its type.
    pub value: Value,
}

/// A TTLV value of any item type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Structure.
    Structure(Vec<Ttlv>),
    /// Integer.
    Integer(i32),
    /// Long Integer.
    LongInteger(i64),
    /// Big Integer, two's complement big-endian bytes.
    BigInteger(Bytes),
    /// Enumeration.
    Enumeration(u32),
    /// Boolean.
    Boolean(bool),
    /// Text String.
    TextString(String),
    /// Byte String.
    ByteString(Bytes),
    /// Date-Time, POSIX seconds.
    DateTime(i64),
    /// Interval, seconds.
    Interval(u32),
}

impl Value {
    /// The value's item type.
    pub fn item_type(&self) -> ItemType {
        match self {
            Value::Structure(_) => ItemType::Structure,
            Value::Integer(_) => ItemType::Integer,
            Value::LongInteger(_) => ItemType::LongInteger,
            Value::BigInteger(_) => ItemType::BigInteger,
            Value::Enumeration(_) => ItemType::Enumeration,
            Value::Boolean(_) => ItemType::Boolean,
            Value::TextString(_) => ItemType::TextString,
            Value::ByteString(_) => ItemType::ByteString,
            Value::DateTime(_) => ItemType::DateTime,
            Value::Interval(_) => ItemType::Interval,
        }
    }
}

impl Ttlv {
    /// A new item.
    pub fn new(tag: Tag, value: Value) -> Self {
        Ttlv { tag, value }
    }

    /// A Structure item.
    pub fn structure(tag: Tag, items: Vec<Ttlv>) -> Self {
        Ttlv::new(tag, Value::Structure(items))
    }

    /// Decodes one complete item, validating it against `limits`.
    pub fn from_bytes(buf: &[u8], limits: &Limits) -> Result<Ttlv, DecodeError> {
        Ok(Document::decode(buf, limits)?.root().to_owned())
    }

    /// Encodes the item.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.into_bytes()
    }

    /// Appends the item to a writer.
    pub fn write(&self, w: &mut Writer) {
        self.write_tagged(self.tag, w);
    }

    /// Appends the item to a writer under another tag.
    pub fn write_tagged(&self, tag: Tag, w: &mut Writer) {
        match &self.value {
            Value::Structure(items) => {
                let s = w.begin(tag);
                for item in items {
                    item.write(w);
                }
                w.end(s);
            }
            Value::Integer(v) => w.integer(tag, *v),
            Value::LongInteger(v) => w.long_integer(tag, *v),
            Value::BigInteger(v) => w.big_integer(tag, v),
            Value::Enumeration(v) => w.enumeration(tag, *v),
            Value::Boolean(v) => w.boolean(tag, *v),
            Value::TextString(v) => w.text(tag, v),
            Value::ByteString(v) => w.bytes(tag, v),
            Value::DateTime(v) => w.date_time(tag, *v),
            Value::Interval(v) => w.interval(tag, *v),
        }
    }

    /// The items of a Structure (empty for other types).
    pub fn children(&self) -> &[Ttlv] {
        match &self.value {
            Value::Structure(items) => items,
            _ => &[],
        }
    }

    /// The first child with `tag`.
    pub fn child(&self, tag: Tag) -> Option<&Ttlv> {
        self.children().iter().find(|c| c.tag == tag)
    }
}
