//! Hash (KMIP 1.4 §4.37): the digest of the request's data with the
//! Hashing Algorithm its Cryptographic Parameters name (SHA-1, SHA-2,
//! SHA-3); one-shot or in parts. No key is involved.

use aws_lc_rs::digest;
use kmip_codec::enums::Operation;
use kmip_codec::messages::ops::hash::{HashRequest, HashResponse};
use kmip_codec::messages::Bytes;

use crate::crypto::digest::hash_algorithm;
use crate::engine::streams::{Next, Parts, Stream};
use crate::ops::{Context, Error};

/// Runs Hash.
pub fn run(ctx: &Context<'_>, req: &HashRequest) -> Result<HashResponse, Error> {
    let parts = Parts::of(&req.correlation_value, req.init_indicator, req.final_indicator);
    let scope = ctx.scope();
    // Streams are keyed by object; a Hash has none.
    let no_object = "";
    let mut hash = match parts.correlation {
        Some(c) => match ctx.server.memory.streams.take(c, &scope, no_object, Operation::Hash)? {
            Stream::Hash(h) => h,
            _ => {
                return Err(Error::ItemNotFound(
                    "the Correlation Value is not a Hash in progress".into(),
                ))
            }
        },
        None => {
            let named = req.cryptographic_parameters.hashing_algorithm;
            let algorithm = named.and_then(hash_algorithm).ok_or_else(|| {
                Error::InvalidField(format!(
                        "Hash needs a Hashing Algorithm this server offers (SHA-1, SHA-224/256/384/512, SHA-512/256, SHA3-256/384/512), not {}",
                        named.and_then(|h| h.name()).unwrap_or("none")
                    ),
                )
            })?;
            digest::Context::new(algorithm)
        }
    };
    hash.update(req.data.as_deref().unwrap_or_default());
    let mut response = HashResponse { ..Default::default() };
    match parts.next() {
        Next::Open => {
            let c = ctx
                .server
                .memory
                .streams
                .open(ctx.auth, no_object, Operation::Hash, Stream::Hash(hash))?;
            response.correlation_value = Some(Bytes::new(c));
        }
        Next::Keep(c) => ctx
            .server
            .memory
            .streams
            .resume(c, ctx.auth, no_object, Operation::Hash, Stream::Hash(hash)),
        Next::Finish => response.data = Some(Bytes::new(hash.finish().as_ref().to_vec())),
    }
    Ok(response)
}
