//! Replacing a key (Re-key, Re-key Key Pair, Re-certify): which attributes
//! the successor copies (KMIP 1.4 Table 173), the dates an Offset moves
//! (Table 172), and the one transaction that stores the successor, moves
//! the Names and links the two both ways.

use crate::object::attributes::{multiple, touched};
use crate::object::ManagedObject;
use crate::ops::{Context, Error};
use crate::store::unix_now;
use kmip_codec::enums::LinkType;
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue, DateTime, Interval};

/// Attributes the replacement never copies (the server sets them anew).
pub(crate) const NOT_COPIED: &[AttributeName] = &[
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

pub(crate) fn date(attributes: &[Attribute], name: AttributeName) -> Option<i64> {
    attributes.iter().find(|a| a.is(name)).and_then(|a| match a.value {
        AttributeValue::ActivationDate(d)
        | AttributeValue::ProcessStartDate(d)
        | AttributeValue::ProtectStopDate(d)
        | AttributeValue::DeactivationDate(d) => Some(d.0),
        _ => None,
    })
}

pub(crate) fn dated(name: AttributeName, t: i64) -> AttributeValue {
    let d = DateTime(t);
    match name {
        AttributeName::ActivationDate => AttributeValue::ActivationDate(d),
        AttributeName::ProcessStartDate => AttributeValue::ProcessStartDate(d),
        AttributeName::ProtectStopDate => AttributeValue::ProtectStopDate(d),
        _ => AttributeValue::DeactivationDate(d),
    }
}

pub(crate) const DATES: [AttributeName; 4] = [
    AttributeName::ActivationDate,
    AttributeName::ProcessStartDate,
    AttributeName::ProtectStopDate,
    AttributeName::DeactivationDate,
];

/// The attributes a replacement of `old` starts with: the copied ones
/// (Table 173), moved by `offset` (Table 172), then the template's.
pub(crate) fn successor_attributes(
    old: &ManagedObject,
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
        // The template replaces a single-instance attribute and adds to a
        // multi-instance one: a Name given in Re-key joins the Names the
        // key moves over (Table 173), it does not drop them.
        .filter(|a| multiple(&a.name) || !template.iter().any(|t| t.name == a.name))
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
pub(crate) fn required<T>(
    old: &ManagedObject,
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
pub(crate) fn commit(ctx: &Context<'_>, replacements: Vec<(String, ManagedObject)>) -> Result<(), Error> {
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
            let mut existing = crate::ops::load_for_change(objects, &old_uid, operation)?;
            objects.create(&new, material)?;
            existing.remove(AttributeName::Name);
            existing.add_link(LinkType::ReplacementObjectLink, &new.uid);
            touched(&mut existing);
            objects.update(&existing)?;
        }
        Ok(())
    })
}
