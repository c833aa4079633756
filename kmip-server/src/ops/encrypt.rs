//! Encrypt (KMIP 1.4 §4.29) with a managed symmetric key: AES in ECB, CBC,
//! CTR or GCM, Triple DES in ECB or CBC, one-shot or in parts. The common
//! part with Decrypt, and the defaults, are in [`crate::engine::cipher`].

use kmip_codec::messages::ops::encrypt::{EncryptRequest, EncryptResponse};

use crate::engine::cipher::{self, CipherRequest};
use crate::engine::streams::Parts;
use crate::ops::{Context, Error};

/// Runs Encrypt.
pub fn run(ctx: &Context<'_>, req: &EncryptRequest) -> Result<EncryptResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let out = cipher::run(
        ctx,
        CipherRequest {
            encrypt: true,
            uid: uid.clone(),
            parameters: req.cryptographic_parameters.as_ref(),
            data: req.data.as_deref().unwrap_or_default(),
            iv: req.iv_counter_nonce.as_deref(),
            parts: Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator),
            aad: req
                .authenticated_encryption_additional_data
                .as_deref()
                .unwrap_or_default(),
            tag: None,
        },
    )?;
    Ok(EncryptResponse {
        unique_identifier: uid,
        data: out.data,
        iv_counter_nonce: out.iv,
        correlation_value: out.correlation,
        authenticated_encryption_tag: out.tag,
    })
}
