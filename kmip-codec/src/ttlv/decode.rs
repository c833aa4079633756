//! One-pass, non-recursive TTLV decoding into a borrowed, validated tree.
//!
//! Every bound the peer controls is checked before it is used: the total size
//! against [`Limits::max_message_size`] before anything else, each item's
//! length against the bytes its parent has left, and the nesting depth against
//! [`Limits::max_depth`]. The tree is one `Vec` of nodes in document order,
//! at most one per 8 input bytes, so memory stays a small multiple of the
//! input whatever the input claims.

use super::error::{DecodeError, DecodeErrorKind};
use super::{padded, ItemType, Ttlv, Value, HEADER_LEN};
use crate::tags::Tag;

/// Bounds on what a decoder accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest message, header included, in bytes.
    pub max_message_size: usize,
    /// The deepest nesting of Structures (the top level is depth 1).
    pub max_depth: usize,
}

impl Default for Limits {
    /// 8 MiB and 32 levels: KMIP 1.4 messages nest about 8 deep, and 8 MiB
    /// holds the largest certificate chains clients register.
    fn default() -> Self {
        Limits {
            max_message_size: 8 << 20,
            max_depth: 32,
        }
    }
}

/// A decoded value that borrows its bytes from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// A Structure; its items are the node's children.
    Structure,
    /// Integer.
    Integer(i32),
    /// Long Integer.
    LongInteger(i64),
    /// Big Integer, as its wire bytes (two's complement, big-endian).
    BigInteger(&'a [u8]),
    /// Enumeration.
    Enumeration(u32),
    /// Boolean.
    Boolean(bool),
    /// Text String.
    TextString(&'a str),
    /// Byte String.
    ByteString(&'a [u8]),
    /// Date-Time, POSIX seconds.
    DateTime(i64),
    /// Interval, seconds.
    Interval(u32),
}

impl ValueRef<'_> {
    /// The value's item type.
    pub fn item_type(&self) -> ItemType {
        match self {
            ValueRef::Structure => ItemType::Structure,
            ValueRef::Integer(_) => ItemType::Integer,
            ValueRef::LongInteger(_) => ItemType::LongInteger,
            ValueRef::BigInteger(_) => ItemType::BigInteger,
            ValueRef::Enumeration(_) => ItemType::Enumeration,
            ValueRef::Boolean(_) => ItemType::Boolean,
            ValueRef::TextString(_) => ItemType::TextString,
            ValueRef::ByteString(_) => ItemType::ByteString,
            ValueRef::DateTime(_) => ItemType::DateTime,
            ValueRef::Interval(_) => ItemType::Interval,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Node<'a> {
    tag: Tag,
    value: ValueRef<'a>,
    /// Byte offset of the item header in the input.
    offset: u32,
    /// Index one past this node's last descendant.
    end: u32,
}

/// A validated TTLV message: a flat tree borrowing from the input bytes.
#[derive(Debug)]
pub struct Document<'a> {
    nodes: Vec<Node<'a>>,
}

/// One item of a [`Document`].
#[derive(Clone, Copy, Debug)]
pub struct Item<'d, 'a> {
    nodes: &'d [Node<'a>],
    index: usize,
}

/// The items directly inside a Structure.
#[derive(Clone, Debug)]
pub struct Children<'d, 'a> {
    nodes: &'d [Node<'a>],
    next: usize,
    end: usize,
}

fn err(offset: usize, kind: DecodeErrorKind) -> DecodeError {
    DecodeError { offset, kind }
}

fn be_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    u32::from_be_bytes(a)
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    u64::from_be_bytes(a)
}

