//! Block ciphers (AES in ECB, CBC, CTR and GCM; Triple DES in ECB and CBC),
//! one-shot or part by part, through AWS-LC's `EVP_CIPHER` interface.
//!
//! Why FFI: aws-lc-rs's safe API has no GCM with a nonce other than 96
//! bits or a tag shorter than 128 bits (KMIP clients and the OASIS test
//! cases use both), no unpadded CBC/ECB streaming, and no GCM streaming.
//! `EVP_CIPHER` in the same AWS-LC library has all of them. This is the
//! only module of the project with `unsafe` code: every call is below,
//! each with the reason it is sound.
#![allow(unsafe_code)]

use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;

use aws_lc_sys as ffi;
use zeroize::Zeroizing;

use super::CryptoError;

/// The cipher family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// AES-128, -192 or -256 by key length.
    Aes,
    /// Triple DES (two-key with 16 bytes, three-key with 24).
    TripleDes,
}

/// The mode of operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Electronic codebook.
    Ecb,
    /// Cipher block chaining.
    Cbc,
    /// Counter mode (the IV is the initial 128-bit counter block).
    Ctr,
    /// Galois/counter mode (AES only).
    Gcm,
}

/// What a cipher is: family, mode, padding and (GCM) tag length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// AES or Triple DES.
    pub family: Family,
    /// The mode of operation.
    pub mode: Mode,
    /// PKCS#5/#7 padding (ECB and CBC only).
    pub pad: bool,
    /// The GCM tag length in bytes (ignored by other modes).
    pub tag_len: usize,
}

/// GCM tag lengths this server produces and accepts, in bytes: the
/// 96..=128-bit tags of NIST SP 800-38D §5.2.1.2 (the 32- and 64-bit tags
/// need application limits no KMIP request can state).
pub const GCM_TAG_LENGTHS: std::ops::RangeInclusive<usize> = 12..=16;

impl Mode {
    /// The IV/counter/nonce length the mode needs (GCM: the recommended 12).
    pub fn iv_len(self, family: Family) -> usize {
        match (self, family) {
            (Mode::Ecb, _) => 0,
            (Mode::Gcm, _) => 12,
            (_, Family::Aes) => 16,
            (_, Family::TripleDes) => 8,
        }
    }
}

fn evp(family: Family, mode: Mode, key_len: usize) -> Result<*const ffi::EVP_CIPHER, CryptoError> {
    // SAFETY: these functions return pointers to static cipher tables.
    let cipher = unsafe {
        match (family, mode, key_len) {
            (Family::Aes, Mode::Ecb, 16) => ffi::EVP_aes_128_ecb(),
            (Family::Aes, Mode::Ecb, 24) => ffi::EVP_aes_192_ecb(),
            (Family::Aes, Mode::Ecb, 32) => ffi::EVP_aes_256_ecb(),
            (Family::Aes, Mode::Cbc, 16) => ffi::EVP_aes_128_cbc(),
            (Family::Aes, Mode::Cbc, 24) => ffi::EVP_aes_192_cbc(),
            (Family::Aes, Mode::Cbc, 32) => ffi::EVP_aes_256_cbc(),
            (Family::Aes, Mode::Ctr, 16) => ffi::EVP_aes_128_ctr(),
            (Family::Aes, Mode::Ctr, 24) => ffi::EVP_aes_192_ctr(),
            (Family::Aes, Mode::Ctr, 32) => ffi::EVP_aes_256_ctr(),
            (Family::Aes, Mode::Gcm, 16) => ffi::EVP_aes_128_gcm(),
            (Family::Aes, Mode::Gcm, 24) => ffi::EVP_aes_192_gcm(),
            (Family::Aes, Mode::Gcm, 32) => ffi::EVP_aes_256_gcm(),
            (Family::TripleDes, Mode::Ecb, 16) => ffi::EVP_des_ede(),
            (Family::TripleDes, Mode::Ecb, 24) => ffi::EVP_des_ede3(),
            (Family::TripleDes, Mode::Cbc, 16) => ffi::EVP_des_ede_cbc(),
            (Family::TripleDes, Mode::Cbc, 24) => ffi::EVP_des_ede3_cbc(),
            (Family::Aes, _, n) => {
                return Err(CryptoError(format!("an AES key has 16, 24 or 32 bytes, not {n}")));
            }
            (Family::TripleDes, Mode::Ecb | Mode::Cbc, n) => {
                return Err(CryptoError(format!("a Triple DES key has 16 or 24 bytes, not {n}")));
            }
            (Family::TripleDes, m, _) => {
                return Err(CryptoError(format!("Triple DES is offered in ECB and CBC, not {m:?}")));
            }
        }
    };
    Ok(cipher)
}

