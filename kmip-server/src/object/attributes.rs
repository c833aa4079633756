//! Attribute rules (KMIP 1.4 §3) applied to requests: who may set, modify
//! and delete each attribute and whether it may have several instances
//! (the rule columns of the codec's one attribute table,
//! [`AttributeRules`]), and the server-maintained attributes every new
//! object gets.

use kmip_codec::enums::{CryptographicAlgorithm, KeyFormatType, ObjectType, State};
use kmip_codec::messages::{
    Attribute, AttributeName, AttributeRules, AttributeValue, DateTime, Digest, KeyMaterial, KeyValue, Object,
};

use crate::object::ManagedObject;
use crate::ops::Error;
use crate::store::unix_now;

/// Whether `name` may have several instances.
pub fn multiple(name: &str) -> bool {
    AttributeRules::of(name).is_some_and(|r| r.multiple)
}

fn read_only(name: &str) -> Error {
    Error::PermissionDenied(format!("{name} is set by the server and cannot be changed by a client"))
}

/// Refuses an attribute a client may not give at creation.
pub fn check_settable(a: &Attribute) -> Result<(), Error> {
    match AttributeRules::of(&a.name) {
        Some(r) if r.create => Ok(()),
        Some(_) => Err(read_only(&a.name)),
        None => Err(Error::InvalidField(format!("unknown attribute {}", a.name))),
    }
}

/// Refuses an attribute a client may not add or modify.
pub fn check_modifiable(name: &str) -> Result<(), Error> {
    match AttributeRules::of(name) {
        Some(r) if r.modify => Ok(()),
        _ => Err(read_only(name)),
    }
}

/// Refuses an attribute a client may not delete.
pub fn check_deletable(name: &str) -> Result<(), Error> {
    match AttributeRules::of(name) {
        Some(r) if r.delete => Ok(()),
        _ => Err(Error::PermissionDenied(format!(
            "{name} is read-only or required and cannot be deleted"
        ))),
    }
}

/// A new Unique Identifier: a time-ordered UUID (version 7, RFC 9562),
/// milliseconds since 1970 then 74 random bits. Identifiers made one after
/// another sort together, so the store appends a new object's rows at
/// the end of its indexes instead of at a random page of each (which made
/// Create slow down as the database outgrew memory). Knowing when an object
/// was made reaches it no sooner: another scope's objects are not found
/// whatever their UID.
pub fn new_uid() -> Result<String, Error> {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| Error::random_failed())?;
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    for (byte, time) in b.iter_mut().zip(millis.to_be_bytes().into_iter().skip(2)) {
        *byte = time;
    }
    b[6] = (b[6] & 0x0F) | 0x70;
    b[8] = (b[8] & 0x3F) | 0x80;
    let h = kmip_codec::hex::encode(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// The key material bytes of an object, for its Digest.
fn digest_input(object: &Object) -> Option<(&[u8], KeyFormatType)> {
    let block = match object {
        Object::Certificate(c) => return Some((&c.certificate_value, KeyFormatType::Raw)),
        Object::OpaqueObject(o) => return Some((&o.opaque_data_value, KeyFormatType::Opaque)),
        other => other.key_block()?,
    };
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(b),
            ..
        }) => Some((b, block.key_format_type)),
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Symmetric(k),
            ..
        }) => Some((&k.key, KeyFormatType::Raw)),
        _ => None,
    }
}

