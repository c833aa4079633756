//! Key wrapping (KMIP 1.4 §2.1.5): Get with a Key Wrapping Specification
//! wraps the Key Value it returns; a key registered or imported wrapped is
//! unwrapped when a client asks for it Not Wrapped.
//!
//! Methods: Encrypt (AES Key Wrap, RFC 3394 or 5649, with an AES key; RSA
//! OAEP or PKCS#1 v1.5 with an RSA public key), MAC/sign (HMAC or CMAC with
//! a symmetric key, or a signature with a private key, over the Key Value,
//! which stays readable), and Encrypt then MAC/sign or MAC/sign then
//! Encrypt. What is protected is the TTLV of the Key Value (the default
//! Encoding Option, which can carry the attributes the specification
//! names) or the raw key material (No Encoding). Every key used is cleared
//! through [`crate::object::key_use`] for its purpose: Wrap Key / Unwrap Key, MAC
//! Generate / MAC Verify, Sign / Verify. A public key named to unwrap
//! stands for its linked private key, and a private key named to check a
//! signature for its linked public key. A MAC or signature that does not
//! match is a Cryptographic Failure and nothing is unwrapped.

use crate::crypto::digest::{Mac, MacAlgorithm};
use crate::crypto::pkey::{Hash, PKey, SignaturePadding};
use crate::engine::cipher::Rsa;
use crate::object::key_use::{usable, Purpose};
use crate::ops::{Context, Error};
use kmip_codec::enums::{
    BlockCipherMode, CryptographicAlgorithm, EncodingOption, KeyFormatType, LinkType, ObjectType, WrappingMethod,
};
use kmip_codec::messages::{
    Attribute, AttributeValue, Bytes, EncryptionKeyInformation, KeyMaterial, KeyValue, KeyWrappingData,
    KeyWrappingSpecification, MacSignatureKeyInformation, Object,
};
use kmip_codec::ttlv::Writer;
use std::sync::Arc;

/// A key that wraps or unwraps other keys: AES Key Wrap (RFC 3394, or
/// RFC 5649 with padding) or RSA (OAEP by default, or PKCS#1 v1.5).
enum Wrapper<'p> {
    Aes { kek: Bytes, padded: bool },
    Rsa(Rsa<'p>),
}

impl Wrapper<'_> {
    fn wrap(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Wrapper::Aes { kek, padded } => {
                crate::crypto::aes_wrap(kek, data, *padded).map_err(|e| Error::CryptographicFailure(e.0))
            }
            Wrapper::Rsa(rsa) => rsa.encrypt(data),
        }
    }

    fn unwrap(&self, data: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        match self {
            Wrapper::Aes { kek, padded } => {
                crate::crypto::aes_unwrap(kek, data, *padded).map_err(|e| Error::CryptographicFailure(e.0))
            }
            Wrapper::Rsa(rsa) => rsa.decrypt(data),
        }
    }
}

/// The key named by Encryption Key Information, cleared for `purpose`
/// (Wrap Key or Unwrap Key in its usage mask, a fitting state: see
/// [`crate::object::key_use`]): an AES key, or an RSA public key to wrap and
/// private key to unwrap (a public key named for unwrapping stands for the
/// private key it links to).
fn wrapper<'p>(ctx: &Context<'_>, info: &'p EncryptionKeyInformation, purpose: Purpose) -> Result<Wrapper<'p>, Error> {
    let unsupported = |m: &str| Error::FeatureNotSupported(m.to_owned());
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
                    Error::IllegalOperation(format!("public key {uid} links to no private key that could unwrap"))
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
        _ => Err(Error::IllegalOperation(format!(
            "the wrapping key {} must be an AES key or an RSA key",
            key.uid
        ))),
    }
}

/// The key a uid names, or the one it links to with `link` when it is of
/// `object_type` (a public key standing for its private key, or back).
fn linked(ctx: &Context<'_>, uid: &str, object_type: ObjectType, link: LinkType) -> Result<String, Error> {
    let named = ctx.load(uid, false)?;
    if named.object_type != object_type {
        return Ok(uid.to_owned());
    }
    named
        .attributes
        .iter()
        .find_map(|a| match &a.value {
            AttributeValue::Link(l) if l.link_type == link => Some(l.linked_object_identifier.clone()),
            _ => None,
        })
        .ok_or_else(|| Error::IllegalOperation(format!("key {uid} links to no key of the other half of its pair")))
}

/// A key that MACs or signs wrapped material, or checks it.
enum Authenticator {
    Mac(MacAlgorithm, Bytes),
    Signature(Arc<PKey>, Hash, SignaturePadding),
}

