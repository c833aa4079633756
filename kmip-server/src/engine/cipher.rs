//! What Encrypt and Decrypt share: choosing the cipher from Cryptographic
//! Parameters, the IV, one-shot or in parts (§2.1.15–2.1.17), and the
//! result; and RSA encryption with public and private keys.
//!
//! Cryptographic Parameters come from the request, else from the key's
//! Cryptographic Parameters attribute with the lowest index, else (the
//! case of MongoDB's audit-log encryption, which sends neither) AES-CBC
//! with PKCS5 padding and a random IV that the response returns. Encrypt
//! without an IV for a mode that needs one generates a random IV and
//! returns it (Random IV or not: reusing a fixed IV would be the worse
//! answer); Decrypt without one is refused.
//!
//! Decryption in parts returns each part's plaintext before a GCM tag is
//! checked (the nature of streaming); only the final part verifies it.

use crate::crypto::cipher::{Cipher, Family, Mode, Spec, GCM_TAG_LENGTHS};
use crate::crypto::pkey::{EncryptionPadding, Kind};
use crate::engine::sign::{hash_of, parsed};
use crate::engine::streams::{Next, Parts, Stream};
use crate::object::key_use::{usable, Purpose, UsableKey};
use crate::ops::{Context, Error};
use kmip_codec::enums::{
    BlockCipherMode, CryptographicAlgorithm, HashingAlgorithm, ObjectType, Operation, PaddingMethod,
};
use kmip_codec::messages::{Bytes, CryptographicParameters};

/// An Encrypt or Decrypt request in one shape.
pub struct CipherRequest<'r> {
    /// Encrypt (true) or Decrypt.
    pub encrypt: bool,
    /// The key's Unique Identifier.
    pub uid: String,
    /// The request's Cryptographic Parameters.
    pub parameters: Option<&'r CryptographicParameters>,
    /// Data (empty when absent).
    pub data: &'r [u8],
    /// IV/Counter/Nonce.
    pub iv: Option<&'r [u8]>,
    /// Where the request stands in an operation in parts.
    pub parts: Parts<'r>,
    /// Authenticated Encryption Additional Data.
    pub aad: &'r [u8],
    /// Authenticated Encryption Tag (Decrypt).
    pub tag: Option<&'r [u8]>,
}

/// What Encrypt and Decrypt return.
#[derive(Default)]
pub struct CipherResult {
    /// The output data.
    pub data: Option<Bytes>,
    /// The IV the server generated.
    pub iv: Option<Bytes>,
    /// The Correlation Value of a stream just opened.
    pub correlation: Option<Bytes>,
    /// The GCM tag of a finished encryption.
    pub tag: Option<Bytes>,
}

/// The default for a key without Cryptographic Parameters (see module doc).
fn default_parameters() -> CryptographicParameters {
    CryptographicParameters {
        block_cipher_mode: Some(BlockCipherMode::CBC),
        padding_method: Some(PaddingMethod::PKCS5),
        random_iv: Some(true),
        ..CryptographicParameters::default()
    }
}

/// The block cipher that parameters `p` ask for with this key (also Derive Key's ENCRYPT).
pub(crate) fn spec(key: &UsableKey, p: &CryptographicParameters) -> Result<Spec, Error> {
    let algorithm = match (p.cryptographic_algorithm, key.algorithm) {
        (Some(asked), Some(has)) if asked != has => {
            return Err(Error::InvalidField(format!(
                "the parameters name {}, but key {} is {}",
                asked.name().unwrap_or("another algorithm"),
                key.uid,
                has.name().unwrap_or("another algorithm")
            )))
        }
        (asked, has) => asked.or(has),
    };
    let family = match (algorithm, key.object_type) {
        (Some(CryptographicAlgorithm::AES), ObjectType::SymmetricKey) => Family::Aes,
        (Some(CryptographicAlgorithm::DES3), ObjectType::SymmetricKey) => Family::TripleDes,
        (a, _) => {
            return Err(Error::Unusable(format!(
                "key {} ({}) cannot be used by this server to encrypt or decrypt",
                key.uid,
                a.and_then(|a| a.name()).unwrap_or("no Cryptographic Algorithm")
            )))
        }
    };
    let mode = match p.block_cipher_mode {
        Some(BlockCipherMode::ECB) => Mode::Ecb,
        Some(BlockCipherMode::CBC) => Mode::Cbc,
        Some(BlockCipherMode::CTR) => Mode::Ctr,
        Some(BlockCipherMode::GCM) if family == Family::Aes => Mode::Gcm,
        Some(m) => {
            return Err(Error::InvalidField(format!(
                "Block Cipher Mode {} is not offered for this key: use ECB, CBC, CTR or (AES) GCM",
                m.name().unwrap_or("of this value")
            )))
        }
        None => {
            return Err(Error::InvalidField(
                "the Cryptographic Parameters name no Block Cipher Mode".into(),
            ))
        }
    };
    let pad = match p.padding_method {
        None | Some(PaddingMethod::None) => false,
        Some(PaddingMethod::PKCS5) if matches!(mode, Mode::Ecb | Mode::Cbc) => true,
        Some(m) => {
            return Err(Error::InvalidField(format!(
                "Padding Method {} is not offered for this mode: use None, or PKCS5 with ECB or CBC",
                m.name().unwrap_or("of this value")
            )))
        }
    };
    let tag_len = match p.tag_length {
        None => 16,
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| mode != Mode::Gcm || GCM_TAG_LENGTHS.contains(n))
            .ok_or_else(|| {
                // The OASIS test cases (CS-BC-M-GCM-1) expect General Failure here.
                Error::General(format!("invalid Tag Length {n}: GCM tags have 12 to 16 bytes"))
            })?,
    };
    Ok(Spec {
        family,
        mode,
        pad,
        tag_len,
    })
}

