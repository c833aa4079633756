//! Destroy (KMIP 1.4 §4.21): erases the key material and keeps the
//! metadata, with Destroy Date now. Only Pre-Active, Deactivated and
//! Compromised objects (§11.22): an Active key must be revoked first.

use kmip_codec::enums::State;
use kmip_codec::messages::ops::destroy::{DestroyRequest, DestroyResponse};
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::{set_state, touched};

use crate::ops::{Context, Error};
use crate::store::unix_now;

/// Runs Destroy.
pub fn run(ctx: &Context<'_>, req: &DestroyRequest) -> Result<DestroyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    ctx.update_erasing(&uid, |o| {
        let next = match o.state {
            State::PreActive | State::Deactivated => State::Destroyed,
            State::Compromised => State::DestroyedCompromised,
            State::Destroyed | State::DestroyedCompromised => {
                return Err(Error::PermissionDenied(format!(
                    "object {} is already destroyed",
                    o.uid
                )))
            }
            _ => {
                return Err(Error::PermissionDenied(format!(
                    "object {} is Active: revoke it before destroying it",
                    o.uid
                )))
            }
        };
        set_state(o, next);
        o.set(AttributeValue::DestroyDate(DateTime(unix_now())));
        touched(o);
        Ok(())
    })?;
    // No parsed form of the erased key stays in memory either.
    ctx.server.memory.keys.forget(ctx.auth.scope(), &uid);
    Ok(DestroyResponse { unique_identifier: uid })
}