impl Authenticator {
    /// The key MAC/Signature Key Information names, for making (`check`
    /// false) or checking a MAC or signature.
    fn new(ctx: &Context<'_>, info: &MacSignatureKeyInformation, check: bool) -> Result<Self, Error> {
        let uid = if check {
            linked(
                ctx,
                &info.unique_identifier,
                ObjectType::PrivateKey,
                LinkType::PublicKeyLink,
            )?
        } else {
            info.unique_identifier.clone()
        };
        let object_type = ctx.load(&uid, false)?.object_type;
        let symmetric = object_type == ObjectType::SymmetricKey;
        let purpose = match (symmetric, check) {
            (true, false) => Purpose::MAC_GENERATE,
            (true, true) => Purpose::MAC_VERIFY,
            (false, false) => Purpose::SIGN,
            (false, true) => Purpose::VERIFY,
        };
        let key = usable(ctx, &uid, purpose, 0)?;
        let p = info.cryptographic_parameters.as_ref().or(key.parameters.as_ref());
        if symmetric {
            return Ok(Authenticator::Mac(
                crate::engine::mac::algorithm(p, key.algorithm)?,
                key.material,
            ));
        }
        let parsed = crate::engine::sign::parsed(ctx, &key)?;
        let kind = parsed
            .kind()
            .ok_or_else(|| Error::IllegalOperation("only RSA and EC keys sign".into()))?;
        let (hash, padding) = crate::engine::sign::scheme(kind, p)?;
        Ok(Authenticator::Signature(parsed, hash, padding))
    }

    fn tag(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        match self {
            Authenticator::Mac(algorithm, key) => {
                let mut mac = Mac::new(*algorithm, key).map_err(Error::crypto)?;
                mac.update(data).map_err(Error::crypto)?;
                mac.finish().map_err(Error::crypto)
            }
            Authenticator::Signature(key, hash, padding) => {
                let digest = aws_lc_rs::digest::digest(hash.digest_algorithm(), data);
                key.sign_digest(*hash, *padding, digest.as_ref()).map_err(Error::crypto)
            }
        }
    }

    fn check(&self, data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let valid = match self {
            Authenticator::Mac(..) => aws_lc_rs::constant_time::verify_slices_are_equal(&self.tag(data)?, tag).is_ok(),
            Authenticator::Signature(key, hash, padding) => {
                let digest = aws_lc_rs::digest::digest(hash.digest_algorithm(), data);
                key.verify_digest(*hash, *padding, digest.as_ref(), tag)
                    .map_err(Error::crypto)?
            }
        };
        if valid {
            Ok(())
        } else {
            Err(Error::CryptographicFailure(
                "the wrapped key's MAC or signature does not match".into(),
            ))
        }
    }
}

/// The bytes a wrapping protects: the TTLV of the Key Value, or with No
/// Encoding the raw material.
fn encode(
    material: &KeyMaterial,
    attributes: Vec<Attribute>,
    option: Option<EncodingOption>,
) -> Result<Vec<u8>, Error> {
    if option == Some(EncodingOption::NoEncoding) {
        if !attributes.is_empty() {
            return Err(Error::EncodingOption(
                "attributes can be wrapped only with the TTLV Encoding Option".into(),
            ));
        }
        return match material {
            KeyMaterial::Bytes(b) => Ok(b.to_vec()),
            _ => Err(Error::EncodingOption(
                "structured key material needs TTLV encoding".into(),
            )),
        };
    }
    let mut w = Writer::new();
    KeyValue::Plain {
        key_material: material.clone(),
        attributes,
    }
    .write(&mut w);
    Ok(w.into_bytes())
}

/// Undoes [`encode`].
fn decode(plain: &[u8], format: KeyFormatType, option: Option<EncodingOption>) -> Result<KeyValue, Error> {
    if option == Some(EncodingOption::NoEncoding) {
        return Ok(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(plain.to_vec())),
            attributes: vec![],
        });
    }
    let bad = |m: String| Error::CryptographicFailure(format!("the unwrapped Key Value: {m}"));
    let doc = kmip_codec::ttlv::Document::decode(plain, &Default::default()).map_err(|e| bad(e.to_string()))?;
    let root = doc.root();
    if root.tag() != kmip_codec::Tag::KeyValue {
        return Err(bad("not a Key Value structure".into()));
    }
    let mut items = root.children();
    let material = items
        .next()
        .filter(|m| m.tag() == kmip_codec::Tag::KeyMaterial)
        .ok_or_else(|| bad("no Key Material".into()))?;
    let key_material = KeyMaterial::decode_as(format, material).map_err(|e| bad(e.to_string()))?;
    let attributes = items
        .map(|a| <Attribute as kmip_codec::messages::Codec>::decode(a))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(e.to_string()))?;
    Ok(KeyValue::Plain {
        key_material,
        attributes,
    })
}

fn needs<'a, T>(value: &'a Option<T>, what: &str) -> Result<&'a T, Error> {
    value
        .as_ref()
        .ok_or_else(|| Error::InvalidField(format!("this Wrapping Method needs {what}")))
}

