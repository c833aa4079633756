//! New key material: symmetric keys of an algorithm and length
//! ([`generate`]), RSA and EC key pairs with their attributes and links
//! (Create Key Pair, Re-key Key Pair), and the raw bytes of a key (Split
//! Key).

use crate::crypto::pkey::{self, Kind, PKey};
use crate::object::attributes::{multiple, new_object, server_rng};
use crate::object::ManagedObject;
use crate::ops::Error;
use kmip_codec::enums::{CryptographicAlgorithm, KeyFormatType, LinkType, ObjectType, RecommendedCurve};
use kmip_codec::messages::{
    Attribute, AttributeValue, Bytes, KeyBlock, KeyMaterial, KeyValue, Object, PrivateKey, PublicKey, SymmetricKey,
};
use zeroize::Zeroizing;

/// The key length in bytes for an algorithm and a length in bits.
pub(crate) fn key_bytes(algorithm: CryptographicAlgorithm, bits: i32) -> Result<usize, Error> {
    type A = CryptographicAlgorithm;
    let ok = match algorithm {
        A::AES => matches!(bits, 128 | 192 | 256),
        A::DES3 => matches!(bits, 168 | 192),
        A::HMAC_SHA1 | A::HMAC_SHA224 | A::HMAC_SHA256 | A::HMAC_SHA384 | A::HMAC_SHA512 => {
            (8..=4096).contains(&bits) && bits % 8 == 0
        }
        other => {
            return Err(Error::InvalidField(format!(
                "Create makes AES, 3DES and HMAC keys; {} is not supported",
                other.name().unwrap_or("this algorithm")
            )))
        }
    };
    if !ok {
        return Err(Error::InvalidField(format!(
            "{bits} bits is not a valid length for {}",
            algorithm.name().unwrap_or("this algorithm")
        )));
    }
    Ok(if algorithm == A::DES3 { 24 } else { bits as usize / 8 })
}

/// A new random symmetric key of `algorithm` and `bits` (Create, Re-key).
pub fn generate(algorithm: CryptographicAlgorithm, bits: i32) -> Result<Object, Error> {
    let mut key = Zeroizing::new(vec![0u8; key_bytes(algorithm, bits)?]);
    aws_lc_rs::rand::fill(key.as_mut_slice()).map_err(|_| Error::random_failed())?;
    Ok(Object::SymmetricKey(SymmetricKey {
        key_block: KeyBlock {
            key_format_type: KeyFormatType::Raw,
            key_compression_type: None,
            key_value: Some(KeyValue::Plain {
                key_material: KeyMaterial::Bytes(Bytes::new(key.to_vec())),
                attributes: vec![],
            }),
            cryptographic_algorithm: Some(algorithm),
            cryptographic_length: Some(bits),
            key_wrapping_data: None,
        },
    }))
}

/// The common attributes, then the half's own, which replace a
/// single-instance common one.
pub(crate) fn merged(common: &[Attribute], own: Vec<Attribute>) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = common
        .iter()
        .filter(|c| multiple(&c.name) || !own.iter().any(|o| o.name == c.name))
        .cloned()
        .collect();
    out.extend(own);
    out
}

pub(crate) fn find<T>(attributes: &[Attribute], f: impl Fn(&AttributeValue) -> Option<T>) -> Option<T> {
    attributes.iter().find_map(|a| f(&a.value))
}

/// The key type and size the attributes ask for.
pub(crate) fn key_spec(attributes: &[Attribute]) -> Result<(CryptographicAlgorithm, Kind, usize), Error> {
    let algorithm = find(attributes, |v| match v {
        AttributeValue::CryptographicAlgorithm(a) => Some(*a),
        _ => None,
    })
    .ok_or_else(|| Error::InvalidField("Create Key Pair needs a Cryptographic Algorithm attribute".into()))?;
    let length = find(attributes, |v| match v {
        AttributeValue::CryptographicLength(n) => usize::try_from(*n).ok(),
        _ => None,
    });
    let curve = find(attributes, |v| match v {
        AttributeValue::CryptographicDomainParameters(p) => p.recommended_curve,
        _ => None,
    });
    let kind = match algorithm {
        CryptographicAlgorithm::RSA => Kind::Rsa,
        CryptographicAlgorithm::EC | CryptographicAlgorithm::ECDSA | CryptographicAlgorithm::ECDH => Kind::Ec,
        other => {
            return Err(Error::InvalidField(format!(
                "Create Key Pair makes RSA and EC keys, not {}",
                other.name().unwrap_or("this algorithm")
            )))
        }
    };
    let bits = match (kind, curve, length) {
        (Kind::Ec, Some(RecommendedCurve::P_256), _) => 256,
        (Kind::Ec, Some(RecommendedCurve::P_384), _) => 384,
        (Kind::Ec, Some(RecommendedCurve::P_521), _) => 521,
        (Kind::Ec, Some(c), _) => {
            return Err(Error::InvalidField(format!(
                "curve {} is not offered: use P-256, P-384 or P-521",
                c.name().unwrap_or("of this value")
            )))
        }
        (_, _, Some(n)) => n,
        (_, _, None) => {
            return Err(Error::InvalidField(
                "Create Key Pair needs a Cryptographic Length (or, for EC, a Recommended Curve)".into(),
            ))
        }
    };
    Ok((algorithm, kind, bits))
}

