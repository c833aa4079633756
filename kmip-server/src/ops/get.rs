//! Get (KMIP 1.4 §4.11): returns the object. Works in any state that still
//! has key material (Pre-Active included: PostgreSQL pg_tde never
//! activates). Without a Key Format Type an object comes back as it was
//! created or registered; a symmetric key can also be asked for as Raw or
//! Transparent Symmetric Key, an RSA or EC private key as PKCS#1 (RSA),
//! ECPrivateKey (EC), PKCS#8 or its Transparent form, a public key as PKCS#1
//! (RSA), X.509 or its Transparent form — whichever form it was stored in.
//!
//! With a Key Wrapping Specification the Key Value comes back wrapped
//! (Encrypt method) by another key of the caller's scope that may wrap
//! keys (Wrap Key in its usage mask, Active): an AES key with AES Key Wrap
//! (RFC 3394, NISTKeyWrap, the default) or with padding (RFC 5649,
//! AESKeyWrapPadding), or an RSA public key with OAEP (default) or PKCS#1
//! v1.5. What is wrapped is the TTLV of the Key Value (the default
//! Encoding Option, which can carry the attributes the specification
//! names) or the raw key material (No Encoding).
use kmip_codec::enums::{
    BlockCipherMode, CryptographicAlgorithm, EncodingOption, KeyFormatType, KeyWrapType, LinkType, ObjectType,
    ResultReason, WrappingMethod,
};
use kmip_codec::messages::ops::get::{GetRequest, GetResponse};
use kmip_codec::messages::{
    Attribute, AttributeValue, Bytes, EncryptionKeyInformation, KeyMaterial, KeyValue, KeyWrappingData,
    KeyWrappingSpecification, Object, TransparentSymmetricKey,
};
use kmip_codec::ttlv::Writer;

use super::cipher::Rsa;
use super::key_use::{usable, Purpose};
use super::{Context, OpError};
use crate::crypto::pkey::{Kind, PKey};

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
    let der = super::key_use::material(Some(object), "").ok()?;
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

