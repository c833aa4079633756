//! The `pkcs11` key protector: the key-encryption key is an AES-256 key
//! object inside an HSM token, reached through a PKCS#11 module (SoftHSM2
//! in tests). It is generated inside the token at first use — sensitive and
//! not extractable, so its value never leaves the HSM — and the sealing key
//! is encrypted and decrypted by it there (CKM_AES_GCM, random 96-bit IV
//! stored with the result).
//!
//! The PIN comes from an environment variable or a file, never from the
//! command line (where other users of the machine could read it).

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use super::{KeyError, KeyProtector};

/// The CKA_LABEL of the key-encryption key inside the token.
pub const KEK_LABEL: &str = "kmip-server-kek";

const IV_LEN: usize = 12;
const TAG_BITS: u64 = 128;

/// Where the PIN is.
#[derive(Clone, Debug)]
pub enum PinSource {
    /// An environment variable holding the PIN.
    Env(String),
    /// A file whose first line is the PIN.
    File(PathBuf),
}

impl PinSource {
    fn read(&self) -> Result<Zeroizing<String>, KeyError> {
        match self {
            PinSource::Env(var) => std::env::var(var)
                .map(Zeroizing::new)
                .map_err(|_| KeyError(format!("the HSM PIN variable {var} is not set"))),
            PinSource::File(path) => std::fs::read_to_string(path)
                .map(|s| Zeroizing::new(s.lines().next().unwrap_or_default().to_owned()))
                .map_err(|e| KeyError(format!("HSM PIN file {}: {e}", path.display()))),
        }
    }
}

/// A logged-in session on the token and the key-encryption key's handle.
pub struct Pkcs11Protector {
    session: std::sync::Mutex<Session>,
    kek: ObjectHandle,
    // Keeps the module loaded for as long as the session lives.
    _context: Pkcs11,
}

fn hsm(context: &str) -> impl Fn(cryptoki::error::Error) -> KeyError + '_ {
    move |e| KeyError(format!("{context}: {e}"))
}

impl Pkcs11Protector {
    /// Loads `module`, logs into the token labelled `token` with the PIN,
    /// and finds the key-encryption key, generating it if `create` and it
    /// does not exist yet.
    pub fn open(module: &Path, token: &str, pin: &PinSource, create: bool) -> Result<Self, KeyError> {
        let context = Pkcs11::new(module).map_err(|e| KeyError(format!("PKCS#11 module {}: {e}", module.display())))?;
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(hsm("initialising the PKCS#11 module"))?;
        let slots = context.get_slots_with_token().map_err(hsm("listing HSM slots"))?;
        let slot = slots
            .into_iter()
            .find(|s| context.get_token_info(*s).is_ok_and(|t| t.label().trim_end() == token))
            .ok_or_else(|| KeyError(format!("no HSM token is labelled \"{token}\"")))?;
        let session = context.open_rw_session(slot).map_err(hsm("opening an HSM session"))?;
        let pin = pin.read()?;
        session
            .login(UserType::User, Some(&AuthPin::from(pin.as_str())))
            .map_err(|e| KeyError(format!("logging into HSM token \"{token}\" failed (wrong PIN?): {e}")))?;
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(KEK_LABEL.as_bytes().to_vec()),
        ];
        let found = session
            .find_objects(&template)
            .map_err(hsm("searching the HSM token"))?;
        let kek = match found.first() {
            Some(handle) => *handle,
            None if create => session
                .generate_key(
                    &Mechanism::AesKeyGen,
                    &[
                        Attribute::Class(ObjectClass::SECRET_KEY),
                        Attribute::KeyType(KeyType::AES),
                        Attribute::ValueLen(32.into()),
                        Attribute::Label(KEK_LABEL.as_bytes().to_vec()),
                        Attribute::Token(true),
                        Attribute::Private(true),
                        Attribute::Sensitive(true),
                        Attribute::Extractable(false),
                        Attribute::Encrypt(true),
                        Attribute::Decrypt(true),
                    ],
                )
                .map_err(hsm("generating the key-encryption key in the HSM"))?,
            None => {
                return Err(KeyError(format!(
                    "HSM token \"{token}\" holds no key \"{KEK_LABEL}\": was this data directory initialised with it?"
                )))
            }
        };
        Ok(Pkcs11Protector {
            session: std::sync::Mutex::new(session),
            kek,
            _context: context,
        })
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl KeyProtector for Pkcs11Protector {
    fn name(&self) -> &'static str {
        "pkcs11"
    }

    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut iv = [0u8; IV_LEN];
        aws_lc_rs::rand::fill(&mut iv).map_err(|_| KeyError("the random generator failed".into()))?;
        let mut iv_param = iv;
        let params = GcmParams::new(&mut iv_param, &[], TAG_BITS.into()).map_err(hsm("GCM parameters"))?;
        let sealed = self
            .session()
            .encrypt(&Mechanism::AesGcm(params), self.kek, key)
            .map_err(hsm("wrapping the sealing key in the HSM"))?;
        let mut out = iv.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if wrapped.len() <= IV_LEN {
            return Err(KeyError("the wrapped sealing key is truncated".into()));
        }
        let (iv, sealed) = wrapped.split_at(IV_LEN);
        let mut iv = iv.to_vec();
        let params = GcmParams::new(&mut iv, &[], TAG_BITS.into()).map_err(hsm("GCM parameters"))?;
        self.session()
            .decrypt(&Mechanism::AesGcm(params), self.kek, sealed)
            .map(Zeroizing::new)
            .map_err(hsm("the HSM key does not unwrap the sealing key"))
    }
}
