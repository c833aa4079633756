//! RSA and EC keys through AWS-LC's `EVP_PKEY` interface: parsing and
//! writing the DER formats KMIP names (PKCS#1, PKCS#8, SEC1 ECPrivateKey,
//! X.509 SubjectPublicKeyInfo), signing and verifying a digest, and RSA
//! encryption.
//!
//! Why FFI: aws-lc-rs's safe API signs only with SHA-256/384/512 at a
//! salt length equal to the hash, encrypts with OAEP only when the MGF1
//! hash equals the OAEP hash, and writes no PKCS#1 or SEC1 DER; KMIP
//! clients and the OASIS cases use all of these (PSS with SHA-1, OAEP
//! SHA-384 with MGF1 SHA-256, PKCS#1 key blocks). Key generation stays on
//! the safe API ([`generate`]). This module and [`super::cipher`] are the
//! only `unsafe` code of the project; each call says why it is sound.
#![allow(unsafe_code)]

use std::os::raw::{c_int, c_long};
use std::ptr::{self, NonNull};

use aws_lc_sys as ffi;
use zeroize::Zeroizing;

use super::CryptoError;

/// The key types offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// RSA.
    Rsa,
    /// Elliptic curve (P-256, P-384, P-521).
    Ec,
}

/// Hashes for signatures and OAEP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-1 (verification and OAEP of legacy data).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    fn md(self) -> *const ffi::EVP_MD {
        // SAFETY: these return pointers to static digest tables.
        unsafe {
            match self {
                Hash::Sha1 => ffi::EVP_sha1(),
                Hash::Sha224 => ffi::EVP_sha224(),
                Hash::Sha256 => ffi::EVP_sha256(),
                Hash::Sha384 => ffi::EVP_sha384(),
                Hash::Sha512 => ffi::EVP_sha512(),
            }
        }
    }

    /// The same hash in aws-lc-rs, to hash data before signing it.
    pub fn digest_algorithm(self) -> &'static aws_lc_rs::digest::Algorithm {
        use aws_lc_rs::digest;
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha224 => &digest::SHA224,
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }
}

/// How an RSA signature is padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignaturePadding {
    /// PKCS#1 v1.5.
    Pkcs1,
    /// PSS with MGF1 of `mgf1` and this salt length in bytes.
    Pss {
        /// Salt length in bytes; when absent, the digest length for
        /// signing and whatever the signature used for verifying.
        salt: Option<usize>,
        /// The MGF1 hash.
        mgf1: Hash,
    },
    /// Not RSA (ECDSA): no padding.
    None,
}

/// How RSA encryption is padded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptionPadding {
    /// PKCS#1 v1.5.
    Pkcs1,
    /// OAEP with this hash and this MGF1 hash (and the label given to
    /// [`PKey::encrypt`] / [`PKey::decrypt`]).
    Oaep {
        /// The OAEP hash.
        hash: Hash,
        /// The MGF1 hash.
        mgf1: Hash,
    },
}

/// A parsed RSA or EC key, private or public only.
pub struct PKey {
    ptr: NonNull<ffi::EVP_PKEY>,
    private: bool,
}

// SAFETY: an EVP_PKEY is reference-counted and safe to use from several
// threads for the read-only operations below (each makes its own
// EVP_PKEY_CTX); it is freed only in Drop.
unsafe impl Send for PKey {}
// SAFETY: as above; no method mutates the EVP_PKEY.
unsafe impl Sync for PKey {}

impl Drop for PKey {
    fn drop(&mut self) {
        // SAFETY: ptr came from a d2i_* call and is freed only here;
        // EVP_PKEY_free cleanses private key material.
        unsafe { ffi::EVP_PKEY_free(self.ptr.as_ptr()) }
    }
}

fn int(n: usize) -> Result<c_int, CryptoError> {
    c_int::try_from(n).map_err(|_| CryptoError("the data is too long".into()))
}

fn long(n: usize) -> Result<c_long, CryptoError> {
    c_long::try_from(n).map_err(|_| CryptoError("the key is too long".into()))
}