/// Builds a new object: the client's attributes plus what the server
/// maintains (Unique Identifier, Object Type, State, dates, Digest,
/// Certificate Type and Length, Key Value Present when the value is
/// absent, and algorithm and length taken from the key block when not
/// given).
pub fn new_object(
    object_type: ObjectType,
    object: Object,
    client: Vec<Attribute>,
    block_algorithm: Option<(CryptographicAlgorithm, i32)>,
) -> Result<ManagedObject, Error> {
    let now = DateTime(unix_now());
    let uid = new_uid()?;
    let mut stored = ManagedObject::new(uid.clone(), object_type, State::PreActive);
    stored.set(AttributeValue::UniqueIdentifier(uid));
    stored.set(AttributeValue::ObjectType(object_type));
    if let Some((alg, len)) = block_algorithm {
        if !client.iter().any(|a| a.is(AttributeName::CryptographicAlgorithm)) {
            stored.set(AttributeValue::CryptographicAlgorithm(alg));
        }
        if !client.iter().any(|a| a.is(AttributeName::CryptographicLength)) {
            stored.set(AttributeValue::CryptographicLength(len));
        }
    }
    stored.attributes.extend(client);
    if let Some((bytes, format)) = digest_input(&object) {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
        stored.set(AttributeValue::Digest(Digest {
            hashing_algorithm: kmip_codec::enums::HashingAlgorithm::SHA_256,
            digest_value: Some(digest.as_ref().into()),
            key_format_type: Some(format),
        }));
    }
    // An Activation Date already reached makes the object Active at once.
    let active = stored
        .values(AttributeName::ActivationDate)
        .any(|a| matches!(a.value, AttributeValue::ActivationDate(d) if d <= now));
    stored.set_state(if active { State::Active } else { State::PreActive });
    stored.set(AttributeValue::InitialDate(now));
    stored.set(AttributeValue::LastChangeDate(now));
    // A registering client may have said when the object was made and
    // whether it was ever served (§3.43, §3.34); otherwise it is new here.
    if stored.values(AttributeName::OriginalCreationDate).next().is_none() {
        stored.set(AttributeValue::OriginalCreationDate(now));
    }
    let fresh = flag(&stored, AttributeName::Fresh, true);
    stored.set(AttributeValue::Fresh(fresh));
    // Server-set facts of the object itself (§3.8, §3.9, §3.41).
    match &object {
        Object::Certificate(c) => {
            stored.set(AttributeValue::CertificateType(c.certificate_type));
            stored.set(AttributeValue::CertificateLength(
                i32::try_from(c.certificate_value.len()).unwrap_or(i32::MAX),
            ));
        }
        other => {
            if other.key_block().is_some_and(|b| b.key_value.is_none()) {
                stored.set(AttributeValue::KeyValuePresent(false));
            }
        }
    }
    // KMIP 1.4 key attributes (§3.48–3.51) and the lease: the server marks
    // nothing Sensitive and lets keys be extracted unless the client says
    // otherwise.
    stored.set(AttributeValue::LeaseTime(kmip_codec::messages::Interval(LEASE_SECONDS)));
    let sensitive = flag(&stored, AttributeName::Sensitive, false);
    let extractable = flag(&stored, AttributeName::Extractable, true);
    stored.set(AttributeValue::Sensitive(sensitive));
    stored.set(AttributeValue::AlwaysSensitive(sensitive));
    stored.set(AttributeValue::Extractable(extractable));
    stored.set(AttributeValue::NeverExtractable(!extractable));
    stored.object = Some(object);
    Ok(stored)
}

/// The lease every object gets (Lease Time, §3.20): one hour.
pub const LEASE_SECONDS: u32 = 3600;

/// The value of a Boolean attribute (Sensitive, Extractable, Always
/// Sensitive, Never Extractable, Fresh), or `default` when it is unset.
pub fn flag(stored: &ManagedObject, name: AttributeName, default: bool) -> bool {
    stored
        .values(name)
        .find_map(|a| match a.value {
            AttributeValue::Sensitive(b)
            | AttributeValue::Extractable(b)
            | AttributeValue::AlwaysSensitive(b)
            | AttributeValue::NeverExtractable(b)
            | AttributeValue::Fresh(b) => Some(b),
            _ => None,
        })
        .unwrap_or(default)
}

/// Keeps Always Sensitive and Never Extractable true to their names
/// (§3.49, §3.51): once Sensitive has been False or Extractable True they
/// are False, and no later change (nor a client: they are server-set)
/// makes them True again.
pub fn keep_key_flags(stored: &mut ManagedObject) {
    if !flag(stored, AttributeName::Sensitive, false) && flag(stored, AttributeName::AlwaysSensitive, false) {
        stored.set(AttributeValue::AlwaysSensitive(false));
    }
    if flag(stored, AttributeName::Extractable, true) && flag(stored, AttributeName::NeverExtractable, false) {
        stored.set(AttributeValue::NeverExtractable(false));
    }
}

/// A new object made from `base`'s secret (Derive Key, Create Split Key):
/// it is at least as protected as its base. Sensitive or not Extractable
/// carries over, and Always Sensitive and Never Extractable hold only if
/// they held for the base too.
pub fn inherit_protection(base: &ManagedObject, new: &mut ManagedObject) {
    if flag(base, AttributeName::Sensitive, false) {
        new.set(AttributeValue::Sensitive(true));
    }
    if !flag(base, AttributeName::Extractable, true) {
        new.set(AttributeValue::Extractable(false));
    }
    let always = flag(base, AttributeName::AlwaysSensitive, false) && flag(new, AttributeName::Sensitive, false);
    let never = flag(base, AttributeName::NeverExtractable, false) && !flag(new, AttributeName::Extractable, true);
    new.set(AttributeValue::AlwaysSensitive(always));
    new.set(AttributeValue::NeverExtractable(never));
}

/// The generator that made a key (Random Number Generator, §3.44):
/// aws-lc's CTR_DRBG with AES-256.
pub fn server_rng() -> AttributeValue {
    AttributeValue::RandomNumberGenerator(kmip_codec::messages::RNGParameters {
        rng_algorithm: kmip_codec::enums::RNGAlgorithm::DRBG,
        cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
        cryptographic_length: Some(256),
        hashing_algorithm: None,
        drbg_algorithm: Some(kmip_codec::enums::DRBGAlgorithm::CTR),
        recommended_curve: None,
        fips186_variation: None,
        prediction_resistance: None,
    })
}

/// Records a change: Last Change Date is now.
pub fn touched(stored: &mut ManagedObject) {
    stored.set(AttributeValue::LastChangeDate(DateTime(unix_now())));
    keep_key_flags(stored);
}
