//! Key material leaving the server (Get, Export).
//!
//! Get (KMIP 1.4 §4.11) returns the object. Works in any state that still
//! has key material (Pre-Active included: PostgreSQL pg_tde never
//! activates). Without a Key Format Type an object comes back as it was
//! created or registered; a symmetric key can also be asked for as Raw or
//! Transparent Symmetric Key, an RSA or EC private key as PKCS#1 (RSA),
//! ECPrivateKey (EC), PKCS#8 or its Transparent form, a public key as PKCS#1
//! (RSA), X.509 or its Transparent form — whichever form it was stored in.
//!
//! With a Key Wrapping Specification the Key Value comes back wrapped
//! ([`crate::engine::wrapping`]); Key Wrap Type Not Wrapped unwraps a key stored
//! wrapped (any Wrapping Method and Encoding Option), and a Key Wrapping
//! Specification replaces the wrapping it was registered with.

use kmip_codec::enums::{KeyFormatType, KeyWrapType};
use kmip_codec::messages::ops::get::{GetRequest, GetResponse};
use kmip_codec::messages::AttributeName;
use kmip_codec::messages::{AttributeValue, Bytes, KeyMaterial, KeyValue, Object, TransparentSymmetricKey};

use crate::crypto::pkey::{Kind, PKey};
use crate::engine::wrapping;
use crate::object::attributes::flag;
use crate::ops::{Context, Error};

fn convert(object: &mut Object, wanted: KeyFormatType) -> Result<(), Error> {
    let unsupported = || {
        Error::KeyFormatTypeNotSupported(format!(
            "this object cannot be returned as {}",
            wanted.name().unwrap_or("that format")
        ))
    };
    let Some(block) = object.key_block_mut() else {
        return Err(unsupported());
    };
    if block.key_format_type == wanted {
        return Ok(());
    }
    if matches!(object, Object::PrivateKey(_) | Object::PublicKey(_)) {
        return convert_asymmetric(object, wanted).ok_or_else(unsupported);
    }
    let symmetric = matches!(object, Object::SymmetricKey(_));
    let Some(KeyValue::Plain { key_material, .. }) = object.key_block_mut().and_then(|b| b.key_value.as_mut()) else {
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

/// An RSA or EC key in another DER format: private keys as PKCS#1 (RSA),
/// ECPrivateKey (EC) or PKCS#8; public keys as PKCS#1 (RSA) or X.509
/// SubjectPublicKeyInfo. `None` when the pair of formats does not apply.
fn convert_asymmetric(object: &mut Object, wanted: KeyFormatType) -> Option<()> {
    use crate::crypto::transparent;
    type F = KeyFormatType;
    let private = matches!(object, Object::PrivateKey(_));
    let der = crate::object::key_use::material(Some(object), "").ok()?;
    let key = if private {
        PKey::private_from_der(&der)
    } else {
        PKey::public_from_der(&der)
    }
    .ok()?;
    let kind = key.kind()?;
    let curve = || transparent::curve(key.bits()).ok();
    let converted = match (private, kind, wanted) {
        (true, Kind::Rsa, F::PKCS_1) | (true, Kind::Ec, F::ECPrivateKey) => {
            KeyMaterial::Bytes(Bytes::new(key.private_traditional_der().ok()?.to_vec()))
        }
        (true, _, F::PKCS_8) => KeyMaterial::Bytes(Bytes::new(key.private_pkcs8_der().ok()?.to_vec())),
        (false, Kind::Rsa, F::PKCS_1) => KeyMaterial::Bytes(Bytes::new(key.public_pkcs1_der().ok()?)),
        (false, _, F::X_509) => KeyMaterial::Bytes(Bytes::new(key.public_spki_der().ok()?)),
        (true, Kind::Rsa, F::TransparentRSAPrivateKey) => {
            KeyMaterial::RSAPrivate(transparent::rsa_private(&key.private_traditional_der().ok()?).ok()?)
        }
        (false, Kind::Rsa, F::TransparentRSAPublicKey) => {
            KeyMaterial::RSAPublic(transparent::rsa_public(&key.public_pkcs1_der().ok()?).ok()?)
        }
        (true, Kind::Ec, F::TransparentECPrivateKey | F::TransparentECDSAPrivateKey) => {
            KeyMaterial::ECPrivate(transparent::ec_private(&key.private_pkcs8_der().ok()?, curve()?).ok()?)
        }
        (false, Kind::Ec, F::TransparentECPublicKey | F::TransparentECDSAPublicKey) => {
            KeyMaterial::ECPublic(transparent::ec_public(&key.public_spki_der().ok()?, curve()?).ok()?)
        }
        _ => return None,
    };
    let block = object.key_block_mut()?;
    block.key_format_type = wanted;
    block.key_value = Some(KeyValue::Plain {
        key_material: converted,
        attributes: vec![],
    });
    Some(())
}

/// The object a Get (or Export) asks for, as it leaves the server:
/// converted, unwrapped or wrapped as asked; no longer Fresh.
pub fn retrieve(ctx: &Context<'_>, req: &GetRequest) -> Result<GetResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    if req.key_wrap_type == Some(KeyWrapType::AsRegistered) && req.key_wrapping_specification.is_some() {
        return Err(Error::InvalidField(
            "Key Wrap Type As Registered cannot be combined with a Key Wrapping Specification".into(),
        ));
    }
    if req.key_compression_type.is_some() {
        return Err(Error::KeyCompressionTypeNotSupported(
            "key compression applies to elliptic-curve public keys, which this server does not hold yet".into(),
        ));
    }
    let stored = ctx.load(&uid, true)?;
    // §3.50: a non-Extractable object's value never leaves the server;
    // §3.48: a Sensitive one only wrapped by another key.
    if !flag(&stored, AttributeName::Extractable, true) {
        return Err(Error::PermissionDenied(format!(
            "object {uid} is not Extractable: its value cannot be retrieved"
        )));
    }
    if flag(&stored, AttributeName::Sensitive, false) && req.key_wrapping_specification.is_none() {
        return Err(Error::PermissionDenied(format!(
            "object {uid} is Sensitive: ask for it wrapped (a Key Wrapping Specification)"
        )));
    }
    let fresh = flag(&stored, AttributeName::Fresh, false);
    let mut object = stored.object.clone().ok_or_else(|| {
        Error::KeyValueNotPresent(format!("object {uid} has been destroyed: only its metadata remains"))
    })?;
    // A key registered wrapped is unwrapped first when it is asked for
    // unwrapped or to be wrapped anew (its registered wrapping replaced),
    // so that a format conversion and the new wrapping see its value.
    if req.key_wrap_type == Some(KeyWrapType::NotWrapped) || req.key_wrapping_specification.is_some() {
        wrapping::unwrap(ctx, &mut object)?;
    }
    if let Some(wanted) = req.key_format_type {
        convert(&mut object, wanted)?;
    }
    if let Some(spec) = &req.key_wrapping_specification {
        wrapping::wrap(ctx, &mut object, &stored.attributes, spec)?;
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