/// The last AWS-LC failure, cleared from the thread's error queue.
fn fail(what: &str) -> CryptoError {
    // SAFETY: clears this thread's error queue; no pointers involved.
    unsafe { ffi::ERR_clear_error() };
    CryptoError(what.to_owned())
}

/// Runs an `i2d_*` writer twice: once for the length, once into a buffer
/// of exactly that length (so the library allocates nothing to clean up).
fn i2d(write: impl Fn(*mut *mut u8) -> c_int) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let len = usize::try_from(write(ptr::null_mut())).map_err(|_| fail("the key cannot be written in that format"))?;
    if len == 0 {
        return Err(fail("the key cannot be written in that format"));
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    let mut p = out.as_mut_ptr();
    let written = usize::try_from(write(&mut p)).map_err(|_| fail("the key could not be written"))?;
    if written != len {
        return Err(fail("the key could not be written"));
    }
    Ok(out)
}

impl PKey {
    fn wrap(raw: *mut ffi::EVP_PKEY, private: bool, input_end: *const u8, end: *const u8) -> Result<PKey, CryptoError> {
        let key = NonNull::new(raw).map(|ptr| PKey { ptr, private });
        match key {
            // Trailing bytes after the DER are refused, as a strict parser would.
            Some(k) if input_end == end => Ok(k),
            _ => Err(fail(if private {
                "the private key is not valid PKCS#1, PKCS#8 or ECPrivateKey DER"
            } else {
                "the public key is not valid PKCS#1 or X.509 SubjectPublicKeyInfo DER"
            })),
        }
    }

    /// A private key from PKCS#8, PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey DER.
    pub fn private_from_der(der: &[u8]) -> Result<PKey, CryptoError> {
        let mut p = der.as_ptr();
        // SAFETY: d2i reads at most der.len() bytes from p and advances it;
        // the result is an owned EVP_PKEY or null.
        let raw = unsafe { ffi::d2i_AutoPrivateKey(ptr::null_mut(), &mut p, long(der.len())?) };
        PKey::wrap(raw, true, p, der.as_ptr_range().end)
    }

    /// A public key from X.509 SubjectPublicKeyInfo or PKCS#1 RSAPublicKey DER.
    pub fn public_from_der(der: &[u8]) -> Result<PKey, CryptoError> {
        let mut p = der.as_ptr();
        // SAFETY: as in private_from_der.
        let raw = unsafe { ffi::d2i_PUBKEY(ptr::null_mut(), &mut p, long(der.len())?) };
        if !raw.is_null() {
            return PKey::wrap(raw, false, p, der.as_ptr_range().end);
        }
        // SAFETY: clears the failed attempt's errors; then as above.
        unsafe { ffi::ERR_clear_error() };
        let mut p = der.as_ptr();
        let raw = unsafe { ffi::d2i_PublicKey(ffi::EVP_PKEY_RSA, ptr::null_mut(), &mut p, long(der.len())?) };
        PKey::wrap(raw, false, p, der.as_ptr_range().end)
    }

    /// RSA or EC.
    pub fn kind(&self) -> Option<Kind> {
        // SAFETY: ptr is a live EVP_PKEY.
        match unsafe { ffi::EVP_PKEY_id(self.ptr.as_ptr()) } {
            ffi::EVP_PKEY_RSA => Some(Kind::Rsa),
            ffi::EVP_PKEY_EC => Some(Kind::Ec),
            _ => None,
        }
    }

    /// The key size in bits (RSA modulus, EC field).
    pub fn bits(&self) -> usize {
        // SAFETY: ptr is a live EVP_PKEY.
        usize::try_from(unsafe { ffi::EVP_PKEY_bits(self.ptr.as_ptr()) }).unwrap_or(0)
    }

    /// The private key as PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey DER.
    pub fn private_traditional_der(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.need_private()?;
        // SAFETY: i2d_PrivateKey writes into the buffer i2d sized for it.
        i2d(|out| unsafe { ffi::i2d_PrivateKey(self.ptr.as_ptr(), out) })
    }

