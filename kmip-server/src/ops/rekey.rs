//! Re-key (KMIP 1.4 §4.4): a new symmetric key replaces an existing one.
//!
//! The replacement has the same algorithm and length and a copy of the
//! existing key's attributes, except as Table 173 says: new Unique
//! Identifier, Initial and Last Change Date now; no Destroy or Compromise
//! dates nor Revocation Reason; Digest and Random Number Generator of the
//! new key; the Names move to the replacement; and the two are linked
//! (Replaced Object / Replacement Object). With an Offset the replacement's
//! Activation Date is its Initial Date plus the Offset and the other dates
//! move by as much (Table 172); without one they are copied. The
//! replacement and the existing key's changes commit together.

use kmip_codec::enums::{LinkType, ObjectType};
use kmip_codec::messages::ops::rekey::{ReKeyRequest, ReKeyResponse};
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue, DateTime, Interval};

use super::attributes::{from_template, new_object, server_rng, touched};
use super::create::generate;
use super::{Context, Error};
use crate::store::objects::StoredObject;
use crate::store::unix_now;

/// Attributes the replacement never copies (the server sets them anew).
const NOT_COPIED: &[AttributeName] = &[
    AttributeName::UniqueIdentifier,
    AttributeName::ObjectType,
    AttributeName::InitialDate,
    AttributeName::DestroyDate,
    AttributeName::CompromiseOccurrenceDate,
    AttributeName::CompromiseDate,
    AttributeName::RevocationReason,
    AttributeName::State,
    AttributeName::Digest,
    AttributeName::Link,
    AttributeName::LastChangeDate,
    AttributeName::RandomNumberGenerator,
    AttributeName::OriginalCreationDate,
    AttributeName::Fresh,
    AttributeName::LeaseTime,
    AttributeName::ArchiveDate,
];

fn date(attributes: &[Attribute], name: AttributeName) -> Option<i64> {
    attributes.iter().find(|a| a.is(name)).and_then(|a| match a.value {
        AttributeValue::ActivationDate(d)
        | AttributeValue::ProcessStartDate(d)
        | AttributeValue::ProtectStopDate(d)
        | AttributeValue::DeactivationDate(d) => Some(d.0),
        _ => None,
    })
}

fn dated(name: AttributeName, t: i64) -> AttributeValue {
    let d = DateTime(t);
    match name {
        AttributeName::ActivationDate => AttributeValue::ActivationDate(d),
        AttributeName::ProcessStartDate => AttributeValue::ProcessStartDate(d),
        AttributeName::ProtectStopDate => AttributeValue::ProtectStopDate(d),
        _ => AttributeValue::DeactivationDate(d),
    }
}

const DATES: [AttributeName; 4] = [
    AttributeName::ActivationDate,
    AttributeName::ProcessStartDate,
    AttributeName::ProtectStopDate,
    AttributeName::DeactivationDate,
];

/// The attributes a replacement of `old` starts with: the copied ones
/// (Table 173), moved by `offset` (Table 172), then the template's.
pub(super) fn successor_attributes(
    old: &StoredObject,
    template: Vec<Attribute>,
    offset: Option<Interval>,
) -> Result<Vec<Attribute>, Error> {
    if offset.is_some() && template.iter().any(|a| DATES.iter().any(|n| a.is(*n))) {
        return Err(Error::InvalidMessage(
            "an Offset cannot be given together with Activation, Process Start, Protect Stop or Deactivation Date"
                .into(),
        ));
    }
    let mut copied: Vec<Attribute> = old
        .attributes
        .iter()
        .filter(|a| !NOT_COPIED.iter().any(|n| a.is(*n)))
        .filter(|a| !template.iter().any(|t| t.name == a.name))
        .cloned()
        .collect();
    if let Some(offset) = offset {
        let old_activation = date(&old.attributes, AttributeName::ActivationDate).ok_or_else(|| {
            Error::IllegalOperation("an Offset needs the existing key to have an Activation Date".into())
        })?;
        // The dates are the client's: checked, so that a far-off date is
        // refused rather than wrapped (release) or a panic (debug).
        let out_of_range = || Error::InvalidField("the Offset moves a date of the key out of range".into());
        let activation = unix_now().checked_add(i64::from(offset.0)).ok_or_else(out_of_range)?;
        let shift = activation.checked_sub(old_activation).ok_or_else(out_of_range)?;
        copied.retain(|a| !DATES.iter().any(|n| a.is(*n)));
        copied.push(Attribute::new(dated(AttributeName::ActivationDate, activation)));
        for name in DATES[1..].iter().copied() {
            if let Some(t) = date(&old.attributes, name) {
                copied.push(Attribute::new(dated(
                    name,
                    t.checked_add(shift).ok_or_else(out_of_range)?,
                )));
            }
        }
    }
    copied.extend(template);
    Ok(copied)
}

/// An attribute the existing key must have to be replaced.
pub(super) fn required<T>(
    old: &StoredObject,
    what: &str,
    f: impl Fn(&AttributeValue) -> Option<T>,
) -> Result<T, Error> {
    old.attributes
        .iter()
        .find_map(|a| f(&a.value))
        .ok_or_else(|| Error::IllegalOperation(format!("the existing key {} has no {what}", old.uid)))
}

/// Stores each replacement and updates the object it replaces (its Names
/// move to the replacement; the two are linked both ways), all in one
/// committed transaction.
pub(super) fn commit(ctx: &Context<'_>, replacements: Vec<(String, StoredObject)>) -> Result<(), Error> {
    let scope = ctx.scope();
    let mut sealed = Vec::with_capacity(replacements.len());
    for (old_uid, mut new) in replacements {
        new.add_link(LinkType::ReplacedObjectLink, &old_uid);
        let material = ctx.store.seal(&scope, &mut new)?;
        sealed.push((old_uid, new, material));
    }
    let operation = ctx.auth.operation();
    ctx.store.write(&scope, move |objects| {
        for (old_uid, new, material) in sealed {
            let mut existing = super::load_for_change(objects, &old_uid, operation)?;
            objects.create(&new, material)?;
            existing.remove(AttributeName::Name);
            existing.add_link(LinkType::ReplacementObjectLink, &new.uid);
            touched(&mut existing);
            objects.update(&existing)?;
        }
        Ok(())
    })
}

/// Runs Re-key.
pub fn run(ctx: &mut Context<'_>, req: &ReKeyRequest) -> Result<ReKeyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let template = from_template(ctx, req.template_attribute.as_ref())?;
    let old = ctx.load(&uid, false)?;
    if old.object_type != ObjectType::SymmetricKey {
        return Err(Error::IllegalOperation(format!("object {uid} is not a symmetric key")));
    }
    let algorithm = required(&old, AttributeName::CryptographicAlgorithm.as_str(), |v| match v {
        AttributeValue::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    })?;
    let bits = required(&old, AttributeName::CryptographicLength.as_str(), |v| match v {
        AttributeValue::CryptographicLength(x) => Some(*x),
        _ => None,
    })?;
    let attributes = successor_attributes(&old, template, req.offset)?;
    let mut new = new_object(ObjectType::SymmetricKey, generate(algorithm, bits)?, attributes, None)?;
    new.set(server_rng());
    let new_uid = new.uid.clone();
    commit(ctx, vec![(uid, new)])?;
    *ctx.id_placeholder = Some(new_uid.clone());
    Ok(ReKeyResponse {
        unique_identifier: new_uid,
        template_attribute: None,
    })
}
