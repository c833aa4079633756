//! Get (KMIP 1.4 §4.11): returns the object. Works in any state that still
//! has key material (Pre-Active included: PostgreSQL pg_tde never
//! activates). Without a Key Format Type an object comes back as it was
//! created or registered; a symmetric key can also be asked for as Raw or
//! Transparent Symmetric Key, an RSA or EC private key as PKCS#1 (RSA),
//! ECPrivateKey (EC), PKCS#8 or its Transparent form, a public key as PKCS#1
//! (RSA), X.509 or its Transparent form — whichever form it was stored in.
//!
//! With a Key Wrapping Specification the Key Value comes back wrapped
//! ([`crate::engine::wrapping`]); Key Wrap Type Not Wrapped unwraps a key stored
//! wrapped.

use kmip_codec::messages::ops::get::{GetRequest, GetResponse};

use super::{Context, Error};

/// Runs Get.
pub fn run(ctx: &Context<'_>, req: &GetRequest) -> Result<GetResponse, Error> {
    crate::engine::retrieve::retrieve(ctx, req)
}
