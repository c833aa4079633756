//! Derive Key (KMIP 1.4 §4.6): a new Symmetric Key or Secret Data object
//! from a key or secret whose usage mask allows Derive Key, by
//!
//! - PBKDF2 (RFC 8018) with HMAC-SHA-1 (the PKCS#5 default), -224, -256,
//!   -384 or -512 as the Cryptographic Parameters' Hashing Algorithm says,
//!   a Salt and an Iteration Count (1 to 10,000,000);
//! - HASH: the hash of the derivation key's material followed by the
//!   Derivation Data (either may be absent, not both);
//! - HMAC: the HMAC of the Derivation Data keyed with the derivation key,
//!   whose own HMAC algorithm (or the Hashing Algorithm given) is the PRF;
//! - ENCRYPT: the Derivation Data encrypted with the derivation key under
//!   its Cryptographic Parameters and the Initialization Vector;
//! - NIST800-108-C: SP 800-108 counter mode with an HMAC-SHA-224/256/384/512
//!   PRF, a 32-bit big-endian counter before the Derivation Data
//!   (Label || 0x00 || Context).
//!
//! The Template-Attribute's Cryptographic Length (bits) is the output
//! length; it may not exceed what the method produces (Invalid Field), and
//! a symmetric key also needs a Cryptographic Algorithm. The new object
//! links to its base (Derivation Base Object) and the base to it (Derived
//! Key), in one transaction. The SP 800-108 feedback and double-pipeline
//! modes are not offered (AWS-LC has only the counter mode).

use std::num::NonZeroU32;

use aws_lc_rs::{digest, hmac, kdf, pbkdf2};
use kmip_codec::enums::{
    CryptographicAlgorithm, DerivationMethod, HashingAlgorithm, KeyFormatType, LinkType, ObjectType, SecretDataType,
};
use kmip_codec::messages::ops::derive_key::{DeriveKeyRequest, DeriveKeyResponse};
use kmip_codec::messages::{
    AttributeValue, Bytes, CryptographicParameters, KeyBlock, KeyMaterial, KeyValue, Object, SecretData, SymmetricKey,
};
use zeroize::Zeroizing;

use crate::crypto::cipher::one_shot;
use crate::crypto::digest::hash_algorithm;
use crate::engine::cipher::spec;
use crate::engine::templates::from_template;
use crate::object::attributes::{inherit_protection, new_object, touched};
use crate::object::key_use::{usable, Purpose, UsableKey};
use crate::ops::{Context, Error};

fn hmac_of(h: HashingAlgorithm) -> Result<hmac::Algorithm, Error> {
    Ok(match h {
        HashingAlgorithm::SHA_1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        HashingAlgorithm::SHA_224 => hmac::HMAC_SHA224,
        HashingAlgorithm::SHA_256 => hmac::HMAC_SHA256,
        HashingAlgorithm::SHA_384 => hmac::HMAC_SHA384,
        HashingAlgorithm::SHA_512 => hmac::HMAC_SHA512,
        other => {
            return Err(Error::InvalidField(format!(
                "{} is not offered as a PRF: use SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512",
                other.name().unwrap_or("this hash")
            )))
        }
    })
}