fn int(n: usize) -> Result<c_int, CryptoError> {
    c_int::try_from(n).map_err(|_| CryptoError("the data is too long for one cipher call".into()))
}

/// A cipher in progress: created with its key and IV, fed with [`Cipher::update`],
/// ended with [`Cipher::finish`]. Owns an `EVP_CIPHER_CTX`, whose key
/// schedule AWS-LC wipes when the context is freed.
pub struct Cipher {
    ctx: NonNull<ffi::EVP_CIPHER_CTX>,
    block: usize,
    encrypt: bool,
    gcm_tag: Option<usize>,
}

// SAFETY: an EVP_CIPHER_CTX holds no thread-affine state; the context is
// owned by this value and only used through `&mut self`.
unsafe impl Send for Cipher {}

impl Drop for Cipher {
    fn drop(&mut self) {
        // SAFETY: ctx came from EVP_CIPHER_CTX_new and is freed only here;
        // EVP_CIPHER_CTX_free cleanses the key schedule.
        unsafe { ffi::EVP_CIPHER_CTX_free(self.ctx.as_ptr()) }
    }
}

impl Cipher {
    /// Starts encrypting (`encrypt` true) or decrypting with `key` and `iv`
    /// (empty for ECB).
    pub fn new(spec: Spec, key: &[u8], iv: &[u8], encrypt: bool) -> Result<Cipher, CryptoError> {
        let Spec {
            family,
            mode,
            pad,
            tag_len,
        } = spec;
        let cipher = evp(family, mode, key.len())?;
        let gcm = mode == Mode::Gcm;
        if gcm && iv.is_empty() {
            return Err(CryptoError("GCM needs a nonce of at least one byte".into()));
        }
        if !gcm && iv.len() != mode.iv_len(family) {
            return Err(CryptoError(format!(
                "{family:?} {mode:?} needs an IV of {} bytes, not {}",
                mode.iv_len(family),
                iv.len()
            )));
        }
        if gcm && !GCM_TAG_LENGTHS.contains(&tag_len) {
            return Err(CryptoError(format!(
                "invalid GCM tag length {tag_len}: this server uses 12 to 16 bytes"
            )));
        }
        if pad && !matches!(mode, Mode::Ecb | Mode::Cbc) {
            return Err(CryptoError(format!(
                "PKCS5 padding applies to ECB and CBC, not {mode:?}"
            )));
        }
        // SAFETY: EVP_CIPHER_CTX_new returns an owned context or null.
        let ctx = NonNull::new(unsafe { ffi::EVP_CIPHER_CTX_new() })
            .ok_or_else(|| CryptoError("out of memory for a cipher context".into()))?;
        let this = Cipher {
            ctx,
            block: if matches!(mode, Mode::Ecb | Mode::Cbc) {
                super::block_len(family)
            } else {
                1
            },
            encrypt,
            gcm_tag: gcm.then_some(tag_len),
        };
        let enc = c_int::from(encrypt);
        let failed = || CryptoError("the cipher refused its key or IV".into());
        // SAFETY: ctx is a live context; cipher is a static table; key and
        // iv outlive the calls and have the lengths the cipher reads (the
        // key length selected the cipher, the IV length was checked above,
        // and for GCM the IV length is set before the IV is passed).
        unsafe {
            let p = this.ctx.as_ptr();
            if gcm {
                let ivlen = int(iv.len())?;
                if ffi::EVP_CipherInit_ex(p, cipher, std::ptr::null_mut(), std::ptr::null(), std::ptr::null(), enc) != 1
                    || ffi::EVP_CIPHER_CTX_ctrl(p, ffi::EVP_CTRL_GCM_SET_IVLEN, ivlen, std::ptr::null_mut()) != 1
                    || ffi::EVP_CipherInit_ex(p, std::ptr::null(), std::ptr::null_mut(), key.as_ptr(), iv.as_ptr(), -1)
                        != 1
                {
                    return Err(failed());
                }
            } else {
                let iv_ptr = if iv.is_empty() { std::ptr::null() } else { iv.as_ptr() };
                if ffi::EVP_CipherInit_ex(p, cipher, std::ptr::null_mut(), key.as_ptr(), iv_ptr, enc) != 1 {
                    return Err(failed());
                }
            }
            if ffi::EVP_CIPHER_CTX_set_padding(p, c_int::from(pad)) != 1 {
                return Err(failed());
            }
        }
        Ok(this)
    }

