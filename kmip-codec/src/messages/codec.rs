//! How typed values convert to and from TTLV, and the `kmip_struct!` macro
//! that declares a KMIP structure once: field order is wire order, and each
//! field says whether it is required (`req`), optional (`opt`) or repeated
//! (`vec`). Decoding is exact: a missing required field, a field out of
//! order, a duplicate single field or an unknown field is an error that
//! names it.

use std::iter::Peekable;

use super::MessageError;
use crate::tags::Tag;
use crate::ttlv::{Bytes, Children, Item, ItemType, Ttlv, ValueRef, Writer};

/// A value that has a TTLV form.
pub trait Codec: Sized {
    /// Decodes from an item (whose tag the caller has matched).
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError>;

    /// Encodes under `tag`.
    fn encode(&self, tag: Tag, w: &mut Writer);

    /// Whether an item tagged `found` fills a field declared with `declared`.
    /// Only choices (the managed object of Register, Get, ...) override this.
    fn accepts(found: Tag, declared: Tag) -> bool {
        found == declared
    }
}

/// Reads the fields of one Structure in order.
pub struct Fields<'d, 'a> {
    within: Tag,
    items: Peekable<Children<'d, 'a>>,
}

impl<'d, 'a> Fields<'d, 'a> {
    /// Starts reading `item`, which must be a Structure.
    pub fn new(item: Item<'d, 'a>) -> Result<Self, MessageError> {
        expect_type(&item, ItemType::Structure)?;
        Ok(Fields {
            within: item.tag(),
            items: item.children().peekable(),
        })
    }

    /// The Structure being read.
    pub fn within(&self) -> Tag {
        self.within
    }

    /// Takes the next item if it is tagged `tag` (or fits a choice).
    pub fn take<T: Codec>(&mut self, tag: Tag) -> Option<Item<'d, 'a>> {
        let next = self.items.peek()?;
        if T::accepts(next.tag(), tag) {
            self.items.next()
        } else {
            None
        }
    }

    /// A required field.
    pub fn req<T: Codec>(&mut self, tag: Tag) -> Result<T, MessageError> {
        match self.take::<T>(tag) {
            Some(item) => T::decode(item),
            None => Err(MessageError::Missing {
                field: tag,
                within: self.within,
            }),
        }
    }

    /// An optional field.
    pub fn opt<T: Codec>(&mut self, tag: Tag) -> Result<Option<T>, MessageError> {
        self.take::<T>(tag).map(T::decode).transpose()
    }

    /// A repeated field (zero or more).
    pub fn vec<T: Codec>(&mut self, tag: Tag) -> Result<Vec<T>, MessageError> {
        let mut out = Vec::new();
        while let Some(item) = self.take::<T>(tag) {
            out.push(T::decode(item)?);
        }
        Ok(out)
    }

    /// Fails if any item is left: it is unknown, misplaced or duplicated.
    pub fn finish(mut self) -> Result<(), MessageError> {
        match self.items.next() {
            None => Ok(()),
            Some(item) => Err(MessageError::Unexpected {
                field: item.tag(),
                within: self.within,
                offset: item.offset(),
            }),
        }
    }
}

/// Fails unless `item` has type `want`.
pub fn expect_type(item: &Item<'_, '_>, want: ItemType) -> Result<(), MessageError> {
    if item.item_type() == want {
        Ok(())
    } else {
        Err(MessageError::WrongType {
            field: item.tag(),
            expected: want,
            found: item.item_type(),
            offset: item.offset(),
        })
    }
}

fn wrong(item: &Item<'_, '_>, expected: ItemType) -> MessageError {
    MessageError::WrongType {
        field: item.tag(),
        expected,
        found: item.item_type(),
        offset: item.offset(),
    }
}

/// Decodes an Enumeration's raw value.
pub fn decode_enumeration(item: Item<'_, '_>) -> Result<u32, MessageError> {
    match item.value() {
        ValueRef::Enumeration(v) => Ok(v),
        _ => Err(wrong(&item, ItemType::Enumeration)),
    }
}

impl Codec for i32 {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::Integer(v) => Ok(v),
            _ => Err(wrong(&item, ItemType::Integer)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.integer(tag, *self);
    }
}

impl Codec for i64 {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::LongInteger(v) => Ok(v),
            _ => Err(wrong(&item, ItemType::LongInteger)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.long_integer(tag, *self);
    }
}

impl Codec for bool {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::Boolean(v) => Ok(v),
            _ => Err(wrong(&item, ItemType::Boolean)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.boolean(tag, *self);
    }
}

impl Codec for String {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::TextString(v) => Ok(v.to_owned()),
            _ => Err(wrong(&item, ItemType::TextString)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.text(tag, self);
    }
}

impl Codec for Bytes {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::ByteString(v) => Ok(v.into()),
            _ => Err(wrong(&item, ItemType::ByteString)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.bytes(tag, self);
    }
}