    /// The private key as PKCS#8 PrivateKeyInfo DER.
    pub fn private_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.need_private()?;
        // SAFETY: EVP_PKEY2PKCS8 returns an owned structure or null; it is
        // written by i2d into a sized buffer and freed before returning.
        unsafe {
            let info = ffi::EVP_PKEY2PKCS8(self.ptr.as_ptr());
            if info.is_null() {
                return Err(fail("the key cannot be written as PKCS#8"));
            }
            let out = i2d(|o| ffi::i2d_PKCS8_PRIV_KEY_INFO(info, o));
            ffi::PKCS8_PRIV_KEY_INFO_free(info);
            out
        }
    }

    /// The public key as X.509 SubjectPublicKeyInfo DER.
    pub fn public_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        // SAFETY: i2d_PUBKEY writes the public part, of a private key too.
        Ok(i2d(|out| unsafe { ffi::i2d_PUBKEY(self.ptr.as_ptr(), out) })?.to_vec())
    }

    /// The public key as PKCS#1 RSAPublicKey DER (RSA only).
    pub fn public_pkcs1_der(&self) -> Result<Vec<u8>, CryptoError> {
        if self.kind() != Some(Kind::Rsa) {
            return Err(CryptoError("PKCS#1 public keys are RSA keys".into()));
        }
        // SAFETY: for an RSA key i2d_PublicKey writes RSAPublicKey DER.
        Ok(i2d(|out| unsafe { ffi::i2d_PublicKey(self.ptr.as_ptr(), out) })?.to_vec())
    }

    fn need_private(&self) -> Result<(), CryptoError> {
        if self.private {
            Ok(())
        } else {
            Err(CryptoError("this needs a private key".into()))
        }
    }

    /// A fresh operation context for this key.
    fn ctx(&self) -> Result<Ctx, CryptoError> {
        // SAFETY: EVP_PKEY_CTX_new takes its own reference to the key and
        // returns an owned context or null.
        NonNull::new(unsafe { ffi::EVP_PKEY_CTX_new(self.ptr.as_ptr(), ptr::null_mut()) })
            .map(Ctx)
            .ok_or_else(|| fail("out of memory for a key context"))
    }

    /// Signs a digest computed with `hash`.
    pub fn sign_digest(&self, hash: Hash, padding: SignaturePadding, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.need_private()?;
        let ctx = self.ctx()?;
        // SAFETY: ctx is live; sign_init must precede the settings.
        if unsafe { ffi::EVP_PKEY_sign_init(ctx.0.as_ptr()) } != 1 {
            return Err(fail("the key cannot sign"));
        }
        ctx.signature_settings(hash, padding, false)?;
        let mut len = 0usize;
        // SAFETY: a null output asks for the maximum signature length.
        if unsafe { ffi::EVP_PKEY_sign(ctx.0.as_ptr(), ptr::null_mut(), &mut len, digest.as_ptr(), digest.len()) } != 1
        {
            return Err(fail("signing failed"));
        }
        let mut sig = vec![0u8; len];
        // SAFETY: sig has the length EVP_PKEY_sign asked for; len is updated
        // to what was written.
        if unsafe {
            ffi::EVP_PKEY_sign(
                ctx.0.as_ptr(),
                sig.as_mut_ptr(),
                &mut len,
                digest.as_ptr(),
                digest.len(),
            )
        } != 1
        {
            return Err(fail("signing failed"));
        }
        sig.truncate(len);
        Ok(sig)
    }

    /// Whether `signature` is valid for a digest computed with `hash`.
    pub fn verify_digest(
        &self,
        hash: Hash,
        padding: SignaturePadding,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<bool, CryptoError> {
        let ctx = self.ctx()?;
        // SAFETY: ctx is live; verify_init precedes the settings.
        if unsafe { ffi::EVP_PKEY_verify_init(ctx.0.as_ptr()) } != 1 {
            return Err(fail("the key cannot verify"));
        }
        ctx.signature_settings(hash, padding, true)?;
        // SAFETY: both slices are valid for their lengths.
        let ok = unsafe {
            ffi::EVP_PKEY_verify(
                ctx.0.as_ptr(),
                signature.as_ptr(),
                signature.len(),
                digest.as_ptr(),
                digest.len(),
            )
        };
        if ok != 1 {
            // SAFETY: a bad signature leaves an error on the queue; drop it.
            unsafe { ffi::ERR_clear_error() };
        }
        Ok(ok == 1)
    }

    /// RSA-encrypts `data` with the public part of this key.
    pub fn encrypt(&self, padding: EncryptionPadding, label: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let ctx = self.ctx()?;
        // SAFETY: ctx is live; encrypt_init precedes the settings.
        if unsafe { ffi::EVP_PKEY_encrypt_init(ctx.0.as_ptr()) } != 1 {
            return Err(fail("the key cannot encrypt"));
        }
        ctx.encryption_settings(padding, label)?;
        let mut len = 0usize;
        // SAFETY: a null output asks for the output length.
        if unsafe { ffi::EVP_PKEY_encrypt(ctx.0.as_ptr(), ptr::null_mut(), &mut len, data.as_ptr(), data.len()) } != 1 {
            return Err(fail(
                "RSA encryption failed (is the data too long for the key and padding?)",
            ));
        }
        let mut out = vec![0u8; len];
        // SAFETY: out has the length asked for; len is updated.
        if unsafe { ffi::EVP_PKEY_encrypt(ctx.0.as_ptr(), out.as_mut_ptr(), &mut len, data.as_ptr(), data.len()) } != 1
        {
            return Err(fail(
                "RSA encryption failed (is the data too long for the key and padding?)",
            ));
        }
        out.truncate(len);
        Ok(out)
    }

    /// RSA-decrypts `data` with this private key.
    pub fn decrypt(
        &self,
        padding: EncryptionPadding,
        label: &[u8],
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.need_private()?;
        let ctx = self.ctx()?;
        // SAFETY: ctx is live; decrypt_init precedes the settings.
        if unsafe { ffi::EVP_PKEY_decrypt_init(ctx.0.as_ptr()) } != 1 {
            return Err(fail("the key cannot decrypt"));
        }
        ctx.encryption_settings(padding, label)?;
        let mut len = 0usize;
        // SAFETY: a null output asks for the maximum output length.
        if unsafe { ffi::EVP_PKEY_decrypt(ctx.0.as_ptr(), ptr::null_mut(), &mut len, data.as_ptr(), data.len()) } != 1 {
            return Err(fail("RSA decryption failed"));
        }
        let mut out = Zeroizing::new(vec![0u8; len]);
        // SAFETY: out has the length asked for; len is updated.
        if unsafe { ffi::EVP_PKEY_decrypt(ctx.0.as_ptr(), out.as_mut_ptr(), &mut len, data.as_ptr(), data.len()) } != 1
        {
            return Err(fail("RSA decryption failed: wrong key, padding or data"));
        }
        out.truncate(len);
        Ok(out)
    }
}

