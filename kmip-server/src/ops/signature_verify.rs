//! Signature Verify (KMIP 1.4 §4.32): checks a signature with a public (or
//! private) key under the same parameters as Sign ([`crate::engine::sign`]). A
//! signature that does not verify is a successful operation with Validity
//! Indicator Invalid.

use kmip_codec::messages::ops::signature_verify::{SignatureVerifyRequest, SignatureVerifyResponse};

use crate::engine::sign::{compute, Signing};
use crate::engine::streams::{validity, Parts};
use crate::ops::{Context, Error};

/// Runs Signature Verify.
pub fn run(ctx: &Context<'_>, req: &SignatureVerifyRequest) -> Result<SignatureVerifyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let parts = Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator);
    let progress = compute(
        ctx,
        Signing {
            uid: &uid,
            parameters: req.cryptographic_parameters.as_ref(),
            data: req.data.as_deref(),
            digested: req.digested_data.as_deref(),
            parts,
        },
        true,
    )?;
    let (validity_indicator, correlation_value) = progress.finish(|s| {
        let signature = req
            .signature_data
            .as_deref()
            .ok_or_else(|| Error::InvalidField("Signature Verify needs the Signature Data to check".into()))?;
        Ok(validity(
            s.key
                .verify_digest(s.hash, s.padding, &s.digest, signature)
                .map_err(Error::crypto)?,
        ))
    })?;
    Ok(SignatureVerifyResponse {
        unique_identifier: uid,
        validity_indicator,
        data: None,
        correlation_value,
    })
}
