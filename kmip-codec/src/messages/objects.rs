//! Managed objects (KMIP 1.4 §2.2) and the Key Block that carries key
//! material (§2.1.3–2.1.7).
//!
//! The Key Block is the one structure whose content depends on a sibling:
//! a Key Value is a Byte String when wrapped and a Structure otherwise, and a
//! Structure Key Material's fields depend on the Key Format Type. Key
//! material is held in zeroize-on-drop [`Bytes`] and Big Integers.

use super::common::*;
use super::{Attribute, BigInteger, Bytes, Codec, Fields, MessageError};
use crate::enums::*;
use crate::kmip_struct;
use crate::tags::Tag;
use crate::ttlv::{Item, ItemType, Ttlv, Writer};

/// Key Material (§2.1.4, Table 8): bytes for Raw, Opaque, PKCS#1, PKCS#8,
/// ECPrivateKey and wrapped formats; a structure for Transparent formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMaterial {
    /// Byte String key material.
    Bytes(Bytes),
    /// Transparent Symmetric Key.
    Symmetric(TransparentSymmetricKey),
    /// Transparent DSA Private Key.
    DSAPrivate(TransparentDSAPrivateKey),
    /// Transparent DSA Public Key.
    DSAPublic(TransparentDSAPublicKey),
    /// Transparent RSA Private Key.
    RSAPrivate(TransparentRSAPrivateKey),
    /// Transparent RSA Public Key.
    RSAPublic(TransparentRSAPublicKey),
    /// Transparent DH Private Key.
    DHPrivate(TransparentDHPrivateKey),
    /// Transparent DH Public Key.
    DHPublic(TransparentDHPublicKey),
    /// Transparent EC, ECDSA, ECDH or ECMQV Private Key.
    ECPrivate(TransparentECPrivateKey),
    /// Transparent EC, ECDSA, ECDH or ECMQV Public Key.
    ECPublic(TransparentECPublicKey),
    /// A structure for an extension Key Format Type.
    Extension(Ttlv),
}

impl KeyMaterial {
    /// Decodes Key Material whose shape the Key Format Type decides.
    pub fn decode_as(format: KeyFormatType, item: Item<'_, '_>) -> Result<Self, MessageError> {
        if item.item_type() == ItemType::ByteString {
            return Ok(KeyMaterial::Bytes(Bytes::decode(item)?));
        }
        type F = KeyFormatType;
        Ok(match format {
            F::TransparentSymmetricKey => KeyMaterial::Symmetric(Codec::decode(item)?),
            F::TransparentDSAPrivateKey => KeyMaterial::DSAPrivate(Codec::decode(item)?),
            F::TransparentDSAPublicKey => KeyMaterial::DSAPublic(Codec::decode(item)?),
            F::TransparentRSAPrivateKey => KeyMaterial::RSAPrivate(Codec::decode(item)?),
            F::TransparentRSAPublicKey => KeyMaterial::RSAPublic(Codec::decode(item)?),
            F::TransparentDHPrivateKey => KeyMaterial::DHPrivate(Codec::decode(item)?),
            F::TransparentDHPublicKey => KeyMaterial::DHPublic(Codec::decode(item)?),
            F::TransparentECDSAPrivateKey
            | F::TransparentECDHPrivateKey
            | F::TransparentECMQVPrivateKey
            | F::TransparentECPrivateKey => KeyMaterial::ECPrivate(Codec::decode(item)?),
            F::TransparentECDSAPublicKey
            | F::TransparentECDHPublicKey
            | F::TransparentECMQVPublicKey
            | F::TransparentECPublicKey => KeyMaterial::ECPublic(Codec::decode(item)?),
            other if other.0 & 0x8000_0000 != 0 => KeyMaterial::Extension(item.to_owned()),
            other => {
                return Err(MessageError::InvalidValue {
                    field: Tag::KeyMaterial,
                    reason: format!("a {other:?} key has Byte String key material, not a Structure"),
                })
            }
        })
    }

    fn encode(&self, w: &mut Writer) {
        let tag = Tag::KeyMaterial;
        match self {
            KeyMaterial::Bytes(v) => v.encode(tag, w),
            KeyMaterial::Symmetric(v) => v.encode(tag, w),
            KeyMaterial::DSAPrivate(v) => v.encode(tag, w),
            KeyMaterial::DSAPublic(v) => v.encode(tag, w),
            KeyMaterial::RSAPrivate(v) => v.encode(tag, w),
            KeyMaterial::RSAPublic(v) => v.encode(tag, w),
            KeyMaterial::DHPrivate(v) => v.encode(tag, w),
            KeyMaterial::DHPublic(v) => v.encode(tag, w),
            KeyMaterial::ECPrivate(v) => v.encode(tag, w),
            KeyMaterial::ECPublic(v) => v.encode(tag, w),
            KeyMaterial::Extension(v) => v.encode(tag, w),
        }
    }
}