/// Runs Get.
pub fn run(ctx: &mut Context<'_>, req: &GetRequest) -> Result<GetResponse, OpError> {
    let uid = ctx.uid(&req.unique_identifier)?;
    if req.key_wrap_type == Some(KeyWrapType::AsRegistered) && req.key_wrapping_specification.is_some() {
        return Err(OpError::new(
            ResultReason::InvalidField,
            "Key Wrap Type As Registered cannot be combined with a Key Wrapping Specification",
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
    if req.key_wrap_type == Some(KeyWrapType::NotWrapped) {
        unwrap(ctx, &mut object)?;
    }
    if let Some(spec) = &req.key_wrapping_specification {
        wrap(ctx, &mut object, &stored.attributes, spec)?;
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

/// A key that wraps or unwraps other keys: AES Key Wrap (RFC 3394, or
/// RFC 5649 with padding) or RSA (OAEP by default, or PKCS#1 v1.5).
enum Wrapper<'p> {
    Aes { kek: Bytes, padded: bool },
    Rsa(Rsa<'p>),
}

impl Wrapper<'_> {
    fn wrap(&self, data: &[u8]) -> Result<Vec<u8>, OpError> {
        match self {
            Wrapper::Aes { kek, padded } => crate::crypto::aes_wrap(kek, data, *padded)
                .map_err(|e| OpError::new(ResultReason::CryptographicFailure, e.0)),
            Wrapper::Rsa(rsa) => rsa.encrypt(data),
        }
    }

    fn unwrap(&self, data: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, OpError> {
        match self {
            Wrapper::Aes { kek, padded } => crate::crypto::aes_unwrap(kek, data, *padded)
                .map_err(|e| OpError::new(ResultReason::CryptographicFailure, e.0)),
            Wrapper::Rsa(rsa) => rsa.decrypt(data),
        }
    }
}

/// The key named by Encryption Key Information, cleared for `purpose`
/// (Wrap Key or Unwrap Key in its usage mask, a fitting state: see
/// [`super::key_use`]): an AES key, or an RSA public key to wrap and
/// private key to unwrap (a public key named for unwrapping stands for the
/// private key it links to).
fn wrapper<'p>(
    ctx: &Context<'_>,
    info: &'p EncryptionKeyInformation,
    purpose: Purpose,
) -> Result<Wrapper<'p>, OpError> {
    let unsupported = |m: &str| OpError::new(ResultReason::FeatureNotSupported, m.to_owned());
    let mut uid = info.unique_identifier.clone();
    if purpose.mask == Purpose::UNWRAP.mask {
        // Wrapped with a public key: its private half unwraps.
        let named = ctx.load(&uid, false)?;
        if named.object_type == ObjectType::PublicKey {
            uid = named
                .attributes
                .iter()
                .find_map(|a| match &a.value {
                    AttributeValue::Link(l) if l.link_type == LinkType::PrivateKeyLink => {
                        Some(l.linked_object_identifier.clone())
                    }
                    _ => None,
                })
                .ok_or_else(|| {
                    OpError::new(
                        ResultReason::IllegalOperation,
                        format!("public key {uid} links to no private key that could unwrap"),
                    )
                })?;
        }
    }
    let key = usable(ctx, &uid, purpose, 0)?;
    let p = info.cryptographic_parameters.as_ref();
    match (key.object_type, key.algorithm) {
        (ObjectType::SymmetricKey, Some(CryptographicAlgorithm::AES)) => {
            let padded = match p.and_then(|p| p.block_cipher_mode) {
                None | Some(BlockCipherMode::NISTKeyWrap) => false,
                Some(BlockCipherMode::AESKeyWrapPadding) => true,
                Some(_) => return Err(unsupported("AES keys wrap with NISTKeyWrap or AESKeyWrapPadding")),
            };
            Ok(Wrapper::Aes {
                kek: key.material,
                padded,
            })
        }
        (ObjectType::PublicKey | ObjectType::PrivateKey, Some(CryptographicAlgorithm::RSA)) => {
            Ok(Wrapper::Rsa(Rsa::new(ctx, &key, p)?))
        }
        _ => Err(OpError::new(
            ResultReason::IllegalOperation,
            format!("the wrapping key {} must be an AES key or an RSA key", key.uid),
        )),
    }
}

/// Unwraps a key that was registered or imported wrapped (Key Wrap Type Not
/// Wrapped): with the key its Key Wrapping Data names, from the TTLV of a
/// Key Value or from raw material (No Encoding).
pub(super) fn unwrap(ctx: &Context<'_>, object: &mut Object) -> Result<(), OpError> {
    let Some(block) = object.key_block_mut() else {
        return Ok(());
    };
    let Some(KeyValue::Wrapped(wrapped)) = &block.key_value else {
        return Ok(());
    };
    let data = block.key_wrapping_data.clone().ok_or_else(|| {
        OpError::new(
            ResultReason::IllegalOperation,
            "the wrapped key carries no Key Wrapping Data",
        )
    })?;
    let info = match (data.wrapping_method, &data.encryption_key_information) {
        (WrappingMethod::Encrypt, Some(info)) => info,
        _ => {
            return Err(OpError::new(
                ResultReason::FeatureNotSupported,
                "only keys wrapped with the Encrypt method can be unwrapped",
            ))
        }
    };
    let plain = wrapper(ctx, info, Purpose::UNWRAP)?.unwrap(wrapped)?;
    let value = if data.encoding_option == Some(EncodingOption::NoEncoding) {
        KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(plain.to_vec())),
            attributes: vec![],
        }
    } else {
        let bad = |m: String| {
            OpError::new(
                ResultReason::CryptographicFailure,
                format!("the unwrapped Key Value: {m}"),
            )
        };
        let doc = kmip_codec::ttlv::Document::decode(&plain, &Default::default()).map_err(|e| bad(e.to_string()))?;
        let root = doc.root();
        let mut items = root.children();
        let material = items
            .next()
            .filter(|m| m.tag() == kmip_codec::Tag::KeyMaterial)
            .ok_or_else(|| bad("no Key Material".into()))?;
        let key_material = KeyMaterial::decode_as(block.key_format_type, material).map_err(|e| bad(e.to_string()))?;
        let attributes = items
            .map(|a| <Attribute as kmip_codec::messages::Codec>::decode(a))
            .collect::<Result<_, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if root.tag() != kmip_codec::Tag::KeyValue {
            return Err(bad("not a Key Value structure".into()));
        }
        KeyValue::Plain {
            key_material,
            attributes,
        }
    };
    block.key_value = Some(value);
    block.key_wrapping_data = None;
    Ok(())
}

/// Wraps the object's Key Value as `spec` asks.
fn wrap(
    ctx: &Context<'_>,
    object: &mut Object,
    attributes: &[Attribute],
    spec: &KeyWrappingSpecification,
) -> Result<(), OpError> {
    let unsupported = |m: &str| OpError::new(ResultReason::FeatureNotSupported, m.to_owned());
    if spec.wrapping_method != WrappingMethod::Encrypt || spec.mac_signature_key_information.is_some() {
        return Err(unsupported("only the Encrypt wrapping method is supported"));
    }
    let info = spec.encryption_key_information.as_ref().ok_or_else(|| {
        OpError::new(
            ResultReason::InvalidField,
            "the Key Wrapping Specification needs Encryption Key Information",
        )
    })?;
    let wrapper = wrapper(ctx, info, Purpose::WRAP)?;
    let block = object.key_block_mut().ok_or_else(|| {
        OpError::new(
            ResultReason::IllegalOperation,
            "only objects with a Key Block can be wrapped",
        )
    })?;
    let Some(KeyValue::Plain { key_material, .. }) = &block.key_value else {
        return Err(OpError::new(
            ResultReason::IllegalOperation,
            "the key is already wrapped",
        ));
    };
    let data = match spec.encoding_option {
        Some(EncodingOption::NoEncoding) => {
            if !spec.attribute_names.is_empty() {
                return Err(OpError::new(
                    ResultReason::EncodingOptionError,
                    "attributes can be wrapped only with the TTLV Encoding Option",
                ));
            }
            match key_material {
                KeyMaterial::Bytes(b) => b.to_vec(),
                _ => {
                    return Err(OpError::new(
                        ResultReason::EncodingOptionError,
                        "structured key material needs TTLV encoding",
                    ))
                }
            }
        }
        _ => {
            let included = attributes
                .iter()
                .filter(|a| spec.attribute_names.contains(&a.name))
                .cloned()
                .collect();
            let mut w = Writer::new();
            KeyValue::Plain {
                key_material: key_material.clone(),
                attributes: included,
            }
            .write(&mut w);
            w.into_bytes()
        }
    };
    let data = zeroize::Zeroizing::new(data);
    let wrapped = wrapper.wrap(&data)?;
    block.key_value = Some(KeyValue::Wrapped(Bytes::new(wrapped)));
    block.key_wrapping_data = Some(KeyWrappingData {
        wrapping_method: WrappingMethod::Encrypt,
        encryption_key_information: Some(info.clone()),
        mac_signature_key_information: None,
        mac_signature: None,
        iv_counter_nonce: None,
        encoding_option: spec.encoding_option,
    });
    Ok(())
}