    /// Adds GCM additional authenticated data (before any [`Cipher::update`]).
    pub fn aad(&mut self, aad: &[u8]) -> Result<(), CryptoError> {
        if self.gcm_tag.is_none() {
            return Err(CryptoError("additional authenticated data applies to GCM only".into()));
        }
        if aad.is_empty() {
            return Ok(());
        }
        let mut written: c_int = 0;
        // SAFETY: a null output pointer makes EVP_CipherUpdate take `aad`
        // as additional data for GCM; aad is valid for its length.
        let ok = unsafe {
            ffi::EVP_CipherUpdate(
                self.ctx.as_ptr(),
                std::ptr::null_mut(),
                &mut written,
                aad.as_ptr(),
                int(aad.len())?,
            )
        };
        if ok != 1 {
            return Err(CryptoError("the cipher refused the additional data".into()));
        }
        Ok(())
    }

    /// Processes one part; returns what the cipher could output so far.
    pub fn update(&mut self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        // EVP_CipherUpdate writes at most len + block - 1 bytes (OpenSSL
        // and AWS-LC document this bound).
        let mut out = Zeroizing::new(vec![0u8; data.len().saturating_add(self.block)]);
        let mut written: c_int = 0;
        if !data.is_empty() {
            // SAFETY: out has room for data.len() + block bytes, the most
            // EVP_CipherUpdate writes; data is valid for its length.
            let ok = unsafe {
                ffi::EVP_CipherUpdate(
                    self.ctx.as_ptr(),
                    out.as_mut_ptr(),
                    &mut written,
                    data.as_ptr(),
                    int(data.len())?,
                )
            };
            if ok != 1 {
                return Err(CryptoError("the cipher failed".into()));
            }
        }
        out.truncate(usize::try_from(written).unwrap_or(0));
        Ok(out)
    }

    /// Ends the operation: the last output and, for GCM encryption, the
    /// tag. For GCM decryption `tag` is checked first; a mismatch, like
    /// bad padding or a partial block without padding, is an error.
    pub fn finish(self, tag: Option<&[u8]>) -> Result<Output, CryptoError> {
        let p = self.ctx.as_ptr();
        if let (Some(_), false) = (self.gcm_tag, self.encrypt) {
            let tag = tag.ok_or_else(|| CryptoError("GCM decryption needs the Authenticated Encryption Tag".into()))?;
            if !GCM_TAG_LENGTHS.contains(&tag.len()) {
                return Err(CryptoError(format!(
                    "invalid GCM tag length {}: this server uses 12 to 16 bytes",
                    tag.len()
                )));
            }
            // SAFETY: SET_TAG copies tag.len() (checked ≤ 16) bytes from a
            // valid slice; AWS-LC does not write through the pointer.
            let ok = unsafe {
                ffi::EVP_CIPHER_CTX_ctrl(
                    p,
                    ffi::EVP_CTRL_GCM_SET_TAG,
                    int(tag.len())?,
                    tag.as_ptr().cast_mut().cast::<c_void>(),
                )
            };
            if ok != 1 {
                return Err(CryptoError("the cipher refused the tag".into()));
            }
        }
        let mut out = Zeroizing::new(vec![0u8; self.block]);
        let mut written: c_int = 0;
        // SAFETY: out has room for one block, the most EVP_CipherFinal_ex writes.
        if unsafe { ffi::EVP_CipherFinal_ex(p, out.as_mut_ptr(), &mut written) } != 1 {
            return Err(CryptoError(if self.gcm_tag.is_some() {
                "the data or additional data does not match the tag".into()
            } else if self.block > 1 {
                "the data is not a whole number of blocks, or its padding is wrong".into()
            } else {
                "the cipher failed".into()
            }));
        }
        out.truncate(usize::try_from(written).unwrap_or(0));
        let tag = match (self.gcm_tag, self.encrypt) {
            (Some(len), true) => {
                let mut tag = vec![0u8; len];
                // SAFETY: GET_TAG writes len (≤ 16) bytes into tag, which has len bytes.
                let ok = unsafe {
                    ffi::EVP_CIPHER_CTX_ctrl(
                        p,
                        ffi::EVP_CTRL_GCM_GET_TAG,
                        int(len)?,
                        tag.as_mut_ptr().cast::<c_void>(),
                    )
                };
                if ok != 1 {
                    return Err(CryptoError("the cipher gave no tag".into()));
                }
                Some(tag)
            }
            _ => None,
        };
        Ok((out, tag))
    }
}