/// Key Value (§2.1.4): wrapped bytes, or key material with attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyValue {
    /// A wrapped Key Value (Byte String).
    Wrapped(Bytes),
    /// A plaintext (or material-only wrapped) Key Value structure.
    Plain {
        /// The key material.
        key_material: KeyMaterial,
        /// Attributes carried with the key.
        attributes: Vec<Attribute>,
    },
}

impl KeyValue {
    /// Writes the Key Value item: a Byte String when wrapped, else a
    /// Structure of Key Material and attributes. Its TTLV is also what a key
    /// wrapped with the TTLV Encoding Option wraps.
    pub fn write(&self, w: &mut Writer) {
        match self {
            KeyValue::Wrapped(b) => b.encode(Tag::KeyValue, w),
            KeyValue::Plain {
                key_material,
                attributes,
            } => {
                let kv = w.begin(Tag::KeyValue);
                key_material.encode(w);
                for a in attributes {
                    a.encode(Tag::Attribute, w);
                }
                w.end(kv);
            }
        }
    }
}

/// Key Block (§2.1.3, Table 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBlock {
    /// Key Format Type.
    pub key_format_type: KeyFormatType,
    /// Key Compression Type.
    pub key_compression_type: Option<KeyCompressionType>,
    /// Key Value (absent when only the key's metadata is sent).
    pub key_value: Option<KeyValue>,
    /// Cryptographic Algorithm.
    pub cryptographic_algorithm: Option<CryptographicAlgorithm>,
    /// Cryptographic Length.
    pub cryptographic_length: Option<i32>,
    /// Key Wrapping Data, present when the key is wrapped.
    pub key_wrapping_data: Option<KeyWrappingData>,
}

impl Codec for KeyBlock {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let key_format_type: KeyFormatType = f.req(Tag::KeyFormatType)?;
        let key_compression_type = f.opt(Tag::KeyCompressionType)?;
        let key_value = match f.take::<Ttlv>(Tag::KeyValue) {
            None => None,
            Some(v) if v.item_type() == ItemType::ByteString => Some(KeyValue::Wrapped(Bytes::decode(v)?)),
            Some(v) => {
                let mut kv = Fields::new(v)?;
                let material = kv.take::<Ttlv>(Tag::KeyMaterial).ok_or(MessageError::Missing {
                    field: Tag::KeyMaterial,
                    within: Tag::KeyValue,
                })?;
                let key_material = KeyMaterial::decode_as(key_format_type, material)?;
                let attributes = kv.vec(Tag::Attribute)?;
                kv.finish()?;
                Some(KeyValue::Plain {
                    key_material,
                    attributes,
                })
            }
        };
        let block = KeyBlock {
            key_format_type,
            key_compression_type,
            key_value,
            cryptographic_algorithm: f.opt(Tag::CryptographicAlgorithm)?,
            cryptographic_length: f.opt(Tag::CryptographicLength)?,
            key_wrapping_data: f.opt(Tag::KeyWrappingData)?,
        };
        f.finish()?;
        Ok(block)
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        self.key_format_type.encode(Tag::KeyFormatType, w);
        if let Some(v) = &self.key_compression_type {
            v.encode(Tag::KeyCompressionType, w);
        }
        if let Some(v) = &self.key_value {
            v.write(w);
        }
        if let Some(v) = &self.cryptographic_algorithm {
            v.encode(Tag::CryptographicAlgorithm, w);
        }
        if let Some(v) = &self.cryptographic_length {
            v.encode(Tag::CryptographicLength, w);
        }
        if let Some(v) = &self.key_wrapping_data {
            v.encode(Tag::KeyWrappingData, w);
        }
        w.end(s);
    }
}

kmip_struct! {
    /// Certificate (§2.2.1, Table 45).
    pub struct Certificate {
        req certificate_type: CertificateType = CertificateType,
        req certificate_value: Bytes = CertificateValue,
    }
}

kmip_struct! {
    /// Symmetric Key (§2.2.2, Table 46).
    pub struct SymmetricKey {
        req key_block: KeyBlock = KeyBlock,
    }
}

kmip_struct! {
    /// Public Key (§2.2.3, Table 47).
    pub struct PublicKey {
        req key_block: KeyBlock = KeyBlock,
    }
}

