//! Cancel (KMIP 1.4 §4.27): cancels an operation the server answered with
//! Pending. This server never answers Pending, so there is never anything to
//! cancel: the answer is Cancellation Result "Unavailable".

use kmip_codec::enums::CancellationResult;
use kmip_codec::messages::ops::cancel::{CancelRequest, CancelResponse};

use crate::ops::{Context, Error};

/// Runs Cancel.
pub fn run(_ctx: &Context<'_>, req: &CancelRequest) -> Result<CancelResponse, Error> {
    Ok(CancelResponse {
        asynchronous_correlation_value: req.asynchronous_correlation_value.clone(),
        cancellation_result: CancellationResult::Unavailable,
    })
}
