//! Create Split Key (KMIP 1.4 §4.39): splits a symmetric key or secret —
//! an existing one, or one generated from the Template-Attribute — into
//! Split Key objects, stored together in one transaction. The original
//! stays as it is. Method XOR: as many parts as the threshold, all needed
//! to join; every part but the last is random, the last is the key XORed
//! with them, so any incomplete set reveals nothing. Polynomial sharing is
//! not offered (Invalid Field).

use crate::engine::keygen::{generate, raw};
use crate::engine::templates::from_template;
use crate::object::attributes::{inherit_protection, new_object};
use crate::ops::{Context, Error};
use kmip_codec::enums::{KeyFormatType, ObjectType, SplitKeyMethod};
use kmip_codec::messages::ops::create_split_key::{CreateSplitKeyRequest, CreateSplitKeyResponse};
use kmip_codec::messages::{AttributeValue, Bytes, KeyBlock, KeyMaterial, KeyValue, Object, SplitKey};
use zeroize::Zeroizing;

/// The most parts one split makes.
pub const MAX_PARTS: i32 = 255;

/// Runs Create Split Key.
pub fn run(ctx: &Context<'_>, req: &CreateSplitKeyRequest) -> Result<CreateSplitKeyResponse, Error> {
    if req.split_key_method != SplitKeyMethod::XOR {
        return Err(Error::InvalidField(format!(
            "Split Key Method {} is not offered: use XOR",
            req.split_key_method.name().unwrap_or("of this value")
        )));
    }
    let parts = req.split_key_parts;
    if !(2..=MAX_PARTS).contains(&parts) || req.split_key_threshold != parts {
        return Err(Error::InvalidField(format!(
            "XOR splits into 2 to {MAX_PARTS} parts, all of which are needed: Split Key Threshold must equal Split Key Parts"
        )));
    }
    // Object Type names what is split, or (as PyKMIP sends it) what is
    // made: Split Key, which then splits whatever the identifier names,
    // or a new symmetric key.
    if !matches!(
        req.object_type,
        ObjectType::SymmetricKey | ObjectType::SecretData | ObjectType::SplitKey
    ) {
        return Err(Error::InvalidField(
            "Create Split Key splits symmetric keys and secret data".into(),
        ));
    }
    let attributes = from_template(ctx, Some(&req.template_attribute))?;
    // Parts of an existing key are as protected as the key.
    let mut protected_by = None;
    let original = match &req.unique_identifier {
        Some(uid) => {
            let stored = ctx.load(uid, true)?;
            let splittable = matches!(stored.object_type, ObjectType::SymmetricKey | ObjectType::SecretData);
            if !splittable || (req.object_type != ObjectType::SplitKey && stored.object_type != req.object_type) {
                return Err(Error::InvalidField(format!(
                    "object {uid} is not a {}",
                    match req.object_type {
                        ObjectType::SplitKey => "symmetric key or secret data",
                        other => other.name().unwrap_or("?"),
                    }
                )));
            }
            let object = stored
                .object
                .clone()
                .ok_or_else(|| Error::KeyValueNotPresent(format!("object {uid} has no key material")))?;
            protected_by = Some(stored);
            object
        }
        None => {
            let find = |f: fn(&AttributeValue) -> Option<i32>| attributes.iter().find_map(|a| f(&a.value));
            let algorithm = attributes
                .iter()
                .find_map(|a| match a.value {
                    AttributeValue::CryptographicAlgorithm(x) => Some(x),
                    _ => None,
                })
                .ok_or_else(|| {
                    Error::InvalidField(
                        "without a Unique Identifier, the template needs a Cryptographic Algorithm".into(),
                    )
                })?;
            let bits = find(|v| match v {
                AttributeValue::CryptographicLength(n) => Some(*n),
                _ => None,
            })
            .ok_or_else(|| {
                Error::InvalidField("without a Unique Identifier, the template needs a Cryptographic Length".into())
            })?;
            generate(algorithm, bits)?
        }
    };
    let (key, block) =
        raw(&original).ok_or_else(|| Error::InvalidField("the key's material cannot be split (wrapped?)".into()))?;
    // The parts together hold no more than one request may carry: a small
    // request must not make the server store a large multiple of a secret.
    let limit = ctx.server.config.max_message_size;
    let total = key.len().saturating_mul(usize::try_from(parts).unwrap_or(usize::MAX));
    if total > limit {
        return Err(Error::InvalidField(format!(
            "{parts} parts of {} bytes would store {total} bytes; at most {limit} (max_message_size)",
            key.len()
        )));
    }
    let mut shares: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut last = Zeroizing::new(key.to_vec());
    for _ in 1..parts {
        let mut share = Zeroizing::new(vec![0u8; key.len()]);
        aws_lc_rs::rand::fill(&mut share).map_err(|_| Error::random_failed())?;
        last.iter_mut().zip(share.iter()).for_each(|(l, s)| *l ^= s);
        shares.push(share);
    }
    shares.push(last);
    let mut objects = Vec::with_capacity(shares.len());
    for (i, share) in shares.iter().enumerate() {
        let object = Object::SplitKey(SplitKey {
            split_key_parts: parts,
            key_part_identifier: i32::try_from(i.saturating_add(1)).unwrap_or(i32::MAX),
            split_key_threshold: parts,
            split_key_method: SplitKeyMethod::XOR,
            prime_field_size: None,
            key_block: KeyBlock {
                key_format_type: KeyFormatType::Raw,
                key_compression_type: None,
                key_value: Some(KeyValue::Plain {
                    key_material: KeyMaterial::Bytes(Bytes::new(share.to_vec())),
                    attributes: vec![],
                }),
                cryptographic_algorithm: block.cryptographic_algorithm,
                cryptographic_length: block.cryptographic_length,
                key_wrapping_data: None,
            },
        });
        let described = block.cryptographic_algorithm.zip(block.cryptographic_length);
        let mut part = new_object(ObjectType::SplitKey, object, attributes.clone(), described)?;
        if let Some(base) = &protected_by {
            inherit_protection(base, &mut part);
        }
        objects.push(part);
    }
    let unique_identifiers: Vec<String> = objects.iter().map(|o| o.uid.clone()).collect();
    ctx.store.create_all(&ctx.scope(), objects)?;
    Ok(CreateSplitKeyResponse {
        unique_identifiers,
        template_attribute: None,
    })
}