/// The IV to use, and whether the server generated it (to return it).
fn iv(req: &CipherRequest<'_>, spec: Spec, p: &CryptographicParameters) -> Result<(Vec<u8>, bool), Error> {
    let needed = spec.mode.iv_len(spec.family);
    match (req.iv, req.encrypt) {
        (Some(_), true) if p.random_iv == Some(true) => Err(Error::InvalidField(
            "Random IV asks the server for the IV: send no IV/Counter/Nonce with it".into(),
        )),
        (Some(iv), _) => Ok((iv.to_vec(), false)),
        (None, _) if needed == 0 => Ok((Vec::new(), false)),
        (None, false) => Err(Error::InvalidMessage(
            "missing IV/Counter/Nonce: decryption in this mode needs the one the encryption used".into(),
        )),
        (None, true) => {
            let len = match p.iv_length {
                Some(bits) if spec.mode == Mode::Gcm && bits > 0 && bits % 8 == 0 => (bits / 8) as usize,
                Some(bits) if usize::try_from(bits).ok() != needed.checked_mul(8) => {
                    return Err(Error::InvalidField(format!(
                        "IV Length {bits} does not fit this mode ({} bits)",
                        needed.saturating_mul(8)
                    )))
                }
                _ => needed,
            };
            let mut iv = vec![0u8; len];
            aws_lc_rs::rand::fill(&mut iv).map_err(|_| Error::random_failed())?;
            Ok((iv, true))
        }
    }
}

fn operation(encrypt: bool) -> Operation {
    if encrypt {
        Operation::Encrypt
    } else {
        Operation::Decrypt
    }
}

/// An RSA key ready to encrypt or decrypt: OAEP (hash and MGF1 hash from
/// the parameters, each SHA-1 when omitted, as §3.6 says; P Source is the
/// label) or PKCS#1 v1.5. Encrypt/Decrypt and key wrapping use it.
pub(crate) struct Rsa<'p> {
    key: std::sync::Arc<crate::crypto::pkey::PKey>,
    padding: EncryptionPadding,
    label: &'p [u8],
}

impl<'p> Rsa<'p> {
    /// The RSA cipher for `key` under parameters `p`.
    pub(super) fn new(
        ctx: &Context<'_>,
        key: &UsableKey,
        p: Option<&'p CryptographicParameters>,
    ) -> Result<Self, Error> {
        let hash = |h: Option<HashingAlgorithm>| hash_of(h.unwrap_or(HashingAlgorithm::SHA_1));
        let mut label: &[u8] = &[];
        let padding = match p.and_then(|p| p.padding_method) {
            None | Some(PaddingMethod::OAEP) => {
                label = p.and_then(|p| p.p_source.as_deref()).unwrap_or_default();
                EncryptionPadding::Oaep {
                    hash: hash(p.and_then(|p| p.hashing_algorithm))?,
                    mgf1: hash(p.and_then(|p| p.mask_generator_hashing_algorithm))?,
                }
            }
            Some(PaddingMethod::PKCS1V1_5) => EncryptionPadding::Pkcs1,
            Some(m) => {
                return Err(Error::InvalidField(format!(
                    "Padding Method {} does not apply to RSA encryption: use OAEP or PKCS1 v1.5",
                    m.name().unwrap_or("of this value")
                )))
            }
        };
        let parsed = parsed(ctx, key)?;
        if parsed.kind() != Some(Kind::Rsa) {
            return Err(Error::InvalidField(format!("key {} is not an RSA key", key.uid)));
        }
        Ok(Rsa {
            key: parsed,
            padding,
            label,
        })
    }

