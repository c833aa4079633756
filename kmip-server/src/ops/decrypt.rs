//! Decrypt (KMIP 1.4 §4.30): the inverse of Encrypt, with the same
//! parameters and defaults ([`crate::engine::cipher`]). A GCM tag that does not
//! match, or bad padding, is a Cryptographic Failure and returns no data.

use kmip_codec::messages::ops::decrypt::{DecryptRequest, DecryptResponse};

use crate::engine::cipher::{self, CipherRequest};
use crate::engine::streams::Parts;
use crate::ops::{Context, Error};

/// Runs Decrypt.
pub fn run(ctx: &Context<'_>, req: &DecryptRequest) -> Result<DecryptResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let out = cipher::run(
        ctx,
        CipherRequest {
            encrypt: false,
            uid: uid.clone(),
            parameters: req.cryptographic_parameters.as_ref(),
            data: req.data.as_deref().unwrap_or_default(),
            iv: req.iv_counter_nonce.as_deref(),
            parts: Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator),
            aad: req
                .authenticated_encryption_additional_data
                .as_deref()
                .unwrap_or_default(),
            tag: req.authenticated_encryption_tag.as_deref(),
        },
    )?;
    Ok(DecryptResponse {
        unique_identifier: uid,
        data: out.data,
        correlation_value: out.correlation,
    })
}
