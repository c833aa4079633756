//! Sign (KMIP 1.4 §4.31) with a managed private key: RSA (PKCS#1 v1.5 or
//! PSS) or ECDSA, with SHA-1 (verification only), SHA-224, SHA-256,
//! SHA-384 or SHA-512, over Data (hashed here, one-shot or in parts) or a
//! Digested Data the client computed. Signature Verify shares [`compute`].
//!
//! Parameters come from the request, else the key's Cryptographic
//! Parameters attribute. A Digital Signature Algorithm names hash and
//! padding together; otherwise the Hashing Algorithm (default SHA-256) and
//! Padding Method (RSA default PKCS#1 v1.5) do. PSS uses MGF1 with the Mask
//! Generator Hashing Algorithm, else the signature's own hash (the common
//! practice, and what the OASIS signatures use; the table default of SHA-1
//! is read as OAEP's), and the Salt Length given; without one, signing uses
//! the hash length and verifying accepts the salt length the signature
//! carries (the OASIS signatures use the maximum).

use crate::engine::sign::{compute, Signing};
use crate::engine::streams::Parts;
use crate::ops::{Context, Error};
use kmip_codec::messages::ops::sign::{SignRequest, SignResponse};
use kmip_codec::messages::Bytes;

/// Runs Sign.
pub fn run(ctx: &Context<'_>, req: &SignRequest) -> Result<SignResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let progress = compute(
        ctx,
        Signing {
            uid: &uid,
            parameters: req.cryptographic_parameters.as_ref(),
            data: req.data.as_deref(),
            digested: req.digested_data.as_deref(),
            parts: Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator),
        },
        false,
    )?;
    let (signature_data, correlation_value) = progress.finish(|s| {
        let signature = s.key.sign_digest(s.hash, s.padding, &s.digest).map_err(Error::crypto)?;
        Ok(Bytes::new(signature))
    })?;
    Ok(SignResponse {
        unique_identifier: uid,
        signature_data,
        correlation_value,
    })
}
