//! MACs with a managed key (MAC, MAC Verify): HMAC with the key's or the
//! parameters' hash, or AES-CMAC; one-shot or in parts.

use crate::crypto::digest::{Mac, MacAlgorithm};
use crate::engine::streams::{Next, Parts, Progress, Stream};
use crate::object::key_use::{usable, Purpose};
use crate::ops::{Context, Error};
use kmip_codec::enums::{BlockCipherMode, CryptographicAlgorithm, Operation};
use kmip_codec::messages::{Bytes, CryptographicParameters};

/// The MAC that parameters `p` (else the key's algorithm) ask for.
pub(crate) fn algorithm(
    p: Option<&CryptographicParameters>,
    key: Option<CryptographicAlgorithm>,
) -> Result<MacAlgorithm, Error> {
    let named = p.and_then(|p| p.cryptographic_algorithm).or(key);
    let mode = p.and_then(|p| p.block_cipher_mode);
    match (named, mode) {
        (Some(CryptographicAlgorithm::AES), Some(BlockCipherMode::CMAC)) => Ok(MacAlgorithm::CmacAes),
        (Some(a), _) => MacAlgorithm::hmac(a).ok_or_else(|| {
            Error::InvalidField(format!(
                "{} is not a MAC this server offers: use HMAC-SHA1/224/256/384/512, or AES with Block Cipher Mode CMAC",
                a.name().unwrap_or("this algorithm")
            ))
        }),
        (None, _) => Err(Error::InvalidField(
            "neither the request nor the key names a MAC algorithm".into(),
        )),
    }
}

/// Runs one MAC or MAC Verify request: checks the key, feeds the data.
pub(crate) fn compute(
    ctx: &Context<'_>,
    uid: &str,
    parameters: Option<&CryptographicParameters>,
    data: &[u8],
    parts: Parts<'_>,
    verify: bool,
) -> Result<Progress<Vec<u8>>, Error> {
    let (purpose, op) = if verify {
        (Purpose::MAC_VERIFY, Operation::MACVerify)
    } else {
        (Purpose::MAC_GENERATE, Operation::MAC)
    };
    let key = usable(ctx, uid, purpose, data.len())?;
    let scope = ctx.scope();
    let mut mac = match parts.correlation {
        Some(c) => match ctx.server.memory.streams.take(c, &scope, &key.uid, op)? {
            Stream::Mac(m) => m,
            _ => {
                return Err(Error::ItemNotFound(
                    "the Correlation Value is not a MAC in progress".into(),
                ))
            }
        },
        None => {
            let p = parameters.or(key.parameters.as_ref());
            Mac::new(algorithm(p, key.algorithm)?, &key.material).map_err(|e| Error::InvalidField(e.0))?
        }
    };
    mac.update(data).map_err(Error::crypto)?;
    Ok(match parts.next() {
        Next::Open => Progress::Opened(Bytes::new(ctx.server.memory.streams.open(
            ctx.auth,
            &key.uid,
            op,
            Stream::Mac(mac),
        )?)),
        Next::Keep(c) => {
            ctx.server
                .memory
                .streams
                .resume(c, ctx.auth, &key.uid, op, Stream::Mac(mac));
            Progress::More
        }
        Next::Finish => Progress::Done(mac.finish().map_err(Error::crypto)?),
    })
}