/// An owned `EVP_PKEY_CTX`.
struct Ctx(NonNull<ffi::EVP_PKEY_CTX>);

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: the context is owned and freed only here.
        unsafe { ffi::EVP_PKEY_CTX_free(self.0.as_ptr()) }
    }
}

impl Ctx {
    fn signature_settings(&self, hash: Hash, padding: SignaturePadding, verify: bool) -> Result<(), CryptoError> {
        let p = self.0.as_ptr();
        let salt = match padding {
            SignaturePadding::Pss { salt: Some(n), .. } => int(n)?,
            _ if verify => ffi::RSA_PSS_SALTLEN_AUTO,
            _ => ffi::RSA_PSS_SALTLEN_DIGEST,
        };
        // SAFETY: p is a live context initialised for sign or verify; the
        // digest table is static.
        let ok = unsafe {
            ffi::EVP_PKEY_CTX_set_signature_md(p, hash.md()) == 1
                && match padding {
                    SignaturePadding::None => true,
                    SignaturePadding::Pkcs1 => ffi::EVP_PKEY_CTX_set_rsa_padding(p, ffi::RSA_PKCS1_PADDING) == 1,
                    SignaturePadding::Pss { mgf1, .. } => {
                        ffi::EVP_PKEY_CTX_set_rsa_padding(p, ffi::RSA_PKCS1_PSS_PADDING) == 1
                            && ffi::EVP_PKEY_CTX_set_rsa_mgf1_md(p, mgf1.md()) == 1
                            && ffi::EVP_PKEY_CTX_set_rsa_pss_saltlen(p, salt) == 1
                    }
                }
        };
        if ok {
            Ok(())
        } else {
            Err(fail("the signature parameters do not fit this key"))
        }
    }

