//! Locate (KMIP 1.4 §4.9): the Unique Identifiers of the caller's objects
//! that have every attribute value given, newest first, after Offset Items
//! and up to Maximum Items. Matching is exact and happens in SQL over the
//! stored TTLV of each attribute value (so Locate by Name is an exact
//! match, as clients expect). Destroyed objects are not on-line storage and
//! are not found (the OASIS SKFF cases Locate a destroyed key's UID and
//! expect nothing). The first result becomes the ID Placeholder.
//! The Storage Status Mask picks on-line objects (the default), archived
//! ones, or both. Date ranges and Object Group Member are not supported yet
//! and are refused rather than ignored.

use kmip_codec::enums::{ResultReason, StorageStatusMask};
use kmip_codec::messages::ops::locate::{LocateRequest, LocateResponse};

use super::{storage, Context, OpError};
use crate::store::objects::{value_bytes, LocateFilter, ScopedObjects};

/// Runs Locate.
pub fn run(ctx: &mut Context<'_>, req: &LocateRequest) -> Result<LocateResponse, OpError> {
    if req.object_group_member.is_some() {
        return Err(OpError::new(
            ResultReason::FeatureNotSupported,
            "Object Group Member is not supported in Locate yet",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for a in &req.attributes {
        if seen.contains(&a.name.as_str()) && a.name.ends_with("Date") {
            return Err(OpError::new(
                ResultReason::FeatureNotSupported,
                "Locate by date ranges is not supported yet",
            ));
        }
        seen.push(&a.name);
    }
    let non_negative = |v: Option<i32>, what: &str| match v {
        Some(n) if n < 0 => Err(OpError::new(
            ResultReason::InvalidField,
            format!("{what} must not be negative"),
        )),
        other => Ok(other.map(|n| n as usize)),
    };
    let filter = LocateFilter {
        attributes: req
            .attributes
            .iter()
            .map(|a| (a.name.clone(), value_bytes(&a.value)))
            .collect(),
        maximum_items: non_negative(req.maximum_items, "Maximum Items")?,
        offset_items: non_negative(req.offset_items, "Offset Items")?.unwrap_or(0),
        storage: req.storage_status_mask.unwrap_or(StorageStatusMask::OnLineStorage),
    };
    let scope = ctx.scope();
    let unique_identifiers = ctx
        .store
        .read(|c| ScopedObjects::new(c, &scope).locate(&filter))
        .map_err(storage)?;
    if let Some(first) = unique_identifiers.first() {
        *ctx.id_placeholder = Some(first.clone());
    }
    Ok(LocateResponse {
        located_items: None,
        unique_identifiers,
    })
}
