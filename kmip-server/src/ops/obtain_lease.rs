//! Obtain Lease (KMIP 1.4 §4.17): the time the client may use the object
//! before asking again (the object's Lease Time) and its Last Change Date,
//! so the client knows whether its copy is current. Destroyed objects get
//! no lease.

use kmip_codec::messages::ops::obtain_lease::{ObtainLeaseRequest, ObtainLeaseResponse};
use kmip_codec::messages::{AttributeValue, DateTime, Interval};

use crate::object::attributes::LEASE_SECONDS;
use crate::ops::{Context, Error};

/// Runs Obtain Lease.
pub fn run(ctx: &Context<'_>, req: &ObtainLeaseRequest) -> Result<ObtainLeaseResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let stored = ctx.load(&uid, true)?;
    if stored.object.is_none() {
        return Err(Error::PermissionDenied(format!("object {uid} is destroyed: no lease")));
    }
    let find = |f: fn(&AttributeValue) -> Option<u64>| stored.attributes.iter().find_map(|a| f(&a.value));
    let lease_time = find(|v| match v {
        AttributeValue::LeaseTime(l) => Some(u64::from(l.0)),
        _ => None,
    })
    .map_or(Interval(LEASE_SECONDS), |l| {
        Interval(u32::try_from(l).unwrap_or(u32::MAX))
    });
    let last_change_date = DateTime(
        find(|v| match v {
            AttributeValue::LastChangeDate(d) => Some(d.0 as u64),
            _ => None,
        })
        .unwrap_or(0) as i64,
    );
    Ok(ObtainLeaseResponse {
        unique_identifier: uid,
        lease_time,
        last_change_date,
    })
}