    fn encryption_settings(&self, padding: EncryptionPadding, label: &[u8]) -> Result<(), CryptoError> {
        let p = self.0.as_ptr();
        if !label.is_empty() {
            if !matches!(padding, EncryptionPadding::Oaep { .. }) {
                return Err(CryptoError("a label applies to OAEP only".into()));
            }
            // SAFETY: set0_rsa_oaep_label takes ownership of a buffer from
            // OPENSSL_malloc on success; on failure it is still ours to free.
            // The copy writes label.len() bytes into a buffer of that size.
            unsafe {
                let buf = ffi::OPENSSL_malloc(label.len()).cast::<u8>();
                if buf.is_null() {
                    return Err(fail("out of memory for the OAEP label"));
                }
                ptr::copy_nonoverlapping(label.as_ptr(), buf, label.len());
                if ffi::EVP_PKEY_CTX_set_rsa_padding(p, ffi::RSA_PKCS1_OAEP_PADDING) != 1
                    || ffi::EVP_PKEY_CTX_set0_rsa_oaep_label(p, buf, label.len()) != 1
                {
                    ffi::OPENSSL_free(buf.cast());
                    return Err(fail("the OAEP label was refused"));
                }
            }
        }
        // SAFETY: p is a live context initialised for encrypt or decrypt;
        // the digest tables are static.
        let ok = unsafe {
            match padding {
                EncryptionPadding::Pkcs1 => ffi::EVP_PKEY_CTX_set_rsa_padding(p, ffi::RSA_PKCS1_PADDING) == 1,
                EncryptionPadding::Oaep { hash, mgf1 } => {
                    ffi::EVP_PKEY_CTX_set_rsa_padding(p, ffi::RSA_PKCS1_OAEP_PADDING) == 1
                        && ffi::EVP_PKEY_CTX_set_rsa_oaep_md(p, hash.md()) == 1
                        && ffi::EVP_PKEY_CTX_set_rsa_mgf1_md(p, mgf1.md()) == 1
                }
            }
        };
        if ok {
            Ok(())
        } else {
            Err(fail("the encryption parameters do not fit this key"))
        }
    }
}

