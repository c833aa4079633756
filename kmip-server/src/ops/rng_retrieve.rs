//! RNG Retrieve (KMIP 1.4 §4.35): random bytes from the server's generator
//! (aws-lc-rs, seeded by the operating system). A request asks for 1 to
//! [`MAX_LENGTH`] bytes; more would only serve to make the server build
//! large responses, so it is refused with Invalid Field.

use kmip_codec::messages::ops::rng_retrieve::{RNGRetrieveRequest, RNGRetrieveResponse};
use kmip_codec::messages::Bytes;

use crate::ops::{Context, Error};

/// The most bytes one RNG Retrieve returns.
pub const MAX_LENGTH: i32 = 64 * 1024;

/// Runs RNG Retrieve.
pub fn run(_ctx: &Context<'_>, req: &RNGRetrieveRequest) -> Result<RNGRetrieveResponse, Error> {
    if !(1..=MAX_LENGTH).contains(&req.data_length) {
        return Err(Error::InvalidField(format!(
            "Data Length must be between 1 and {MAX_LENGTH} bytes, not {}",
            req.data_length
        )));
    }
    let mut data = vec![0u8; req.data_length as usize];
    aws_lc_rs::rand::fill(&mut data).map_err(|_| Error::random_failed())?;
    Ok(RNGRetrieveResponse { data: Bytes::new(data) })
}