/// The output of a whole operation and, for GCM encryption, the tag.
pub type Output = (Zeroizing<Vec<u8>>, Option<Vec<u8>>);

/// Encrypts or decrypts `data` in one call; `aad` is GCM's additional
/// data, `tag` the tag a GCM decryption checks.
pub fn one_shot(
    spec: Spec,
    key: &[u8],
    iv: &[u8],
    encrypt: bool,
    aad: &[u8],
    data: &[u8],
    tag: Option<&[u8]>,
) -> Result<Output, CryptoError> {
    let mut cipher = Cipher::new(spec, key, iv, encrypt)?;
    if spec.mode == Mode::Gcm {
        cipher.aad(aad)?;
    }
    let mut out = cipher.update(data)?;
    let (last, tag) = cipher.finish(tag)?;
    out.extend_from_slice(&last);
    Ok((out, tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmip_codec::hex::{decode, encode};

    fn h(s: &str) -> Vec<u8> {
        decode(s).unwrap()
    }

    fn spec(family: Family, mode: Mode, pad: bool, tag_len: usize) -> Spec {
        Spec {
            family,
            mode,
            pad,
            tag_len,
        }
    }

    /// NIST SP 800-38A F.1.1 (ECB-AES128), F.2.1 (CBC-AES128), F.5.1 (CTR-AES128): first block.
    #[test]
    fn sp800_38a_known_answers() {
        let key = h("2b7e151628aed2a6abf7158809cf4f3c");
        let pt = h("6bc1bee22e409f96e93d7e117393172a");
        let cases = [
            (Mode::Ecb, "", "3ad77bb40d7a3660a89ecaf32466ef97"),
            (
                Mode::Cbc,
                "000102030405060708090a0b0c0d0e0f",
                "7649abac8119b246cee98e9b12e9197d",
            ),
            (
                Mode::Ctr,
                "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                "874d6191b620e3261bef6864990db6ce",
            ),
        ];
        for (mode, iv, ct) in cases {
            let (out, _) = one_shot(spec(Family::Aes, mode, false, 0), &key, &h(iv), true, &[], &pt, None).unwrap();
            assert_eq!(encode(&out), ct, "{mode:?}");
            let (back, _) = one_shot(spec(Family::Aes, mode, false, 0), &key, &h(iv), false, &[], &out, None).unwrap();
            assert_eq!(back.as_slice(), pt.as_slice(), "{mode:?}");
        }
    }

    /// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 4
    /// (96-bit IV) and 5 (64-bit IV), AES-128 with additional data.
    #[test]
    fn gcm_known_answers_any_nonce_length() {
        let key = h("feffe9928665731c6d6a8f9467308308");
        let pt = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        let aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let cases = [
            ("cafebabefacedbaddecaf888", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"),
            ("cafebabefacedbad", "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"),
        ];
        for (iv, ct, tag) in cases {
            let (out, t) = one_shot(
                spec(Family::Aes, Mode::Gcm, false, 16),
                &key,
                &h(iv),
                true,
                &aad,
                &pt,
                None,
            )
            .unwrap();
            assert_eq!((encode(&out), encode(&t.unwrap())), (ct.to_owned(), tag.to_owned()));
            let truncated = &h(tag)[..12];
            let (back, _) = one_shot(
                spec(Family::Aes, Mode::Gcm, false, 12),
                &key,
                &h(iv),
                false,
                &aad,
                &out,
                Some(truncated),
            )
            .unwrap();
            assert_eq!(back.as_slice(), pt.as_slice());
            let mut bad = h(tag);
            bad[0] ^= 1;
            assert!(one_shot(
                spec(Family::Aes, Mode::Gcm, false, 16),
                &key,
                &h(iv),
                false,
                &aad,
                &out,
                Some(&bad)
            )
            .is_err());
        }
        assert!(one_shot(
            spec(Family::Aes, Mode::Gcm, false, 8),
            &key,
            &h("00"),
            true,
            &[],
            &pt,
            None
        )
        .is_err());
    }

    /// Parts give the same result as one call, GCM tag included.
    #[test]
    fn streaming_matches_one_shot() {
        let key = [9u8; 32];
        let data: Vec<u8> = (0..100u8).collect();
        for (mode, iv, pad) in [
            (Mode::Cbc, vec![1u8; 16], true),
            (Mode::Ctr, vec![2u8; 16], false),
            (Mode::Gcm, vec![3u8; 12], false),
        ] {
            let (whole, whole_tag) =
                one_shot(spec(Family::Aes, mode, pad, 16), &key, &iv, true, b"ad", &data, None).unwrap();
            let mut c = Cipher::new(spec(Family::Aes, mode, pad, 16), &key, &iv, true).unwrap();
            if mode == Mode::Gcm {
                c.aad(b"ad").unwrap();
            }
            let mut parts = c.update(&data[..33]).unwrap().to_vec();
            parts.extend_from_slice(&c.update(&data[33..]).unwrap());
            let (last, tag) = c.finish(None).unwrap();
            parts.extend_from_slice(&last);
            assert_eq!((parts, tag), (whole.to_vec(), whole_tag), "{mode:?}");
        }
    }

    /// Every mode, every data length up to four blocks, split at every
    /// point: parts give what one call gives, and decryption inverts it.
    #[test]
    fn every_mode_round_trips_at_every_length_and_split() {
        let key = [5u8; 24];
        let cases = [
            (Family::Aes, Mode::Ecb, true, 0),
            (Family::Aes, Mode::Cbc, true, 16),
            (Family::Aes, Mode::Ctr, false, 16),
            (Family::Aes, Mode::Gcm, false, 12),
            (Family::TripleDes, Mode::Ecb, true, 0),
            (Family::TripleDes, Mode::Cbc, true, 8),
        ];
        for (family, mode, pad, iv_len) in cases {
            let s = spec(family, mode, pad, 16);
            let iv = vec![9u8; iv_len];
            for len in 0..=64usize {
                let data: Vec<u8> = (0..len as u8).collect();
                let (whole, tag) = one_shot(s, &key, &iv, true, b"", &data, None).unwrap();
                let (back, _) = one_shot(s, &key, &iv, false, b"", &whole, tag.as_deref()).unwrap();
                assert_eq!(back.as_slice(), data.as_slice(), "{family:?} {mode:?} {len}");
                for split in 0..=len {
                    let mut c = Cipher::new(s, &key, &iv, true).unwrap();
                    let mut parts = c.update(&data[..split]).unwrap().to_vec();
                    parts.extend_from_slice(&c.update(&data[split..]).unwrap());
                    let (last, t) = c.finish(None).unwrap();
                    parts.extend_from_slice(&last);
                    assert_eq!(
                        (&parts, &t),
                        (&whole.to_vec(), &tag),
                        "{family:?} {mode:?} {len}/{split}"
                    );
                }
            }
        }
    }

    /// NIST SP 800-67 / SP 800-20 style check: Triple DES with three equal
    /// keys is single DES; FIPS 81 Appendix B, key 0123456789abcdef,
    /// "Now is t" → 3fa40e8a984d4815.
    #[test]
    fn triple_des_known_answer_and_padding() {
        let key = h("0123456789abcdef0123456789abcdef0123456789abcdef");
        let (out, _) = one_shot(
            spec(Family::TripleDes, Mode::Ecb, false, 0),
            &key,
            &[],
            true,
            &[],
            b"Now is t",
            None,
        )
        .unwrap();
        assert_eq!(encode(&out), "3fa40e8a984d4815");
        let (padded, _) = one_shot(
            spec(Family::TripleDes, Mode::Cbc, true, 0),
            &key,
            &[0; 8],
            true,
            &[],
            b"12345",
            None,
        )
        .unwrap();
        assert_eq!(padded.len(), 8);
        assert!(
            one_shot(
                spec(Family::Aes, Mode::Ecb, false, 0),
                &[0; 16],
                &[],
                true,
                &[],
                &[1; 15],
                None
            )
            .is_err(),
            "partial block without padding"
        );
    }
}
