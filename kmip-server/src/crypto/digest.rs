//! Hashes and MACs from aws-lc-rs, named by their KMIP enumerations, with
//! the running state that operations in parts keep between requests.

use aws_lc_rs::{cmac, digest, hmac};
use kmip_codec::enums::{CryptographicAlgorithm, HashingAlgorithm};

use super::CryptoError;

/// The digest a KMIP Hashing Algorithm names, if offered (SHA-1 and the
/// SHA-2 and SHA-3 families; MD5 and older are not).
pub fn hash_algorithm(h: HashingAlgorithm) -> Option<&'static digest::Algorithm> {
    Some(match h {
        HashingAlgorithm::SHA_1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        HashingAlgorithm::SHA_224 => &digest::SHA224,
        HashingAlgorithm::SHA_256 => &digest::SHA256,
        HashingAlgorithm::SHA_384 => &digest::SHA384,
        HashingAlgorithm::SHA_512 => &digest::SHA512,
        HashingAlgorithm::SHA_512256 => &digest::SHA512_256,
        HashingAlgorithm::SHA_3_256 => &digest::SHA3_256,
        HashingAlgorithm::SHA_3_384 => &digest::SHA3_384,
        HashingAlgorithm::SHA_3_512 => &digest::SHA3_512,
        _ => return None,
    })
}

/// The MAC algorithms offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacAlgorithm {
    /// HMAC with a hash.
    Hmac(hmac::Algorithm),
    /// CMAC with AES (the key length picks AES-128/192/256).
    CmacAes,
}

impl MacAlgorithm {
    /// The HMAC a KMIP Cryptographic Algorithm names, if offered.
    pub fn hmac(a: CryptographicAlgorithm) -> Option<MacAlgorithm> {
        Some(MacAlgorithm::Hmac(match a {
            CryptographicAlgorithm::HMAC_SHA1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            CryptographicAlgorithm::HMAC_SHA224 => hmac::HMAC_SHA224,
            CryptographicAlgorithm::HMAC_SHA256 => hmac::HMAC_SHA256,
            CryptographicAlgorithm::HMAC_SHA384 => hmac::HMAC_SHA384,
            CryptographicAlgorithm::HMAC_SHA512 => hmac::HMAC_SHA512,
            _ => return None,
        }))
    }
}

/// A MAC in progress.
pub enum Mac {
    /// HMAC state.
    Hmac(Box<hmac::Context>),
    /// CMAC state.
    Cmac(cmac::Context),
}

impl Mac {
    /// Starts a MAC with `key`.
    pub fn new(algorithm: MacAlgorithm, key: &[u8]) -> Result<Mac, CryptoError> {
        Ok(match algorithm {
            MacAlgorithm::Hmac(a) => Mac::Hmac(Box::new(hmac::Context::with_key(&hmac::Key::new(a, key)))),
            MacAlgorithm::CmacAes => {
                let a = match key.len() {
                    16 => cmac::AES_128,
                    24 => cmac::AES_192,
                    32 => cmac::AES_256,
                    n => return Err(CryptoError(format!("CMAC-AES needs a 16, 24 or 32-byte key, not {n}"))),
                };
                let key = cmac::Key::new(a, key).map_err(|_| CryptoError("the CMAC key was refused".into()))?;
                Mac::Cmac(cmac::Context::with_key(&key))
            }
        })
    }

    /// Adds data.
    pub fn update(&mut self, data: &[u8]) -> Result<(), CryptoError> {
        match self {
            Mac::Hmac(c) => c.update(data),
            Mac::Cmac(c) => c.update(data).map_err(|_| CryptoError("CMAC failed".into()))?,
        }
        Ok(())
    }

    /// The MAC of everything added.
    pub fn finish(self) -> Result<Vec<u8>, CryptoError> {
        Ok(match self {
            Mac::Hmac(c) => c.sign().as_ref().to_vec(),
            Mac::Cmac(c) => c
                .sign()
                .map_err(|_| CryptoError("CMAC failed".into()))?
                .as_ref()
                .to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmip_codec::hex::{decode, encode};

    /// RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe"), RFC 4493 example 2
    /// (AES-CMAC-128, 16-byte message), FIPS 180-2 "abc" (SHA-256).
    #[test]
    fn known_answers() {
        let mut m = Mac::new(
            MacAlgorithm::hmac(CryptographicAlgorithm::HMAC_SHA256).unwrap(),
            b"Jefe",
        )
        .unwrap();
        m.update(b"what do ya want ").unwrap();
        m.update(b"for nothing?").unwrap();
        assert_eq!(
            encode(&m.finish().unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let key = decode("2b7e151628aed2a6abf7158809cf4f3c").unwrap();
        let mut m = Mac::new(MacAlgorithm::CmacAes, &key).unwrap();
        m.update(&decode("6bc1bee22e409f96e93d7e117393172a").unwrap()).unwrap();
        assert_eq!(encode(&m.finish().unwrap()), "070a16b46b4d4144f79bdd9dd04a287c");
        let sha256 = hash_algorithm(HashingAlgorithm::SHA_256).unwrap();
        assert_eq!(
            encode(digest::digest(sha256, b"abc").as_ref()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hash_algorithm(HashingAlgorithm::MD5).is_none());
    }
}
