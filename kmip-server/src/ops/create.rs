//! Create (KMIP 1.4 §4.1): the server generates a symmetric key.
//!
//! Cryptographic Algorithm and Cryptographic Usage Mask are required
//! (Table 165); AES takes 128, 192 or 256 bits, 3DES 168 or 192 (three
//! 64-bit keys with parity bits), HMAC keys 8 to 4096 bits in whole bytes.
//! Secret Data and the other object types are registered, not created.

use kmip_codec::enums::{CryptographicAlgorithm, KeyFormatType, ObjectType};
use kmip_codec::messages::ops::create::{CreateRequest, CreateResponse};
use kmip_codec::messages::AttributeName;
use kmip_codec::messages::{AttributeValue, Bytes, KeyBlock, KeyMaterial, KeyValue, Object, SymmetricKey};
use zeroize::Zeroizing;

use super::attributes::{from_template, new_object, server_rng};
use super::{Context, Error};

/// The key length in bytes for an algorithm and a length in bits.
fn key_bytes(algorithm: CryptographicAlgorithm, bits: i32) -> Result<usize, Error> {
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

/// Runs Create.
pub fn run(ctx: &mut Context<'_>, req: &CreateRequest) -> Result<CreateResponse, Error> {
    if req.object_type != ObjectType::SymmetricKey {
        return Err(Error::InvalidField(format!(
            "Create makes Symmetric Keys; register a {} instead",
            req.object_type.name().unwrap_or("object of this type")
        )));
    }
    let attributes = from_template(ctx, Some(&req.template_attribute))?;
    let algorithm = attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::CryptographicAlgorithm(x) => Some(x),
            _ => None,
        })
        .ok_or_else(|| Error::InvalidField("Create needs a Cryptographic Algorithm attribute".into()))?;
    if !attributes.iter().any(|a| a.is(AttributeName::CryptographicUsageMask)) {
        return Err(Error::InvalidField(
            "Create needs a Cryptographic Usage Mask attribute".into(),
        ));
    }
    let bits = attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::CryptographicLength(x) => Some(x),
            _ => None,
        })
        .ok_or_else(|| Error::InvalidField("Create needs a Cryptographic Length attribute".into()))?;
    let object = generate(algorithm, bits)?;
    let mut stored = new_object(ObjectType::SymmetricKey, object, attributes, None)?;
    stored.set(server_rng());
    let uid = stored.uid.clone();
    ctx.store.create(&ctx.scope(), stored)?;
    *ctx.id_placeholder = Some(uid.clone());
    Ok(CreateResponse {
        object_type: ObjectType::SymmetricKey,
        unique_identifier: uid,
        template_attribute: None,
    })
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
