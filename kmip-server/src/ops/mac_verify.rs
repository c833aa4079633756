//! MAC Verify (KMIP 1.4 §4.34): recomputes the MAC ([`crate::engine::mac`]) and
//! compares it in constant time. A MAC that does not match is a successful
//! operation with Validity Indicator Invalid, not an error.

use kmip_codec::messages::ops::mac_verify::{MACVerifyRequest, MACVerifyResponse};

use crate::engine::mac::compute;
use crate::engine::streams::{validity, Next, Parts};
use crate::ops::{Context, Error};

/// Runs MAC Verify.
pub fn run(ctx: &Context<'_>, req: &MACVerifyRequest) -> Result<MACVerifyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let parts = Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator);
    if matches!(parts.next(), Next::Finish) && req.mac_data.is_none() {
        return Err(Error::InvalidField("MAC Verify needs the MAC Data to check".into()));
    }
    let progress = compute(
        ctx,
        &uid,
        req.cryptographic_parameters.as_ref(),
        req.data.as_deref().unwrap_or_default(),
        parts,
        true,
    )?;
    let (validity_indicator, correlation_value) = progress.finish(|mac| {
        let given = req.mac_data.as_deref().unwrap_or_default();
        Ok(validity(
            aws_lc_rs::constant_time::verify_slices_are_equal(&mac, given).is_ok(),
        ))
    })?;
    Ok(MACVerifyResponse {
        unique_identifier: uid,
        validity_indicator,
        correlation_value,
    })
}