/// A Date-Time value: POSIX seconds, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime(pub i64);

impl Codec for DateTime {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::DateTime(v) => Ok(DateTime(v)),
            _ => Err(wrong(&item, ItemType::DateTime)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.date_time(tag, self.0);
    }
}

/// An Interval value: seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Interval(pub u32);

impl Codec for Interval {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::Interval(v) => Ok(Interval(v)),
            _ => Err(wrong(&item, ItemType::Interval)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.interval(tag, self.0);
    }
}

/// A Big Integer: two's-complement big-endian bytes as on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BigInteger(pub Bytes);

impl Codec for BigInteger {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        match item.value() {
            ValueRef::BigInteger(v) => Ok(BigInteger(v.into())),
            _ => Err(wrong(&item, ItemType::BigInteger)),
        }
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        w.big_integer(tag, &self.0);
    }
}

/// Vendor-defined content (Server Information, Vendor Extension, custom
/// attribute values, extension key formats) stays an owned tree.
impl Codec for Ttlv {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        Ok(item.to_owned())
    }
    fn encode(&self, tag: Tag, w: &mut Writer) {
        self.write_tagged(tag, w);
    }
}

/// The Rust type of a field of each cardinality.
#[macro_export]
#[doc(hidden)]
macro_rules! __field_type {
    (req, $t:ty) => { $t };
    (opt, $t:ty) => { Option<$t> };
    (vec, $t:ty) => { Vec<$t> };
}

/// Encodes a field of each cardinality.
#[macro_export]
#[doc(hidden)]
macro_rules! __field_encode {
    (req, $v:expr, $tag:expr, $w:expr) => {
        $crate::messages::Codec::encode($v, $tag, $w)
    };
    (opt, $v:expr, $tag:expr, $w:expr) => {
        if let Some(v) = $v {
            $crate::messages::Codec::encode(v, $tag, $w)
        }
    };
    (vec, $v:expr, $tag:expr, $w:expr) => {
        for v in $v {
            $crate::messages::Codec::encode(v, $tag, $w)
        }
    };
}

/// The managed objects a structure names directly: its Unique Identifier
/// and Private/Public Key Unique Identifier fields, in field order (what an
/// audit record lists).
pub trait ObjectUids {
    /// The identifiers.
    fn object_uids(&self) -> Vec<&str>;
}

impl ObjectUids for crate::ttlv::Ttlv {
    /// An undecoded structure names nothing the server can tell.
    fn object_uids(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// Collects a field's value when its tag names a managed object.
#[macro_export]
#[doc(hidden)]
macro_rules! __field_uids {
    (UniqueIdentifier, $card:ident, $v:expr, $out:ident) => {
        $crate::__field_uids!(@push $card, $v, $out)
    };
    (PrivateKeyUniqueIdentifier, $card:ident, $v:expr, $out:ident) => {
        $crate::__field_uids!(@push $card, $v, $out)
    };
    (PublicKeyUniqueIdentifier, $card:ident, $v:expr, $out:ident) => {
        $crate::__field_uids!(@push $card, $v, $out)
    };
    (@push req, $v:expr, $out:ident) => {
        $out.push($v.as_str())
    };
    (@push opt, $v:expr, $out:ident) => {
        $out.extend($v.as_deref())
    };
    (@push vec, $v:expr, $out:ident) => {
        $out.extend($v.iter().map(String::as_str))
    };
    ($other:ident, $card:ident, $v:expr, $out:ident) => {};
}

/// Declares a KMIP structure: its fields in wire order, each with its
/// cardinality, type and tag, and derives its exact TTLV conversion.
#[macro_export]
macro_rules! kmip_struct {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($card:ident $field:ident : $ty:ty = $tag:ident),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            $(
                #[doc = concat!("`", stringify!($tag), "` (", stringify!($card), ")")]
                pub $field: $crate::__field_type!($card, $ty),
            )*
        }

        impl $crate::messages::ObjectUids for $name {
            #[allow(unused_mut, clippy::vec_init_then_push)]
            fn object_uids(&self) -> Vec<&str> {
                let mut out: Vec<&str> = Vec::new();
                $($crate::__field_uids!($tag, $card, &self.$field, out);)*
                out
            }
        }

        impl $crate::messages::Codec for $name {
            #[allow(unused_mut)]
            fn decode(item: $crate::ttlv::Item<'_, '_>) -> Result<Self, $crate::messages::MessageError> {
                let mut fields = $crate::messages::Fields::new(item)?;
                let value = $name {
                    $($field: fields.$card::<$ty>($crate::Tag::$tag)?,)*
                };
                fields.finish()?;
                Ok(value)
            }

            fn encode(&self, tag: $crate::Tag, w: &mut $crate::ttlv::Writer) {
                let s = w.begin(tag);
                $($crate::__field_encode!($card, &self.$field, $crate::Tag::$tag, w);)*
                w.end(s);
            }
        }
    };
}