/// The output of the method, at least `len` bytes, cut to `len`.
fn derive(
    method: DerivationMethod,
    key: &UsableKey,
    p: Option<&CryptographicParameters>,
    req: &DeriveKeyRequest,
    len: usize,
    max_iterations: u32,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let params = &req.derivation_parameters;
    let data = params.derivation_data.as_deref();
    let hashing = p.and_then(|p| p.hashing_algorithm);
    let mut out = Zeroizing::new(match method {
        DerivationMethod::PBKDF2 => {
            let salt = params
                .salt
                .as_deref()
                .ok_or_else(|| Error::InvalidField("PBKDF2 needs a Salt".into()))?;
            // CPU per request is bounded: max_pbkdf2_iterations.
            let iterations = params
                .iteration_count
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n <= max_iterations)
                .and_then(NonZeroU32::new)
                .ok_or_else(|| {
                    Error::InvalidField(format!(
                        "PBKDF2 needs an Iteration Count of 1 to {max_iterations} (this server's max_pbkdf2_iterations)"
                    ))
                })?;
            let prf = match hashing.unwrap_or(HashingAlgorithm::SHA_1) {
                HashingAlgorithm::SHA_1 => pbkdf2::PBKDF2_HMAC_SHA1,
                HashingAlgorithm::SHA_256 => pbkdf2::PBKDF2_HMAC_SHA256,
                HashingAlgorithm::SHA_384 => pbkdf2::PBKDF2_HMAC_SHA384,
                HashingAlgorithm::SHA_512 => pbkdf2::PBKDF2_HMAC_SHA512,
                other => {
                    return Err(Error::InvalidField(format!(
                        "PBKDF2 is offered with SHA-1, SHA-256, SHA-384 or SHA-512, not {}",
                        other.name().unwrap_or("this hash")
                    )))
                }
            };
            let mut out = vec![0u8; len];
            pbkdf2::derive(prf, iterations, salt, &key.material, &mut out);
            out
        }
        DerivationMethod::HASH => {
            let h = hashing.ok_or_else(|| {
                Error::InvalidField("HASH needs a Hashing Algorithm in the Cryptographic Parameters".into())
            })?;
            let algorithm =
                hash_algorithm(h).ok_or_else(|| Error::InvalidField("that Hashing Algorithm is not offered".into()))?;
            let mut ctx = digest::Context::new(algorithm);
            ctx.update(&key.material);
            ctx.update(data.unwrap_or_default());
            ctx.finish().as_ref().to_vec()
        }
        DerivationMethod::HMAC => {
            let data = data.ok_or_else(|| Error::InvalidField("HMAC derivation needs Derivation Data".into()))?;
            let prf = match (key.algorithm, hashing) {
                (_, Some(h)) => hmac_of(h)?,
                (Some(a), None) => match crate::crypto::digest::MacAlgorithm::hmac(a) {
                    Some(crate::crypto::digest::MacAlgorithm::Hmac(h)) => h,
                    _ => {
                        return Err(Error::InvalidField(
                            "the derivation key is no HMAC key: name a Hashing Algorithm".into(),
                        ))
                    }
                },
                (None, None) => return Err(Error::InvalidField("name a Hashing Algorithm for the HMAC".into())),
            };
            hmac::sign(&hmac::Key::new(prf, &key.material), data).as_ref().to_vec()
        }
        DerivationMethod::ENCRYPT => {
            let data = data.ok_or_else(|| Error::InvalidField("ENCRYPT derivation needs Derivation Data".into()))?;
            let p = p.ok_or_else(|| Error::InvalidField("ENCRYPT derivation needs Cryptographic Parameters".into()))?;
            let spec = spec(key, p)?;
            let iv = params.initialization_vector.as_deref().unwrap_or_default();
            let (out, _) =
                one_shot(spec, &key.material, iv, true, &[], data, None).map_err(|e| Error::InvalidField(e.0))?;
            out.to_vec()
        }
        DerivationMethod::NIST800_108_C => {
            let data = data.ok_or_else(|| {
                Error::InvalidField("NIST800-108-C needs Derivation Data (Label || 0x00 || Context)".into())
            })?;
            if p.and_then(|p| p.counter_length).is_some_and(|n| n != 32) {
                return Err(Error::InvalidField(
                    "NIST800-108-C is offered with a 32-bit counter before the fixed input".into(),
                ));
            }
            let prf = match (hashing, key.algorithm) {
                (Some(h), _) => h,
                (None, Some(CryptographicAlgorithm::HMAC_SHA224)) => HashingAlgorithm::SHA_224,
                (None, Some(CryptographicAlgorithm::HMAC_SHA256)) => HashingAlgorithm::SHA_256,
                (None, Some(CryptographicAlgorithm::HMAC_SHA384)) => HashingAlgorithm::SHA_384,
                (None, Some(CryptographicAlgorithm::HMAC_SHA512)) => HashingAlgorithm::SHA_512,
                _ => {
                    return Err(Error::InvalidField(
                        "name the HMAC's Hashing Algorithm for NIST800-108-C".into(),
                    ))
                }
            };
            let id = match prf {
                HashingAlgorithm::SHA_224 => kdf::KbkdfCtrHmacAlgorithmId::Sha224,
                HashingAlgorithm::SHA_256 => kdf::KbkdfCtrHmacAlgorithmId::Sha256,
                HashingAlgorithm::SHA_384 => kdf::KbkdfCtrHmacAlgorithmId::Sha384,
                HashingAlgorithm::SHA_512 => kdf::KbkdfCtrHmacAlgorithmId::Sha512,
                _ => {
                    return Err(Error::InvalidField(
                        "NIST800-108-C is offered with HMAC-SHA-224/256/384/512".into(),
                    ))
                }
            };
            let algorithm = kdf::get_kbkdf_ctr_hmac_algorithm(id)
                .ok_or_else(|| Error::InvalidField("that PRF is not offered".into()))?;
            let mut out = vec![0u8; len];
            kdf::kbkdf_ctr_hmac(algorithm, &key.material, data, &mut out)
                .map_err(|_| Error::CryptographicFailure("the KDF failed".into()))?;
            out
        }
        other => {
            return Err(Error::InvalidField(format!(
                "Derivation Method {} is not offered: use PBKDF2, HASH, HMAC, ENCRYPT or NIST800-108-C",
                other.name().unwrap_or("of this value")
            )))
        }
    });
    if out.len() < len {
        return Err(Error::InvalidField(format!(
            "the method gives {} bytes, fewer than the {len} asked for",
            out.len()
        )));
    }
    out.truncate(len);
    Ok(out)
}