    /// Encrypts with the public part.
    pub(super) fn encrypt(&self, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.key.encrypt(self.padding, self.label, data).map_err(Error::crypto)
    }

    /// Decrypts with the private key.
    pub(super) fn decrypt(&self, data: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        self.key.decrypt(self.padding, self.label, data).map_err(Error::crypto)
    }
}

/// RSA encryption is one-shot.
fn rsa(
    ctx: &Context<'_>,
    key: &UsableKey,
    p: Option<&CryptographicParameters>,
    req: &CipherRequest<'_>,
) -> Result<CipherResult, Error> {
    if req.parts.correlation.is_some() || req.parts.opens() {
        return Err(Error::InvalidField(
            "RSA encryption is one-shot: send the data in one request".into(),
        ));
    }
    let rsa = Rsa::new(ctx, key, p)?;
    let data = if req.encrypt {
        rsa.encrypt(req.data)?
    } else {
        rsa.decrypt(req.data)?.to_vec()
    };
    Ok(CipherResult {
        data: Some(Bytes::new(data)),
        ..CipherResult::default()
    })
}

/// Runs Encrypt or Decrypt.
pub fn run(ctx: &Context<'_>, req: CipherRequest<'_>) -> Result<CipherResult, Error> {
    let purpose = if req.encrypt {
        Purpose::ENCRYPT
    } else {
        Purpose::DECRYPT
    };
    let key = usable(ctx, &req.uid, purpose, req.data.len())?;
    if matches!(key.object_type, ObjectType::PublicKey | ObjectType::PrivateKey) {
        return rsa(ctx, &key, req.parameters.or(key.parameters.as_ref()), &req);
    }
    let scope = ctx.scope();
    let op = operation(req.encrypt);
    let (mut cipher, mut result) = match req.parts.correlation {
        Some(c) => match ctx.server.memory.streams.take(c, &scope, &key.uid, op)? {
            Stream::Cipher(cipher) => (cipher, CipherResult::default()),
            _ => {
                return Err(Error::ItemNotFound(
                    "the Correlation Value is not an Encrypt or Decrypt in progress".into(),
                ))
            }
        },
        None => start(&key, &req)?,
    };
    let mut out = cipher.update(req.data).map_err(Error::crypto)?;
    match req.parts.next() {
        Next::Open => {
            let c = ctx
                .server
                .memory
                .streams
                .open(ctx.auth, &key.uid, op, Stream::Cipher(cipher))?;
            result.correlation = Some(Bytes::new(c));
        }
        Next::Keep(c) => ctx
            .server
            .memory
            .streams
            .resume(c, ctx.auth, &key.uid, op, Stream::Cipher(cipher)),
        Next::Finish => {
            let (tail, tag) = cipher.finish(req.tag).map_err(Error::crypto)?;
            out.extend_from_slice(&tail);
            result.tag = tag.map(Bytes::new);
        }
    }
    result.data = Some(Bytes::new(std::mem::take(&mut *out)));
    Ok(result)
}

/// A new cipher for the first (or only) request, and the IV to return if
/// the server chose it.
fn start(key: &UsableKey, req: &CipherRequest<'_>) -> Result<(Cipher, CipherResult), Error> {
    let defaults;
    let p = match req.parameters.or(key.parameters.as_ref()) {
        Some(p) => p,
        None => {
            defaults = default_parameters();
            &defaults
        }
    };
    let spec = spec(key, p)?;
    let (iv, generated) = iv(req, spec, p)?;
    if let (Some(tag), Some(n)) = (req.tag, p.tag_length) {
        if usize::try_from(n).ok() != Some(tag.len()) {
            return Err(Error::InvalidField(format!(
                "the tag has {} bytes, Tag Length says {n}",
                tag.len()
            )));
        }
    }
    let mut cipher = Cipher::new(spec, &key.material, &iv, req.encrypt).map_err(|e| Error::InvalidField(e.0))?;
    if spec.mode == Mode::Gcm {
        cipher.aad(req.aad).map_err(Error::crypto)?;
    } else if !req.aad.is_empty() {
        return Err(Error::InvalidField(
            "Authenticated Encryption Additional Data applies to GCM only".into(),
        ));
    }
    let result = CipherResult {
        iv: generated.then(|| Bytes::new(iv)),
        ..CipherResult::default()
    };
    Ok((cipher, result))
}
