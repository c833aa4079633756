//! The `soft` key protector: the key-encryption key is 32 random bytes in
//! `<data_dir>/kek.key` (mode 0600). Zero setup, and as safe as the data
//! directory's permissions; use an HSM where that is not enough.

use std::path::Path;

use aws_lc_rs::key_wrap::{KeyEncryptionKey, KeyWrap, AES_256};
use zeroize::Zeroizing;

use super::{KeyError, KeyProtector};

/// The key-encryption key file inside the data directory.
pub const KEK_FILE: &str = "kek.key";

/// A key-encryption key from a file.
pub struct SoftProtector {
    kek: Zeroizing<Vec<u8>>,
}

impl SoftProtector {
    /// Reads `<data_dir>/kek.key`.
    pub fn open(data_dir: &Path) -> Result<SoftProtector, KeyError> {
        let path = data_dir.join(KEK_FILE);
        let kek = Zeroizing::new(std::fs::read(&path).map_err(|e| KeyError(format!("{}: {e}", path.display())))?);
        if kek.len() != 32 {
            return Err(KeyError(format!(
                "{} must hold 32 bytes, not {}",
                path.display(),
                kek.len()
            )));
        }
        Ok(SoftProtector { kek })
    }

    fn kek(&self) -> Result<KeyEncryptionKey<aws_lc_rs::key_wrap::AesBlockCipher>, KeyError> {
        KeyEncryptionKey::new(&AES_256, &self.kek).map_err(|_| KeyError("invalid key-encryption key".into()))
    }
}

impl KeyProtector for SoftProtector {
    fn name(&self) -> &'static str {
        "soft"
    }

    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut out = vec![0u8; key.len().saturating_add(8)];
        let n = self
            .kek()?
            .wrap(key, &mut out)
            .map_err(|_| KeyError("key wrap failed".into()))?
            .len();
        out.truncate(n);
        Ok(out)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let n = self
            .kek()?
            .unwrap(wrapped, &mut out)
            .map_err(|_| KeyError("the key-encryption key does not unwrap it (a different kek.key?)".into()))?
            .len();
        out.truncate(n);
        Ok(out)
    }
}