kmip_struct! {
    /// Private Key (§2.2.4, Table 48).
    pub struct PrivateKey {
        req key_block: KeyBlock = KeyBlock,
    }
}

kmip_struct! {
    /// Split Key (§2.2.5, Table 49).
    pub struct SplitKey {
        req split_key_parts: i32 = SplitKeyParts,
        req key_part_identifier: i32 = KeyPartIdentifier,
        req split_key_threshold: i32 = SplitKeyThreshold,
        req split_key_method: SplitKeyMethod = SplitKeyMethod,
        opt prime_field_size: BigInteger = PrimeFieldSize,
        req key_block: KeyBlock = KeyBlock,
    }
}

kmip_struct! {
    /// Template, deprecated since 1.3 (§2.2.6, Table 50).
    #[derive(Default)]
    pub struct Template {
        vec attributes: Attribute = Attribute,
    }
}

kmip_struct! {
    /// Secret Data (§2.2.7, Table 51).
    pub struct SecretData {
        req secret_data_type: SecretDataType = SecretDataType,
        req key_block: KeyBlock = KeyBlock,
    }
}

kmip_struct! {
    /// Opaque Object (§2.2.8, Table 52).
    pub struct OpaqueObject {
        req opaque_data_type: OpaqueDataType = OpaqueDataType,
        req opaque_data_value: Bytes = OpaqueDataValue,
    }
}

kmip_struct! {
    /// PGP Key (§2.2.9, Table 53).
    pub struct PGPKey {
        req pgp_key_version: i32 = PGPKeyVersion,
        req key_block: KeyBlock = KeyBlock,
    }
}

macro_rules! objects {
    ($($variant:ident),*) => {
        /// A managed object, the field of Register, Get, Import, Export and
        /// Put that is tagged by the object's own type.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Object {
            $(
                #[doc = stringify!($variant)]
                $variant($variant),
            )*
        }

        impl Object {
            /// The object's Object Type.
            pub fn object_type(&self) -> ObjectType {
                match self {
                    $(Object::$variant(_) => ObjectType::$variant,)*
                }
            }
        }

        impl Object {
            /// The Key Block of the objects that have one (keys, Secret
            /// Data, Split and PGP keys).
            pub fn key_block(&self) -> Option<&KeyBlock> {
                match self {
                    Object::SymmetricKey(k) => Some(&k.key_block),
                    Object::PublicKey(k) => Some(&k.key_block),
                    Object::PrivateKey(k) => Some(&k.key_block),
                    Object::SplitKey(k) => Some(&k.key_block),
                    Object::SecretData(k) => Some(&k.key_block),
                    Object::PGPKey(k) => Some(&k.key_block),
                    Object::Certificate(_) | Object::OpaqueObject(_) | Object::Template(_) => None,
                }
            }

            /// [`Object::key_block`], mutable.
            pub fn key_block_mut(&mut self) -> Option<&mut KeyBlock> {
                match self {
                    Object::SymmetricKey(k) => Some(&mut k.key_block),
                    Object::PublicKey(k) => Some(&mut k.key_block),
                    Object::PrivateKey(k) => Some(&mut k.key_block),
                    Object::SplitKey(k) => Some(&mut k.key_block),
                    Object::SecretData(k) => Some(&mut k.key_block),
                    Object::PGPKey(k) => Some(&mut k.key_block),
                    Object::Certificate(_) | Object::OpaqueObject(_) | Object::Template(_) => None,
                }
            }
        }

        impl Codec for Object {
            fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
                match item.tag() {
                    $(Tag::$variant => Ok(Object::$variant(Codec::decode(item)?)),)*
                    other => Err(MessageError::Unexpected {
                        field: other,
                        within: Tag::RequestPayload,
                        offset: item.offset(),
                    }),
                }
            }

            /// Objects are tagged by their type, whatever tag is asked for.
            fn encode(&self, _tag: Tag, w: &mut Writer) {
                match self {
                    $(Object::$variant(v) => v.encode(Tag::$variant, w),)*
                }
            }

            fn accepts(found: Tag, _declared: Tag) -> bool {
                matches!(found, $(Tag::$variant)|*)
            }
        }
    };
}

objects!(
    Certificate,
    SymmetricKey,
    PublicKey,
    PrivateKey,
    SplitKey,
    Template,
    SecretData,
    OpaqueObject,
    PGPKey
);

/// The tag under which payloads declare their managed-object field; any
/// object tag fills it (see [`Object`]'s `accepts`).
#[allow(non_upper_case_globals)]
impl Tag {
    /// Stands for "Certificate, Symmetric Key, ... or PGP Key" in field tables.
    pub const AnyObject: Tag = Tag(0);
}
