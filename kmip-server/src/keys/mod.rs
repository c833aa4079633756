//! Key protection: how object key material is sealed at rest.
//!
//! Every object's key material is sealed with AES-256-GCM under one
//! *sealing key*, with the object's Unique Identifier and scope as
//! associated data, so that sealed rows cannot be swapped between objects
//! or scopes. The sealing key itself is stored only wrapped (AES Key Wrap,
//! RFC 3394) by a key-encryption key held by a [`KeyProtector`]:
//!
//! - [`soft::SoftProtector`]: a random key in `kek.key` (0600) in the data
//!   directory — the zero-setup default;
//! - a PKCS#11 protector (an AES key inside an HSM token) follows.
//!
//! Plaintext keys live only in `zeroize`-on-drop buffers.

pub mod pkcs11;
pub mod soft;

use std::path::Path;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use zeroize::Zeroizing;

use crate::fsutil::write_private;

/// The wrapped sealing key inside the data directory.
pub const SEALING_KEY_FILE: &str = "sealing.key";

/// Why key protection failed.
#[derive(Debug)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// Holds the key-encryption key and wraps or unwraps the sealing key with it.
pub trait KeyProtector: Send + Sync {
    /// A short name for logs and errors (`soft`, `pkcs11`).
    fn name(&self) -> &'static str;
    /// Wraps a 32-byte sealing key.
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyError>;
    /// Unwraps the sealing key.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError>;
}

/// Seals and opens object key material.
pub struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<AES-256-GCM key>)")
    }
}

fn aad(uid: &str, scope: &str) -> Vec<u8> {
    // Length-prefixed so that ("ab", "c") and ("a", "bc") differ. Both are
    // far shorter than 4 GiB (a message is at most max_message_size).
    let prefix = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mut v = Vec::with_capacity(uid.len().saturating_add(scope.len()).saturating_add(8));
    v.extend_from_slice(&prefix(uid));
    v.extend_from_slice(uid.as_bytes());
    v.extend_from_slice(&prefix(scope));
    v.extend_from_slice(scope.as_bytes());
    v
}

impl Sealer {
    /// A sealer for a 32-byte key.
    pub fn new(key: &[u8]) -> Result<Sealer, KeyError> {
        let unbound =
            UnboundKey::new(&AES_256_GCM, key).map_err(|_| KeyError("the sealing key must be 32 bytes".into()))?;
        Ok(Sealer {
            key: LessSafeKey::new(unbound),
        })
    }

    /// Seals `plaintext` for object `uid` of `scope`: a random 96-bit
    /// nonce, then ciphertext and tag.
    pub fn seal(&self, uid: &str, scope: &str, plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| KeyError("the random generator failed".into()))?;
        let mut out = Vec::with_capacity(plaintext.len().saturating_add(NONCE_LEN + 16));
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let mut body = out.split_off(NONCE_LEN);
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(uid, scope)),
                &mut body,
            )
            .map_err(|_| KeyError("sealing failed".into()))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens what [`Sealer::seal`] sealed for the same object and scope.
    pub fn open(&self, uid: &str, scope: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(KeyError(format!("sealed material of {uid} is truncated")));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| KeyError("bad nonce".into()))?;
        let mut buf = Zeroizing::new(body.to_vec());
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(aad(uid, scope)), buf.as_mut_slice())
            .map_err(|_| {
                KeyError(format!(
                    "the sealed material of {uid} does not open: tampered, or another object's"
                ))
            })?
            .len();
        buf.truncate(plain_len);
        Ok(buf)
    }
}

/// Loads the sealing key from `data_dir`, creating and wrapping a new one
/// on first use.
pub fn load_sealer(data_dir: &Path, protector: &dyn KeyProtector) -> Result<Sealer, KeyError> {
    let path = data_dir.join(SEALING_KEY_FILE);
    match std::fs::read(&path) {
        Ok(wrapped) => {
            let key = protector.unwrap(&wrapped).map_err(|e| {
                KeyError(format!(
                    "cannot unwrap {} with the {} key protector: {e}",
                    path.display(),
                    protector.name()
                ))
            })?;
            Sealer::new(&key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = Zeroizing::new([0u8; 32]);
            aws_lc_rs::rand::fill(key.as_mut()).map_err(|_| KeyError("the random generator failed".into()))?;
            let wrapped = protector.wrap(key.as_ref())?;
            write_private(&path, &wrapped).map_err(|e| KeyError(format!("{}: {e}", path.display())))?;
            Sealer::new(key.as_ref())
        }
        Err(e) => Err(KeyError(format!("{}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_material_opens_only_for_its_object_and_scope() {
        let sealer = Sealer::new(&[7u8; 32]).expect("key");
        let sealed = sealer.seal("uid-1", "default", b"secret key bytes").expect("seal");
        assert!(
            !sealed.windows(6).any(|w| w == b"secret"),
            "ciphertext hides the plaintext"
        );
        assert_eq!(
            sealer.open("uid-1", "default", &sealed).expect("opens").as_slice(),
            b"secret key bytes"
        );
        assert!(
            sealer.open("uid-2", "default", &sealed).is_err(),
            "another object's row"
        );
        assert!(sealer.open("uid-1", "other", &sealed).is_err(), "another scope");
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(sealer.open("uid-1", "default", &tampered).is_err());
        assert_ne!(
            sealer.seal("uid-1", "default", b"x").expect("seal"),
            sealer.seal("uid-1", "default", b"x").expect("seal")
        );
    }
}
