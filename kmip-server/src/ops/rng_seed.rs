//! RNG Seed (KMIP 1.4 §4.36): the client offers seed data for the server's
//! random number generator. Seeding must never weaken the generator, so
//! the data is mixed in, never used in place of the generator's own
//! entropy: it is written to the operating system's random pool
//! (`/dev/urandom`), which hashes whatever is written into its input pool
//! without crediting it as entropy, and from which AWS-LC's generator
//! draws its seeds and reseeds. Data Length answers how many bytes were
//! mixed in: all of them, or 0 if the pool could not be written (the
//! request still succeeds; nothing was used). Whether a client may seed at
//! all is its role's `operation_rng_seed` permission (Permission Denied
//! otherwise). At most [`MAX_LENGTH`] bytes are taken per request.

use std::io::Write;

use kmip_codec::messages::ops::rng_seed::{RNGSeedRequest, RNGSeedResponse};

use crate::ops::{Context, Error};

/// The most seed bytes one request may offer.
pub const MAX_LENGTH: usize = 4096;

/// Where seed data goes.
const POOL: &str = "/dev/urandom";

/// Runs RNG Seed.
pub fn run(_ctx: &Context<'_>, req: &RNGSeedRequest) -> Result<RNGSeedResponse, Error> {
    let len = req.data.len();
    if len == 0 || len > MAX_LENGTH {
        return Err(Error::InvalidField(format!(
            "seed Data must have 1 to {MAX_LENGTH} bytes, not {len}"
        )));
    }
    let mixed = std::fs::OpenOptions::new()
        .write(true)
        .open(POOL)
        .and_then(|mut pool| pool.write_all(&req.data));
    let used = match mixed {
        Ok(()) => len,
        Err(e) => {
            tracing::warn!("RNG Seed: could not write to {POOL}: {e}; the seed was not used");
            0
        }
    };
    Ok(RNGSeedResponse {
        data_length: i32::try_from(used).unwrap_or(0),
    })
}