/// A new key pair: the private key parsed, ready to write in any format.
/// RSA of 2048, 3072 or 4096 bits; EC on P-256, P-384 or P-521 (`bits`
/// 256, 384, 521). Generation is aws-lc-rs's safe API.
pub fn generate(kind: Kind, bits: usize) -> Result<PKey, CryptoError> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature;
    let pkcs8: Zeroizing<Vec<u8>> = match kind {
        Kind::Rsa => {
            let size = match bits {
                2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
                3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
                4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
                n => {
                    return Err(CryptoError(format!(
                        "RSA keys of 2048, 3072 or 4096 bits are offered, not {n}"
                    )))
                }
            };
            let pair =
                aws_lc_rs::rsa::KeyPair::generate(size).map_err(|_| CryptoError("RSA key generation failed".into()))?;
            let der = pair
                .as_der()
                .map_err(|_| CryptoError("RSA key encoding failed".into()))?;
            Zeroizing::new(der.as_ref().to_vec())
        }
        Kind::Ec => {
            let alg = match bits {
                256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                521 => &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
                n => {
                    return Err(CryptoError(format!(
                        "EC keys on P-256, P-384 or P-521 are offered, not {n} bits"
                    )))
                }
            };
            let pair =
                signature::EcdsaKeyPair::generate(alg).map_err(|_| CryptoError("EC key generation failed".into()))?;
            let der = pair
                .to_pkcs8v1()
                .map_err(|_| CryptoError("EC key encoding failed".into()))?;
            Zeroizing::new(der.as_ref().to_vec())
        }
    };
    PKey::private_from_der(&pkcs8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
        aws_lc_rs::digest::digest(hash.digest_algorithm(), data)
            .as_ref()
            .to_vec()
    }

    #[test]
    fn rsa_formats_round_trip_and_signatures_verify() {
        let key = generate(Kind::Rsa, 2048).unwrap();
        assert_eq!((key.kind(), key.bits()), (Some(Kind::Rsa), 2048));
        let pkcs1 = key.private_traditional_der().unwrap();
        let pkcs8 = key.private_pkcs8_der().unwrap();
        assert_ne!(pkcs1.as_slice(), pkcs8.as_slice());
        let again = PKey::private_from_der(&pkcs1).unwrap();
        assert_eq!(again.private_pkcs8_der().unwrap().as_slice(), pkcs8.as_slice());
        let public = PKey::public_from_der(&key.public_pkcs1_der().unwrap()).unwrap();
        assert_eq!(public.public_spki_der().unwrap(), key.public_spki_der().unwrap());
        assert!(PKey::public_from_der(&pkcs1[..pkcs1.len() - 1]).is_err(), "truncated");

        let d = digest(Hash::Sha1, b"message");
        for padding in [
            SignaturePadding::Pkcs1,
            SignaturePadding::Pss {
                salt: Some(20),
                mgf1: Hash::Sha256,
            },
        ] {
            let sig = key.sign_digest(Hash::Sha1, padding, &d).unwrap();
            assert!(
                public.verify_digest(Hash::Sha1, padding, &d, &sig).unwrap(),
                "{padding:?}"
            );
            assert!(!public
                .verify_digest(Hash::Sha1, padding, &digest(Hash::Sha1, b"other"), &sig)
                .unwrap());
        }
        assert!(
            public.sign_digest(Hash::Sha256, SignaturePadding::Pkcs1, &d).is_err(),
            "public keys do not sign"
        );
    }

    #[test]
    fn oaep_with_a_different_mgf1_hash_and_pkcs1_encryption() {
        let key = generate(Kind::Rsa, 2048).unwrap();
        let public = PKey::public_from_der(&key.public_spki_der().unwrap()).unwrap();
        for padding in [
            EncryptionPadding::Oaep {
                hash: Hash::Sha384,
                mgf1: Hash::Sha256,
            },
            EncryptionPadding::Pkcs1,
        ] {
            let c = public.encrypt(padding, b"", b"secret").unwrap();
            assert_eq!(c.len(), 256);
            assert_eq!(key.decrypt(padding, b"", &c).unwrap().as_slice(), b"secret");
        }
        let c = public
            .encrypt(
                EncryptionPadding::Oaep {
                    hash: Hash::Sha256,
                    mgf1: Hash::Sha256,
                },
                b"label",
                b"secret",
            )
            .unwrap();
        let oaep = EncryptionPadding::Oaep {
            hash: Hash::Sha256,
            mgf1: Hash::Sha256,
        };
        assert_eq!(key.decrypt(oaep, b"label", &c).unwrap().as_slice(), b"secret");
        assert!(key.decrypt(oaep, b"other", &c).is_err(), "another label");
        let other = EncryptionPadding::Oaep {
            hash: Hash::Sha384,
            mgf1: Hash::Sha256,
        };
        assert!(key.decrypt(other, b"label", &c).is_err());
    }

    /// ECDSA P-256 signs and verifies; aws-lc-rs's own verifier accepts the
    /// signature (an independent check of the DER signature encoding).
    #[test]
    fn ecdsa_sign_and_cross_verify() {
        let key = generate(Kind::Ec, 256).unwrap();
        assert_eq!((key.kind(), key.bits()), (Some(Kind::Ec), 256));
        let sec1 = key.private_traditional_der().unwrap();
        let again = PKey::private_from_der(&sec1).unwrap();
        let d = digest(Hash::Sha256, b"message");
        let sig = again.sign_digest(Hash::Sha256, SignaturePadding::None, &d).unwrap();
        let spki = key.public_spki_der().unwrap();
        let public = PKey::public_from_der(&spki).unwrap();
        assert!(public
            .verify_digest(Hash::Sha256, SignaturePadding::None, &d, &sig)
            .unwrap());
        let unparsed =
            aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1, &spki);
        assert!(unparsed.verify(b"message", &sig).is_ok());
    }
}