impl<'a> Document<'a> {
    /// Decodes and validates one complete TTLV item (normally a message).
    pub fn decode(buf: &'a [u8], limits: &Limits) -> Result<Document<'a>, DecodeError> {
        if buf.len() > limits.max_message_size {
            return Err(err(
                0,
                DecodeErrorKind::TooLarge {
                    size: buf.len(),
                    max: limits.max_message_size,
                },
            ));
        }
        if buf.is_empty() {
            return Err(err(0, DecodeErrorKind::Empty));
        }
        // Offsets are stored as u32; the size limit keeps them in range.
        if u32::try_from(buf.len()).is_err() {
            return Err(err(
                0,
                DecodeErrorKind::TooLarge {
                    size: buf.len(),
                    max: u32::MAX as usize,
                },
            ));
        }
        let mut nodes: Vec<Node<'a>> = Vec::with_capacity(buf.len() / 16 + 1);
        // (end offset of the open Structure's body, its node index)
        let mut open: Vec<(usize, usize)> = Vec::new();
        let mut pos = 0usize;
        loop {
            while let Some(&(end, idx)) = open.last() {
                if pos != end {
                    break;
                }
                let count = nodes.len() as u32;
                if let Some(n) = nodes.get_mut(idx) {
                    n.end = count;
                }
                open.pop();
            }
            if open.is_empty() && !nodes.is_empty() {
                break;
            }
            let limit = open.last().map_or(buf.len(), |o| o.0);
            let (node, next) = read_item(buf, pos, limit)?;
            if let ValueRef::Structure = node.value {
                if open.len() + 1 > limits.max_depth {
                    return Err(err(pos, DecodeErrorKind::TooDeep { max: limits.max_depth }));
                }
                open.push((next, nodes.len()));
                nodes.push(node);
                pos += HEADER_LEN;
            } else {
                nodes.push(node);
                pos = next;
            }
        }
        if pos != buf.len() {
            return Err(err(pos, DecodeErrorKind::TrailingBytes(buf.len() - pos)));
        }
        Ok(Document { nodes })
    }

    /// The top-level item.
    pub fn root(&self) -> Item<'_, 'a> {
        Item {
            nodes: &self.nodes,
            index: 0,
        }
    }

    /// The number of items in the message.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a decoded document has at least its root.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Reads the item whose header is at `pos`, within `limit`. Returns the node
/// (with `end` set for a leaf) and the offset after the item.
fn read_item<'a>(buf: &'a [u8], pos: usize, limit: usize) -> Result<(Node<'a>, usize), DecodeError> {
    let available = limit.saturating_sub(pos);
    let header = buf
        .get(pos..pos + HEADER_LEN)
        .filter(|_| available >= HEADER_LEN)
        .ok_or_else(|| {
            err(
                pos,
                DecodeErrorKind::Truncated {
                    needed: HEADER_LEN,
                    available,
                },
            )
        })?;
    let (h_tag, h_rest) = header.split_at(3);
    let tag = Tag(h_tag.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)));
    let (h_type, h_len) = h_rest.split_at(1);
    let type_byte = h_type.first().copied().unwrap_or(0);
    let item_type =
        ItemType::from_byte(type_byte).ok_or_else(|| err(pos, DecodeErrorKind::UnknownItemType(type_byte)))?;
    let length = be_u32(h_len);
    let len = length as usize;
    let bad_length = || err(pos, DecodeErrorKind::BadLength { tag, item_type, length });
    let total = padded(len)
        .and_then(|p| p.checked_add(HEADER_LEN))
        .ok_or_else(bad_length)?;
    if total > available {
        return Err(err(
            pos,
            DecodeErrorKind::Truncated {
                needed: total,
                available,
            },
        ));
    }
    let body_start = pos + HEADER_LEN;
    let body = buf.get(body_start..body_start + len).ok_or_else(bad_length)?;
    let padding = buf.get(body_start + len..pos + total).ok_or_else(bad_length)?;
    let fixed = |want: usize| if len == want { Ok(()) } else { Err(bad_length()) };
    let value = match item_type {
        ItemType::Structure => {
            // Items are padded to 8 bytes, so a Structure's length is too.
            if !len.is_multiple_of(8) {
                return Err(bad_length());
            }
            ValueRef::Structure
        }
        ItemType::Integer => {
            fixed(4)?;
            ValueRef::Integer(be_u32(body) as i32)
        }
        ItemType::Enumeration => {
            fixed(4)?;
            ValueRef::Enumeration(be_u32(body))
        }
        ItemType::Interval => {
            fixed(4)?;
            ValueRef::Interval(be_u32(body))
        }
        ItemType::LongInteger => {
            fixed(8)?;
            ValueRef::LongInteger(be_u64(body) as i64)
        }
        ItemType::DateTime => {
            fixed(8)?;
            ValueRef::DateTime(be_u64(body) as i64)
        }
        ItemType::Boolean => {
            fixed(8)?;
            match be_u64(body) {
                0 => ValueRef::Boolean(false),
                1 => ValueRef::Boolean(true),
                value => return Err(err(pos, DecodeErrorKind::BadBoolean { tag, value })),
            }
        }
        ItemType::BigInteger => {
            if len == 0 || !len.is_multiple_of(8) {
                return Err(bad_length());
            }
            ValueRef::BigInteger(body)
        }
        ItemType::TextString => {
            ValueRef::TextString(std::str::from_utf8(body).map_err(|_| err(pos, DecodeErrorKind::InvalidUtf8 { tag }))?)
        }
        ItemType::ByteString => ValueRef::ByteString(body),
    };
    if item_type != ItemType::Structure && padding.iter().any(|b| *b != 0) {
        return Err(err(pos, DecodeErrorKind::NonZeroPadding { tag }));
    }
    let node = Node {
        tag,
        value,
        offset: pos as u32,
        end: 0,
    };
    Ok((node, pos + total))
}