pub(crate) fn block(format: KeyFormatType, der: Vec<u8>, algorithm: CryptographicAlgorithm, bits: usize) -> KeyBlock {
    KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(der)),
            attributes: vec![],
        }),
        cryptographic_algorithm: Some(algorithm),
        cryptographic_length: i32::try_from(bits).ok(),
        key_wrapping_data: None,
    }
}

/// The two halves of a new key pair as objects, in their default formats.
pub(crate) fn pair_objects(
    key: &PKey,
    kind: Kind,
    algorithm: CryptographicAlgorithm,
    bits: usize,
) -> Result<(Object, Object), Error> {
    let (private, public) = match kind {
        Kind::Rsa => (
            block(
                KeyFormatType::PKCS_1,
                key.private_traditional_der().map_err(Error::crypto)?.to_vec(),
                algorithm,
                bits,
            ),
            block(
                KeyFormatType::PKCS_1,
                key.public_pkcs1_der().map_err(Error::crypto)?,
                algorithm,
                bits,
            ),
        ),
        Kind::Ec => (
            block(
                KeyFormatType::PKCS_8,
                key.private_pkcs8_der().map_err(Error::crypto)?.to_vec(),
                algorithm,
                bits,
            ),
            block(
                KeyFormatType::X_509,
                key.public_spki_der().map_err(Error::crypto)?,
                algorithm,
                bits,
            ),
        ),
    };
    Ok((
        Object::PrivateKey(PrivateKey { key_block: private }),
        Object::PublicKey(PublicKey { key_block: public }),
    ))
}

/// Both halves as stored objects, linked to each other.
pub(crate) fn linked_pair(
    private: (Object, Vec<Attribute>),
    public: (Object, Vec<Attribute>),
    algorithm: CryptographicAlgorithm,
    bits: usize,
) -> Result<(ManagedObject, ManagedObject), Error> {
    let length = i32::try_from(bits).unwrap_or(i32::MAX);
    let mut private = new_object(ObjectType::PrivateKey, private.0, private.1, Some((algorithm, length)))?;
    let mut public = new_object(ObjectType::PublicKey, public.0, public.1, Some((algorithm, length)))?;
    private.add_link(LinkType::PublicKeyLink, &public.uid);
    public.add_link(LinkType::PrivateKeyLink, &private.uid);
    private.set(server_rng());
    public.set(server_rng());
    Ok((private, public))
}

/// A freshly generated key pair as two linked objects with these attributes.
pub(crate) fn new_pair(
    kind: Kind,
    algorithm: CryptographicAlgorithm,
    bits: usize,
    private_attrs: Vec<Attribute>,
    public_attrs: Vec<Attribute>,
) -> Result<(ManagedObject, ManagedObject), Error> {
    let key = pkey::generate(kind, bits).map_err(|e| Error::InvalidField(e.0))?;
    let (private_object, public_object) = pair_objects(&key, kind, algorithm, bits)?;
    linked_pair(
        (private_object, private_attrs),
        (public_object, public_attrs),
        algorithm,
        bits,
    )
}

/// The raw bytes and key block description of a symmetric key or secret.
pub(crate) fn raw(object: &Object) -> Option<(&[u8], &KeyBlock)> {
    let block = match object {
        Object::SymmetricKey(k) => &k.key_block,
        Object::SecretData(s) => &s.key_block,
        Object::SplitKey(s) => &s.key_block,
        _ => return None,
    };
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => Some((b, block)),
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Symmetric(t),
            ..
        }) => Some((&t.key, block)),
        _ => None,
    }
}
