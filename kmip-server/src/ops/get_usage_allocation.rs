//! Get Usage Allocation (KMIP 1.4 §4.18): reserves part of an object's
//! Usage Limits. An object without Usage Limits cannot give an allocation
//! (Illegal Operation, §11.19); one whose remaining count is too small
//! refuses (Permission Denied).

use kmip_codec::messages::ops::get_usage_allocation::{GetUsageAllocationRequest, GetUsageAllocationResponse};
use kmip_codec::messages::AttributeValue;

use crate::object::attributes::touched;
use crate::ops::{Context, Error};

/// Runs Get Usage Allocation.
pub fn run(ctx: &Context<'_>, req: &GetUsageAllocationRequest) -> Result<GetUsageAllocationResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let wanted = req.usage_limits_count;
    if wanted <= 0 {
        return Err(Error::InvalidField("the Usage Limits Count must be positive".into()));
    }
    ctx.update(&uid, move |o| {
        let limits = o
            .attributes
            .iter_mut()
            .find_map(|a| match &mut a.value {
                AttributeValue::UsageLimits(l) => Some(l),
                _ => None,
            })
            .ok_or_else(|| Error::IllegalOperation("the object has no Usage Limits".into()))?;
        let left = limits.count.unwrap_or(limits.total);
        if left < wanted {
            return Err(Error::PermissionDenied(format!(
                "only {left} units of usage remain, {wanted} were asked for"
            )));
        }
        limits.count = Some(left.saturating_sub(wanted));
        touched(o);
        Ok(())
    })?;
    Ok(GetUsageAllocationResponse { unique_identifier: uid })
}