impl<'d, 'a> Item<'d, 'a> {
    fn node(&self) -> Node<'a> {
        // `index` is only ever set from valid node positions.
        self.nodes.get(self.index).copied().unwrap_or(Node {
            tag: Tag(0),
            value: ValueRef::Structure,
            offset: 0,
            end: 0,
        })
    }

    /// The item's tag.
    pub fn tag(&self) -> Tag {
        self.node().tag
    }

    /// The item's value.
    pub fn value(&self) -> ValueRef<'a> {
        self.node().value
    }

    /// The item's type.
    pub fn item_type(&self) -> ItemType {
        self.node().value.item_type()
    }

    /// Byte offset of the item's header in the input.
    pub fn offset(&self) -> usize {
        self.node().offset as usize
    }

    /// The items inside this one (none unless it is a Structure).
    pub fn children(&self) -> Children<'d, 'a> {
        let node = self.node();
        let (next, end) = match node.value {
            ValueRef::Structure => (self.index + 1, node.end as usize),
            _ => (0, 0),
        };
        Children {
            nodes: self.nodes,
            next,
            end,
        }
    }

    /// Copies this item into an owned tree.
    pub fn to_owned(&self) -> Ttlv {
        let value = match self.value() {
            ValueRef::Structure => Value::Structure(self.children().map(|c| c.to_owned()).collect()),
            ValueRef::Integer(v) => Value::Integer(v),
            ValueRef::LongInteger(v) => Value::LongInteger(v),
            ValueRef::BigInteger(v) => Value::BigInteger(v.to_vec().into()),
            ValueRef::Enumeration(v) => Value::Enumeration(v),
            ValueRef::Boolean(v) => Value::Boolean(v),
            ValueRef::TextString(v) => Value::TextString(v.to_owned()),
            ValueRef::ByteString(v) => Value::ByteString(v.to_vec().into()),
            ValueRef::DateTime(v) => Value::DateTime(v),
            ValueRef::Interval(v) => Value::Interval(v),
        };
        Ttlv { tag: self.tag(), value }
    }
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Item<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let item = Item {
            nodes: self.nodes,
            index: self.next,
        };
        let node = self.nodes.get(self.next)?;
        self.next = match node.value {
            ValueRef::Structure => node.end as usize,
            _ => self.next + 1,
        };
        Some(item)
    }
}
