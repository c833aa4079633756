//! Get (KMIP 1.4 §4.11): returns the object. Works in any state that still
//! has key material (Pre-Active included: PostgreSQL pg_tde never
//! activates). Without a Key Format Type an object comes back as it was
//! created or registered; a symmetric key can also be asked for as Raw or
//! Transparent Symmetric Key. Key wrapping arrives with its own change and
//! is refused until then.

use kmip_codec::enums::{KeyFormatType, ResultReason};
use kmip_codec::messages::ops::get::{GetRequest, GetResponse};
use kmip_codec::messages::{AttributeValue, Bytes, KeyMaterial, KeyValue, Object, TransparentSymmetricKey};

use super::{Context, OpError};

fn convert(object: &mut Object, wanted: KeyFormatType) -> Result<(), OpError> {
    let unsupported = || {
        OpError::new(
            ResultReason::KeyFormatTypeNotSupported,
            format!(
                "this object cannot be returned as {}",
                wanted.name().unwrap_or("that format")
            ),
        )
    };
    let block = match object {
        Object::SymmetricKey(k) => &mut k.key_block,
        Object::SecretData(k) => &mut k.key_block,
        Object::PublicKey(k) => &mut k.key_block,
        Object::PrivateKey(k) => &mut k.key_block,
        Object::SplitKey(k) => &mut k.key_block,
        Object::PGPKey(k) => &mut k.key_block,
        _ => return Err(unsupported()),
    };
    if block.key_format_type == wanted {
        return Ok(());
    }
    let symmetric = matches!(object, Object::SymmetricKey(_));
    let Some(KeyValue::Plain { key_material, .. }) = block_key_value(object) else {
        return Err(unsupported());
    };
    let bytes: Vec<u8> = match key_material {
        KeyMaterial::Bytes(b) => b.to_vec(),
        KeyMaterial::Symmetric(t) => t.key.to_vec(),
        _ => return Err(unsupported()),
    };
    let material = match wanted {
        KeyFormatType::Raw if symmetric => KeyMaterial::Bytes(Bytes::new(bytes)),
        KeyFormatType::TransparentSymmetricKey if symmetric => {
            KeyMaterial::Symmetric(TransparentSymmetricKey { key: Bytes::new(bytes) })
        }
        _ => return Err(unsupported()),
    };
    if let Object::SymmetricKey(k) = object {
        k.key_block.key_format_type = wanted;
        if let Some(KeyValue::Plain { key_material, .. }) = &mut k.key_block.key_value {
            *key_material = material;
        }
    }
    Ok(())
}

fn block_key_value(object: &mut Object) -> Option<&mut KeyValue> {
    match object {
        Object::SymmetricKey(k) => k.key_block.key_value.as_mut(),
        Object::SecretData(k) => k.key_block.key_value.as_mut(),
        Object::PublicKey(k) => k.key_block.key_value.as_mut(),
        Object::PrivateKey(k) => k.key_block.key_value.as_mut(),
        Object::SplitKey(k) => k.key_block.key_value.as_mut(),
        Object::PGPKey(k) => k.key_block.key_value.as_mut(),
        _ => None,
    }
}

/// Runs Get.
pub fn run(ctx: &mut Context<'_>, req: &GetRequest) -> Result<GetResponse, OpError> {
    let uid = ctx.uid(&req.unique_identifier)?;
    if req.key_wrapping_specification.is_some() || req.key_wrap_type.is_some() {
        return Err(OpError::new(
            ResultReason::FeatureNotSupported,
            "key wrapping on Get is not supported yet",
        ));
    }
    if req.key_compression_type.is_some() {
        return Err(OpError::new(
            ResultReason::KeyCompressionTypeNotSupported,
            "key compression applies to elliptic-curve public keys, which this server does not hold yet",
        ));
    }
    let stored = ctx.load(&uid, true)?;
    let fresh = stored.values("Fresh").any(|a| a.value == AttributeValue::Fresh(true));
    let mut object = stored.object.ok_or_else(|| {
        OpError::new(
            ResultReason::KeyValueNotPresent,
            format!("object {uid} has been destroyed: only its metadata remains"),
        )
    })?;
    if let Some(wanted) = req.key_format_type {
        convert(&mut object, wanted)?;
    }
    // The material has now left the server: it is no longer Fresh (§3.34).
    // Written only on the first Get, so repeated Gets stay reads.
    if fresh {
        ctx.update(&uid, |o| {
            o.set(AttributeValue::Fresh(false));
            Ok(())
        })?;
    }
    Ok(GetResponse {
        object_type: stored.object_type,
        unique_identifier: uid,
        object,
    })
}
