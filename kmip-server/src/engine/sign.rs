//! Signatures with a managed key (Sign, Signature Verify): the hash and
//! padding parameters name, the parsed key, and the digest of the data,
//! one-shot or in parts.

use crate::crypto::pkey::{Hash, Kind, PKey, SignaturePadding};
use crate::engine::streams::{Next, Parts, Progress, Stream};
use crate::object::key_use::{usable, Purpose, UsableKey};
use crate::ops::{Context, Error};
use kmip_codec::enums::{
    CryptographicAlgorithm, DigitalSignatureAlgorithm, HashingAlgorithm, ObjectType, Operation, PaddingMethod,
};
use kmip_codec::messages::{Bytes, CryptographicParameters};
use std::sync::Arc;

/// A KMIP Hashing Algorithm as a signature/OAEP hash.
pub(crate) fn hash_of(h: HashingAlgorithm) -> Result<Hash, Error> {
    Ok(match h {
        HashingAlgorithm::SHA_1 => Hash::Sha1,
        HashingAlgorithm::SHA_224 => Hash::Sha224,
        HashingAlgorithm::SHA_256 => Hash::Sha256,
        HashingAlgorithm::SHA_384 => Hash::Sha384,
        HashingAlgorithm::SHA_512 => Hash::Sha512,
        other => {
            return Err(Error::InvalidField(format!(
                "Hashing Algorithm {} is not offered here: use SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512",
                other.name().unwrap_or("of this value")
            )))
        }
    })
}

/// Hash and padding for a key of `kind` under these parameters.
/// The hash and padding of a signature with a key of `kind` under `p`.
pub(crate) fn scheme(kind: Kind, p: Option<&CryptographicParameters>) -> Result<(Hash, SignaturePadding), Error> {
    type D = DigitalSignatureAlgorithm;
    let hashing = p.and_then(|p| p.hashing_algorithm);
    let salt = |hash: Hash| -> Result<SignaturePadding, Error> {
        let salt = match p.and_then(|p| p.salt_length) {
            Some(n) => {
                Some(usize::try_from(n).map_err(|_| Error::InvalidField("Salt Length cannot be negative".into()))?)
            }
            None => None,
        };
        let mgf1 = match p.and_then(|p| p.mask_generator_hashing_algorithm) {
            Some(h) => hash_of(h)?,
            None => hash,
        };
        Ok(SignaturePadding::Pss { salt, mgf1 })
    };
    let (hash, padding) = match (kind, p.and_then(|p| p.digital_signature_algorithm)) {
        (Kind::Rsa, Some(D::SHA_1WithRSAEncryptionPKCS_1V1_5)) => (Hash::Sha1, SignaturePadding::Pkcs1),
        (Kind::Rsa, Some(D::SHA_224WithRSAEncryptionPKCS_1V1_5)) => (Hash::Sha224, SignaturePadding::Pkcs1),
        (Kind::Rsa, Some(D::SHA_256WithRSAEncryptionPKCS_1V1_5)) => (Hash::Sha256, SignaturePadding::Pkcs1),
        (Kind::Rsa, Some(D::SHA_384WithRSAEncryptionPKCS_1V1_5)) => (Hash::Sha384, SignaturePadding::Pkcs1),
        (Kind::Rsa, Some(D::SHA_512WithRSAEncryptionPKCS_1V1_5)) => (Hash::Sha512, SignaturePadding::Pkcs1),
        (Kind::Rsa, Some(D::RSASSA_PSSPKCS_1V2_1)) => {
            let hash = hash_of(hashing.unwrap_or(HashingAlgorithm::SHA_256))?;
            (hash, salt(hash)?)
        }
        (Kind::Ec, Some(D::ECDSAWithSHA_1)) => (Hash::Sha1, SignaturePadding::None),
        (Kind::Ec, Some(D::ECDSAWithSHA224)) => (Hash::Sha224, SignaturePadding::None),
        (Kind::Ec, Some(D::ECDSAWithSHA256)) => (Hash::Sha256, SignaturePadding::None),
        (Kind::Ec, Some(D::ECDSAWithSHA384)) => (Hash::Sha384, SignaturePadding::None),
        (Kind::Ec, Some(D::ECDSAWithSHA512)) => (Hash::Sha512, SignaturePadding::None),
        (_, Some(d)) => {
            return Err(Error::InvalidField(format!(
                "Digital Signature Algorithm {} does not fit this key",
                d.name().unwrap_or("of this value")
            )))
        }
        (kind, None) => {
            let hash = hash_of(hashing.unwrap_or(HashingAlgorithm::SHA_256))?;
            let padding = match (kind, p.and_then(|p| p.padding_method)) {
                (Kind::Ec, None | Some(PaddingMethod::None)) => SignaturePadding::None,
                (Kind::Rsa, None | Some(PaddingMethod::PKCS1V1_5)) => SignaturePadding::Pkcs1,
                (Kind::Rsa, Some(PaddingMethod::PSS)) => salt(hash)?,
                (_, Some(m)) => {
                    return Err(Error::InvalidField(format!(
                        "Padding Method {} does not apply to signatures with this key",
                        m.name().unwrap_or("of this value")
                    )))
                }
            };
            (hash, padding)
        }
    };
    Ok((hash, padding))
}

