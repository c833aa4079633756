//! Locate (KMIP 1.4 §4.9): the Unique Identifiers of the caller's objects
//! that have every attribute value given, newest first, after Offset Items
//! and up to Maximum Items. Matching is exact and happens in SQL over the
//! stored TTLV of each attribute value (so Locate by Name is an exact
//! match, as clients expect). Destroyed objects are not on-line storage and
//! are not found (the OASIS SKFF cases Locate a destroyed key's UID and
//! expect nothing). The first result becomes the ID Placeholder.
//! The Storage Status Mask picks on-line objects (the default), archived
//! ones, or both. Two instances of a date attribute give a range.
//!
//! Object Group Member needs an Object Group. Group Member Fresh finds the
//! group's Fresh objects (never served by Get); when there are none the
//! answer is empty — this server does not generate members on the fly.
//! Group Member Default finds the group's default object, which by this
//! server's policy is its newest Active member (at most one result).

use kmip_codec::enums::{ObjectGroupMemberOption, State, StorageStatusMask};
use kmip_codec::messages::ops::locate::{LocateRequest, LocateResponse};
use kmip_codec::messages::AttributeName;
use kmip_codec::messages::AttributeValue;

use crate::ops::{Context, Error};
use crate::store::{value_bytes, LocateFilter};

/// Runs Locate.
pub fn run(ctx: &Context<'_>, req: &LocateRequest) -> Result<LocateResponse, Error> {
    // Two instances of a Date-Time attribute are a range, earliest first
    // (§4.9); any other attribute must match exactly.
    let mut exact = Vec::new();
    let mut ranges = Vec::new();
    let (mut object_type, mut state, mut uid) = (None, None, None);
    let mut impossible = false;
    for a in &req.attributes {
        let same: Vec<_> = req.attributes.iter().filter(|b| b.name == a.name).collect();
        match (&same[..], date_of(&a.value)) {
            ([first, second], Some(_)) => {
                if std::ptr::eq(*first, a) {
                    let (low, high) = (value_bytes(&first.value), value_bytes(&second.value));
                    if date_of(&second.value).is_none() || low > high {
                        return Err(Error::InvalidField(format!(
                            "a {} range needs two dates, the earlier first",
                            a.name
                        )));
                    }
                    ranges.push((a.name.clone(), low, high));
                }
            }
            (_, _) => match &a.value {
                // The first Object Type, State and Unique Identifier filter on
                // columns; a repeated one must match as well (never both).
                AttributeValue::ObjectType(t) if object_type.is_none() => object_type = Some(t.0),
                AttributeValue::State(st) if state.is_none() => state = Some(st.0),
                // State is a column only: a second, different one matches nothing.
                AttributeValue::State(st) => impossible |= state != Some(st.0),
                AttributeValue::UniqueIdentifier(u) if uid.is_none() => uid = Some(u.clone()),
                _ => exact.push((a.name.clone(), value_bytes(&a.value))),
            },
        }
    }
    let non_negative = |v: Option<i32>, what: &str| match v {
        Some(n) if n < 0 => Err(Error::InvalidField(format!("{what} must not be negative"))),
        other => Ok(other.map(|n| n as usize)),
    };
    let mut maximum_items = non_negative(req.maximum_items, "Maximum Items")?;
    if let Some(member) = req.object_group_member {
        if !req.attributes.iter().any(|a| a.is(AttributeName::ObjectGroup)) {
            return Err(Error::InvalidField(
                "Object Group Member needs an Object Group attribute to say which group".into(),
            ));
        }
        match member {
            ObjectGroupMemberOption::GroupMemberFresh => exact.push((
                AttributeName::Fresh.as_str().to_owned(),
                value_bytes(&AttributeValue::Fresh(true)),
            )),
            ObjectGroupMemberOption::GroupMemberDefault => {
                impossible |= state.is_some_and(|s| s != State::Active.0);
                state = Some(State::Active.0);
                maximum_items = Some(maximum_items.map_or(1, |m| m.min(1)));
            }
            other => {
                return Err(Error::InvalidField(format!(
                    "Object Group Member {:#x} is not a KMIP 1.4 value",
                    other.0
                )))
            }
        }
    }
    let filter = LocateFilter {
        attributes: exact,
        ranges,
        object_type,
        state,
        uid,
        maximum_items,
        offset_items: non_negative(req.offset_items, "Offset Items")?.unwrap_or(0),
        storage: req.storage_status_mask.unwrap_or(StorageStatusMask::OnLineStorage),
    };
    let unique_identifiers = if impossible {
        vec![]
    } else {
        ctx.store.locate(ctx.auth.scope(), &filter)?
    };
    Ok(LocateResponse {
        located_items: None,
        unique_identifiers,
    })
}

fn date_of(v: &kmip_codec::messages::AttributeValue) -> Option<i64> {
    use kmip_codec::messages::AttributeValue as V;
    match v {
        V::InitialDate(d)
        | V::ActivationDate(d)
        | V::ProcessStartDate(d)
        | V::ProtectStopDate(d)
        | V::DeactivationDate(d)
        | V::DestroyDate(d)
        | V::CompromiseOccurrenceDate(d)
        | V::CompromiseDate(d)
        | V::ArchiveDate(d)
        | V::LastChangeDate(d)
        | V::OriginalCreationDate(d) => Some(d.0),
        _ => None,
    }
}
