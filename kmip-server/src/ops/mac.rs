//! MAC (KMIP 1.4 §4.33) with a managed key: HMAC with SHA-1/224/256/384/512
//! (the key's algorithm, or the one its Cryptographic Parameters name — the
//! OASIS cases MAC with an AES key whose parameters say HMAC-SHA256), or
//! CMAC with an AES key (Block Cipher Mode CMAC); one-shot or in parts.
//! MAC Verify shares [`compute`].

use crate::engine::mac::compute;
use crate::engine::streams::Parts;
use crate::ops::{Context, Error};
use kmip_codec::messages::ops::mac::{MACRequest, MACResponse};
use kmip_codec::messages::Bytes;

/// Runs MAC.
pub fn run(ctx: &Context<'_>, req: &MACRequest) -> Result<MACResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let progress = compute(
        ctx,
        &uid,
        req.cryptographic_parameters.as_ref(),
        req.data.as_deref().unwrap_or_default(),
        Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator),
        false,
    )?;
    let (mac_data, correlation_value) = progress.finish(|mac| Ok(Bytes::new(mac)))?;
    Ok(MACResponse {
        unique_identifier: uid,
        mac_data,
        correlation_value,
    })
}
