//! Whether a managed key may be used for a cryptographic purpose, checked
//! the same way by every operation that uses one (KMIP 1.4 §3.22 and the
//! state descriptions of §3.22; errors per §11.30–11.35: Permission Denied).
//!
//! - Applying protection (encrypt, sign, MAC) needs the Active state;
//!   processing protected data (decrypt, verify) is also allowed when
//!   Deactivated or Compromised, as the specification permits, so that data
//!   protected under a retired key can still be read. The role's
//!   permissions decide who may do that.
//! - The Cryptographic Usage Mask must include the purpose.
//! - Protection stops at the Protect Stop Date; processing starts at the
//!   Process Start Date.
//! - A key with Usage Limits gives an allocation for each protecting use
//!   (the data length in bytes, or one per use for the Object unit), taken
//!   in a committed transaction before the cryptography runs (§4.29).

use kmip_codec::enums::{CryptographicAlgorithm, CryptographicUsageMask, ObjectType, State, UsageLimitsUnit};
use kmip_codec::messages::AttributeName;
use kmip_codec::messages::{AttributeValue, Bytes, CryptographicParameters, KeyMaterial, KeyValue, Object};

use crate::crypto::transparent;
use crate::object::attributes::touched;
use crate::object::ManagedObject;
use crate::ops::{Context, Error};
use crate::store::unix_now;

/// A purpose a key is used for.
#[derive(Clone, Copy, Debug)]
pub struct Purpose {
    /// The usage-mask bit the purpose needs.
    pub mask: CryptographicUsageMask,
    /// Whether it applies protection (rather than processing protected data).
    pub protects: bool,
    /// What it is called in messages.
    pub name: &'static str,
}

impl Purpose {
    /// Encryption.
    pub const ENCRYPT: Purpose = Purpose {
        mask: CryptographicUsageMask::Encrypt,
        protects: true,
        name: "encryption",
    };
    /// Decryption.
    pub const DECRYPT: Purpose = Purpose {
        mask: CryptographicUsageMask::Decrypt,
        protects: false,
        name: "decryption",
    };
    /// Wrapping another key (Get with a Key Wrapping Specification).
    pub const WRAP: Purpose = Purpose {
        mask: CryptographicUsageMask::WrapKey,
        protects: true,
        name: "wrapping keys",
    };
    /// Unwrapping a key stored wrapped.
    pub const UNWRAP: Purpose = Purpose {
        mask: CryptographicUsageMask::UnwrapKey,
        protects: false,
        name: "unwrapping keys",
    };
    /// Deriving another key.
    pub const DERIVE: Purpose = Purpose {
        mask: CryptographicUsageMask::DeriveKey,
        protects: true,
        name: "key derivation",
    };
    /// Signing.
    pub const SIGN: Purpose = Purpose {
        mask: CryptographicUsageMask::Sign,
        protects: true,
        name: "signing",
    };
    /// Verifying a signature.
    pub const VERIFY: Purpose = Purpose {
        mask: CryptographicUsageMask::Verify,
        protects: false,
        name: "signature verification",
    };
    /// Computing a MAC.
    pub const MAC_GENERATE: Purpose = Purpose {
        mask: CryptographicUsageMask::MACGenerate,
        protects: true,
        name: "MAC generation",
    };
    /// Checking a MAC.
    pub const MAC_VERIFY: Purpose = Purpose {
        mask: CryptographicUsageMask::MACVerify,
        protects: false,
        name: "MAC verification",
    };
}

/// A key cleared for one use: its material and what describes it.
pub struct UsableKey {
    /// Its Unique Identifier.
    pub uid: String,
    /// Its Object Type.
    pub object_type: ObjectType,
    /// Its Cryptographic Algorithm attribute.
    pub algorithm: Option<CryptographicAlgorithm>,
    /// Its first Cryptographic Parameters attribute (the lowest index).
    pub parameters: Option<CryptographicParameters>,
    /// The key material (symmetric: the raw key; asymmetric: its DER).
    pub material: Bytes,
}

/// An object's Cryptographic Usage Mask; none set allows nothing.
pub(crate) fn usage_mask(stored: &ManagedObject) -> CryptographicUsageMask {
    stored
        .attributes
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::CryptographicUsageMask(m) => Some(m),
            _ => None,
        })
        .unwrap_or(CryptographicUsageMask(0))
}

