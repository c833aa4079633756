//! Poll (KMIP 1.4 §4.28): asks after an operation the server answered with
//! Pending. This server processes every request synchronously and never
//! answers Pending, so no Asynchronous Correlation Value ever names a
//! pending operation: every Poll is Item Not Found.

use kmip_codec::messages::ops::poll::{PollRequest, PollResponse};

use crate::ops::{Context, Error};

/// Runs Poll.
pub fn run(_ctx: &Context<'_>, _req: &PollRequest) -> Result<PollResponse, Error> {
    Err(Error::ItemNotFound(
        "no asynchronous operation is pending: this server answers every request synchronously".into(),
    ))
}