/// The parsed key of a signing, verifying or RSA-encrypting use, from the
/// parsed-key cache when its material is unchanged.
pub(crate) fn parsed(ctx: &Context<'_>, key: &UsableKey) -> Result<Arc<PKey>, Error> {
    ctx.server
        .memory
        .keys
        .get(ctx.auth.scope(), &key.uid, &key.material, || parse(key))
}

pub(crate) fn parse(key: &UsableKey) -> Result<PKey, Error> {
    let parsed = match key.object_type {
        ObjectType::PrivateKey => PKey::private_from_der(&key.material),
        ObjectType::PublicKey => PKey::public_from_der(&key.material),
        other => {
            return Err(Error::Unusable(format!(
                "key {} is a {}, not a public or private key",
                key.uid,
                other.name().unwrap_or("object")
            )))
        }
    };
    parsed.map_err(|e| Error::CryptographicFailure(format!("key {}: {}", key.uid, e.0)))
}

/// The request fields Sign and Signature Verify share.
pub(crate) struct Signing<'r> {
    /// The key's Unique Identifier.
    pub uid: &'r str,
    /// The request's Cryptographic Parameters.
    pub parameters: Option<&'r CryptographicParameters>,
    /// Data to hash.
    pub data: Option<&'r [u8]>,
    /// A digest the client computed.
    pub digested: Option<&'r [u8]>,
    /// Where the request stands in an operation in parts.
    pub parts: Parts<'r>,
}

/// Everything a signature needs once all data is in.
pub(crate) struct Signable {
    /// The key.
    pub key: Arc<PKey>,
    /// The hash of the data.
    pub hash: Hash,
    /// The padding (RSA).
    pub padding: SignaturePadding,
    /// The digest to sign or check.
    pub digest: Vec<u8>,
}

/// Runs one Sign or Signature Verify request up to the signature itself.
pub(crate) fn compute(ctx: &Context<'_>, req: Signing<'_>, verify: bool) -> Result<Progress<Signable>, Error> {
    let (purpose, op) = if verify {
        (Purpose::VERIFY, Operation::SignatureVerify)
    } else {
        (Purpose::SIGN, Operation::Sign)
    };
    let amount = req.data.or(req.digested).map_or(0, <[u8]>::len);
    let key = usable(ctx, req.uid, purpose, amount)?;
    let pkey = parsed(ctx, &key)?;
    let kind = pkey
        .kind()
        .ok_or_else(|| Error::InvalidField("only RSA and EC keys sign".into()))?;
    let p = req.parameters.or(key.parameters.as_ref());
    if let Some(a) = p.and_then(|p| p.cryptographic_algorithm) {
        let fits = matches!(
            (kind, a),
            (Kind::Rsa, CryptographicAlgorithm::RSA)
                | (Kind::Ec, CryptographicAlgorithm::EC | CryptographicAlgorithm::ECDSA)
        );
        if !fits {
            return Err(Error::InvalidField(format!(
                "the parameters name {}, which does not fit key {}",
                a.name().unwrap_or("another algorithm"),
                key.uid
            )));
        }
    }
    let (hash, padding) = scheme(kind, p)?;
    if let Some(digest) = req.digested {
        if req.data.is_some() || req.parts.correlation.is_some() || req.parts.init {
            return Err(Error::InvalidField(
                "give either Data (in one or several parts) or Digested Data, not both".into(),
            ));
        }
        if digest.len() != hash.digest_algorithm().output_len() {
            return Err(Error::InvalidField(format!(
                "Digested Data has {} bytes; the hash named gives {}",
                digest.len(),
                hash.digest_algorithm().output_len()
            )));
        }
        return Ok(Progress::Done(Signable {
            key: pkey,
            hash,
            padding,
            digest: digest.to_vec(),
        }));
    }
    let scope = ctx.scope();
    let mut running = match req.parts.correlation {
        Some(c) => match ctx.server.memory.streams.take(c, &scope, &key.uid, op)? {
            Stream::Hash(h) => h,
            _ => {
                return Err(Error::ItemNotFound(
                    "the Correlation Value is not a signature in progress".into(),
                ))
            }
        },
        None => aws_lc_rs::digest::Context::new(hash.digest_algorithm()),
    };
    running.update(req.data.unwrap_or_default());
    Ok(match req.parts.next() {
        Next::Open => Progress::Opened(Bytes::new(ctx.server.memory.streams.open(
            ctx.auth,
            &key.uid,
            op,
            Stream::Hash(running),
        )?)),
        Next::Keep(c) => {
            ctx.server
                .memory
                .streams
                .resume(c, ctx.auth, &key.uid, op, Stream::Hash(running));
            Progress::More
        }
        Next::Finish => Progress::Done(Signable {
            key: pkey,
            hash,
            padding,
            digest: running.finish().as_ref().to_vec(),
        }),
    })
}