/// Checks everything but Usage Limits.
fn check(stored: &ManagedObject, purpose: Purpose, now: i64) -> Result<(), Error> {
    let uid = &stored.uid;
    let state_ok = match stored.state() {
        State::Active => true,
        State::Deactivated | State::Compromised => !purpose.protects,
        _ => false,
    };
    if !state_ok {
        return Err(Error::Unusable(format!(
            "key {uid} is {} and cannot be used for {}",
            stored.state().name().unwrap_or("in another state"),
            purpose.name
        )));
    }
    if !usage_mask(stored).contains(purpose.mask) {
        return Err(Error::Unusable(format!(
            "key {uid}'s Cryptographic Usage Mask does not allow {}",
            purpose.name
        )));
    }
    for a in &stored.attributes {
        match (&a.value, purpose.protects) {
            (AttributeValue::ProtectStopDate(d), true) if now > d.0 => {
                return Err(Error::Unusable(format!("key {uid}'s Protect Stop Date has passed")));
            }
            (AttributeValue::ProcessStartDate(d), false) if now < d.0 => {
                return Err(Error::Unusable(format!("key {uid}'s Process Start Date has not come")));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Takes an allocation from a key's Usage Limits, if it has them.
fn allocate(stored: &mut ManagedObject, amount: i64) -> Result<(), Error> {
    let uid = stored.uid.clone();
    let Some(limits) = stored.attributes.iter_mut().find_map(|a| match &mut a.value {
        AttributeValue::UsageLimits(l) => Some(l),
        _ => None,
    }) else {
        return Ok(());
    };
    let wanted = if limits.unit == UsageLimitsUnit::Byte {
        amount
    } else {
        1
    };
    let left = limits.count.unwrap_or(limits.total);
    if left < wanted {
        return Err(Error::Unusable(format!(
            "key {uid}'s Usage Limits allow {left} more, this use needs {wanted}"
        )));
    }
    limits.count = Some(left.saturating_sub(wanted));
    Ok(())
}

/// The plain key material of an object: raw bytes, or DER for RSA and EC
/// keys (PKCS#1 / PKCS#8 / X.509; Transparent keys are converted).
pub(crate) fn material(object: Option<&Object>, uid: &str) -> Result<Bytes, Error> {
    let absent = || Error::KeyValueNotPresent(format!("key {uid} holds no usable key material"));
    let bad = |e: crate::crypto::CryptoError| Error::CryptographicFailure(format!("key {uid}: {}", e.0));
    match object.and_then(Object::key_block).and_then(|b| b.key_value.as_ref()) {
        Some(KeyValue::Plain { key_material, .. }) => match key_material {
            KeyMaterial::Bytes(b) => Ok(b.clone()),
            KeyMaterial::Symmetric(t) => Ok(t.key.clone()),
            KeyMaterial::RSAPrivate(t) => Ok(Bytes::new(transparent::rsa_private_der(t).map_err(bad)?.to_vec())),
            KeyMaterial::RSAPublic(t) => Ok(Bytes::new(transparent::rsa_public_der(t).map_err(bad)?)),
            KeyMaterial::ECPrivate(t) => Ok(Bytes::new(transparent::ec_private_der(t).map_err(bad)?.to_vec())),
            KeyMaterial::ECPublic(t) => Ok(Bytes::new(transparent::ec_public_der(t).map_err(bad)?)),
            _ => Err(absent()),
        },
        Some(KeyValue::Wrapped(_)) => Err(Error::Unusable(format!(
            "key {uid} is stored wrapped: Register it unwrapped to use it here"
        ))),
        None => Err(absent()),
    }
}

/// Loads key `uid` of the caller's scope for `purpose` on `amount` bytes,
/// taking a Usage Limits allocation when the key has limits.
pub fn usable(ctx: &Context<'_>, uid: &str, purpose: Purpose, amount: usize) -> Result<UsableKey, Error> {
    let now = unix_now();
    let stored = ctx.load(uid, true)?;
    check(&stored, purpose, now)?;
    let amount = i64::try_from(amount).unwrap_or(i64::MAX);
    let limited = stored.values(AttributeName::UsageLimits).next().is_some();
    let stored = if purpose.protects && limited {
        // Re-check inside the transaction: the state or limits may have
        // changed since the read above. The material cannot have: no
        // operation changes an existing key's material but Destroy, which
        // the state check catches.
        let object = stored.object.clone();
        let mut updated = ctx.update(uid, move |o| {
            check(o, purpose, now)?;
            allocate(o, amount)?;
            touched(o);
            Ok(())
        })?;
        updated.object = object;
        std::sync::Arc::new(updated)
    } else {
        stored
    };
    Ok(UsableKey {
        material: material(stored.object.as_ref(), &stored.uid)?,
        algorithm: stored.attributes.iter().find_map(|a| match a.value {
            AttributeValue::CryptographicAlgorithm(a) => Some(a),
            _ => None,
        }),
        parameters: stored
            .values(AttributeName::CryptographicParameters)
            .min_by_key(|a| a.index.unwrap_or(0))
            .and_then(|a| match &a.value {
                AttributeValue::CryptographicParameters(p) => Some(p.clone()),
                _ => None,
            }),
        object_type: stored.object_type,
        uid: stored.uid.clone(),
    })
}