/// Unwraps a key that was registered or imported wrapped (Key Wrap Type Not
/// Wrapped), checking its MAC or signature first where it has one.
pub(crate) fn unwrap(ctx: &Context<'_>, object: &mut Object) -> Result<(), Error> {
    let Some(block) = object.key_block_mut() else {
        return Ok(());
    };
    let Some(data) = block.key_wrapping_data.clone() else {
        return Ok(());
    };
    let option = data.encoding_option;
    let checker = |protected: &[u8]| -> Result<(), Error> {
        let info = needs(&data.mac_signature_key_information, "MAC/Signature Key Information")?;
        let tag = needs(&data.mac_signature, "a MAC/Signature")?;
        Authenticator::new(ctx, info, true)?.check(protected, tag)
    };
    let decrypt = |wrapped: &[u8]| -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        let info = needs(&data.encryption_key_information, "Encryption Key Information")?;
        wrapper(ctx, info, Purpose::UNWRAP)?.unwrap(wrapped)
    };
    let value = match (data.wrapping_method, &block.key_value) {
        (
            WrappingMethod::MACSign,
            Some(KeyValue::Plain {
                key_material,
                attributes,
            }),
        ) => {
            checker(&encode(key_material, attributes.clone(), option)?)?;
            None
        }
        (WrappingMethod::Encrypt, Some(KeyValue::Wrapped(w))) => {
            Some(decode(&decrypt(w)?, block.key_format_type, option)?)
        }
        (WrappingMethod::EncryptThenMACSign, Some(KeyValue::Wrapped(w))) => {
            checker(w)?;
            Some(decode(&decrypt(w)?, block.key_format_type, option)?)
        }
        (WrappingMethod::MACSignThenEncrypt, Some(KeyValue::Wrapped(w))) => {
            let plain = decrypt(w)?;
            checker(&plain)?;
            Some(decode(&plain, block.key_format_type, option)?)
        }
        (method, _) => {
            return Err(Error::FeatureNotSupported(format!(
                "a key wrapped with {} cannot be unwrapped here",
                method.name().unwrap_or("this method")
            )))
        }
    };
    if let Some(v) = value {
        block.key_value = Some(v);
    }
    block.key_wrapping_data = None;
    Ok(())
}

/// Wraps the object's Key Value as `spec` asks.
pub(crate) fn wrap(
    ctx: &Context<'_>,
    object: &mut Object,
    attributes: &[Attribute],
    spec: &KeyWrappingSpecification,
) -> Result<(), Error> {
    let method = spec.wrapping_method;
    let (encrypts, authenticates) = match method {
        WrappingMethod::Encrypt => (true, false),
        WrappingMethod::MACSign => (false, true),
        WrappingMethod::EncryptThenMACSign | WrappingMethod::MACSignThenEncrypt => (true, true),
        _ => {
            return Err(Error::FeatureNotSupported(
                "the Wrapping Methods offered are Encrypt, MAC/sign and their two combinations".into(),
            ))
        }
    };
    let encrypter = match encrypts {
        true => Some(wrapper(
            ctx,
            needs(&spec.encryption_key_information, "Encryption Key Information")?,
            Purpose::WRAP,
        )?),
        false => None,
    };
    let authenticator = match authenticates {
        true => Some(Authenticator::new(
            ctx,
            needs(&spec.mac_signature_key_information, "MAC/Signature Key Information")?,
            false,
        )?),
        false => None,
    };
    let block = object
        .key_block_mut()
        .ok_or_else(|| Error::IllegalOperation("only objects with a Key Block can be wrapped".into()))?;
    let Some(KeyValue::Plain { key_material, .. }) = &block.key_value else {
        return Err(Error::IllegalOperation("the key is already wrapped".into()));
    };
    let included: Vec<Attribute> = attributes
        .iter()
        .filter(|a| spec.attribute_names.contains(&a.name))
        .cloned()
        .collect();
    let plain = zeroize::Zeroizing::new(encode(key_material, included.clone(), spec.encoding_option)?);
    let wrapped = encrypter.as_ref().map(|e| e.wrap(&plain)).transpose()?;
    let mac_signature = match (&authenticator, method, &wrapped) {
        (Some(a), WrappingMethod::EncryptThenMACSign, Some(w)) => Some(a.tag(w)?),
        (Some(a), _, _) => Some(a.tag(&plain)?),
        (None, _, _) => None,
    };
    match wrapped {
        Some(w) => block.key_value = Some(KeyValue::Wrapped(Bytes::new(w))),
        // MAC/sign only: the Key Value stays readable, with the attributes
        // the MAC covers.
        None => {
            block.key_value = Some(KeyValue::Plain {
                key_material: key_material.clone(),
                attributes: included,
            })
        }
    }
    block.key_wrapping_data = Some(KeyWrappingData {
        wrapping_method: method,
        encryption_key_information: spec.encryption_key_information.clone(),
        mac_signature_key_information: spec.mac_signature_key_information.clone(),
        mac_signature: mac_signature.map(Bytes::new),
        iv_counter_nonce: None,
        encoding_option: spec.encoding_option,
    });
    Ok(())
}
