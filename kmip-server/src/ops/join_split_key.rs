//! Join Split Key (KMIP 1.4 §4.40): XORs the named Split Key objects (all
//! parts of one XOR split, each once) back into a new Symmetric Key or
//! Secret Data object, described by the parts' key block and the
//! Template-Attribute.

use kmip_codec::enums::{KeyFormatType, ObjectType, SecretDataType, SplitKeyMethod};
use kmip_codec::messages::ops::join_split_key::{JoinSplitKeyRequest, JoinSplitKeyResponse};
use kmip_codec::messages::{Bytes, KeyBlock, KeyMaterial, KeyValue, Object, SecretData, SymmetricKey};
use zeroize::Zeroizing;

use crate::engine::keygen::raw;
use crate::engine::templates::from_template;
use crate::object::attributes::new_object;
use crate::ops::{Context, Error};

/// Runs Join Split Key.
pub fn run(ctx: &Context<'_>, req: &JoinSplitKeyRequest) -> Result<JoinSplitKeyResponse, Error> {
    if !matches!(req.object_type, ObjectType::SymmetricKey | ObjectType::SecretData) {
        return Err(Error::InvalidField(
            "Join Split Key makes symmetric keys and secret data".into(),
        ));
    }
    let mut joined: Option<Zeroizing<Vec<u8>>> = None;
    let mut seen: Vec<i32> = Vec::new();
    let mut described = None;
    let mut expected_parts = None;
    for uid in &req.unique_identifiers {
        let part = ctx.load(uid, true)?;
        let Some(object @ Object::SplitKey(split)) = &part.object else {
            return Err(Error::InvalidField(format!(
                "object {uid} is not a Split Key with material"
            )));
        };
        if split.split_key_method != SplitKeyMethod::XOR {
            return Err(Error::InvalidField("only XOR splits can be joined here".into()));
        }
        if *expected_parts.get_or_insert(split.split_key_parts) != split.split_key_parts
            || seen.contains(&split.key_part_identifier)
        {
            return Err(Error::InvalidField(
                "the parts are not distinct parts of one split".into(),
            ));
        }
        seen.push(split.key_part_identifier);
        let (bytes, block) =
            raw(object).ok_or_else(|| Error::InvalidField(format!("Split Key {uid} holds no usable material")))?;
        described = Some((block.cryptographic_algorithm, block.cryptographic_length));
        match &mut joined {
            None => joined = Some(Zeroizing::new(bytes.to_vec())),
            Some(j) if j.len() == bytes.len() => j.iter_mut().zip(bytes).for_each(|(a, b)| *a ^= b),
            Some(_) => return Err(Error::InvalidField("the parts have different lengths".into())),
        }
    }
    let parts = usize::try_from(expected_parts.unwrap_or(0)).unwrap_or(0);
    let (Some(key), true) = (joined, seen.len() == parts && parts >= 2) else {
        return Err(Error::InvalidField(format!(
            "an XOR split needs all {parts} of its parts; {} were given",
            seen.len()
        )));
    };
    let (algorithm, length) = described.unwrap_or((None, None));
    let block = KeyBlock {
        key_format_type: KeyFormatType::Raw,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(key.to_vec())),
            attributes: vec![],
        }),
        cryptographic_algorithm: algorithm,
        cryptographic_length: length,
        key_wrapping_data: None,
    };
    let object = if req.object_type == ObjectType::SymmetricKey {
        Object::SymmetricKey(SymmetricKey { key_block: block })
    } else {
        Object::SecretData(SecretData {
            secret_data_type: req.secret_data_type.unwrap_or(SecretDataType::Seed),
            key_block: block,
        })
    };
    let attributes = from_template(ctx, req.template_attribute.as_ref())?;
    let stored = new_object(req.object_type, object, attributes, algorithm.zip(length))?;
    let uid = stored.uid.clone();
    ctx.store.create(&ctx.scope(), stored)?;
    Ok(JoinSplitKeyResponse {
        unique_identifier: uid,
        template_attribute: None,
    })
}