/// Runs Derive Key.
pub fn run(ctx: &Context<'_>, req: &DeriveKeyRequest) -> Result<DeriveKeyResponse, Error> {
    if !matches!(req.object_type, ObjectType::SymmetricKey | ObjectType::SecretData) {
        return Err(Error::InvalidField(
            "Derive Key makes Symmetric Keys and Secret Data".into(),
        ));
    }
    let base_uid = match req.unique_identifiers.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Error::InvalidField(
                "Derive Key needs the Unique Identifier of the derivation key".into(),
            ))
        }
        _ => {
            return Err(Error::InvalidField(
                "the offered methods derive from one key or secret".into(),
            ))
        }
    };
    let attributes = from_template(ctx, Some(&req.template_attribute))?;
    let bits = attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::CryptographicLength(n) => Some(n),
            _ => None,
        })
        .filter(|n| *n > 0 && n % 8 == 0 && *n <= 8 * 1024)
        .ok_or_else(|| {
            Error::InvalidField(
                "the template needs a Cryptographic Length: a whole number of bytes, at most 8192 bits".into(),
            )
        })?;
    let algorithm = attributes.iter().find_map(|a| match a.value {
        AttributeValue::CryptographicAlgorithm(x) => Some(x),
        _ => None,
    });
    if req.object_type == ObjectType::SymmetricKey && algorithm.is_none() {
        return Err(Error::InvalidField(
            "a derived Symmetric Key needs a Cryptographic Algorithm in the template".into(),
        ));
    }
    let key = usable(ctx, &base_uid, Purpose::DERIVE, 0)?;
    let p = req
        .derivation_parameters
        .cryptographic_parameters
        .as_ref()
        .or(key.parameters.as_ref());
    let len = usize::try_from(bits / 8).unwrap_or(0);
    let max_iterations = ctx.server.config.max_pbkdf2_iterations;
    let material = derive(req.derivation_method, &key, p, req, len, max_iterations)?;
    let block = KeyBlock {
        key_format_type: KeyFormatType::Raw,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Bytes::new(material.to_vec())),
            attributes: vec![],
        }),
        cryptographic_algorithm: algorithm,
        cryptographic_length: Some(bits),
        key_wrapping_data: None,
    };
    let object = match req.object_type {
        ObjectType::SymmetricKey => Object::SymmetricKey(SymmetricKey { key_block: block }),
        _ => Object::SecretData(SecretData {
            secret_data_type: SecretDataType::Seed,
            key_block: block,
        }),
    };
    let described = algorithm.map(|a: CryptographicAlgorithm| (a, bits));
    let mut new = new_object(req.object_type, object, attributes, described)?;
    inherit_protection(&*ctx.load(&base_uid, false)?, &mut new);
    new.add_link(LinkType::DerivationBaseObjectLink, &base_uid);
    let new_uid = new.uid.clone();
    let scope = ctx.scope();
    let sealed = ctx.store.seal(&scope, &mut new)?;
    let operation = ctx.auth.operation();
    ctx.store.write(&scope, move |objects| {
        let mut base = crate::ops::load_for_change(objects, &base_uid, operation)?;
        base.add_link(LinkType::DerivedKeyLink, &new.uid);
        touched(&mut base);
        objects.update(&base)?;
        objects.create(&new, sealed)?;
        Ok(())
    })?;
    Ok(DeriveKeyResponse {
        unique_identifier: new_uid,
        template_attribute: None,
    })
}
