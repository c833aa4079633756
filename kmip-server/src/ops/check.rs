//! Check (KMIP 1.4 §4.10): may the object be used as the client intends?
//! A Cryptographic Usage Mask the object's does not cover is refused with
//! Permission Denied (§11.11); a Lease Time longer than the object's lease
//! is answered with the lease the server allows.

use kmip_codec::messages::ops::check::{CheckRequest, CheckResponse};
use kmip_codec::messages::AttributeValue;

use crate::object::key_use::usage_mask;
use crate::ops::{Context, Error};

/// Runs Check.
pub fn run(ctx: &Context<'_>, req: &CheckRequest) -> Result<CheckResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let stored = ctx.load(&uid, false)?;
    if let Some(wanted) = req.cryptographic_usage_mask {
        let allowed = usage_mask(&stored);
        if !allowed.contains(wanted) {
            return Err(Error::Unusable(format!(
                "object {uid} does not allow that usage (its Cryptographic Usage Mask is {allowed:?})"
            )));
        }
    }
    let lease = stored.attributes.iter().find_map(|a| match a.value {
        AttributeValue::LeaseTime(l) => Some(l),
        _ => None,
    });
    let lease_time = match (req.lease_time, lease) {
        (Some(asked), Some(allowed)) if asked > allowed => Some(allowed),
        _ => None,
    };
    Ok(CheckResponse {
        unique_identifier: uid,
        lease_time,
        ..Default::default()
    })
}
