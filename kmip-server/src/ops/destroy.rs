//! Destroy (KMIP 1.4 §4.21): erases the key material and keeps the
//! metadata, with Destroy Date now. Only Pre-Active, Deactivated and
//! Compromised objects (§11.22): an Active key must be revoked first.

use kmip_codec::messages::ops::destroy::{DestroyRequest, DestroyResponse};
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::touched;
use crate::object::lifecycle::{self, Event};

use crate::ops::{Context, Error};
use crate::store::unix_now;

/// Runs Destroy.
pub fn run(ctx: &Context<'_>, req: &DestroyRequest) -> Result<DestroyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    ctx.update_erasing(&uid, |o| {
        o.set_state(lifecycle::next(&o.uid, o.state(), Event::Destroy)?);
        o.set(AttributeValue::DestroyDate(DateTime(unix_now())));
        touched(o);
        Ok(())
    })?;
    // Nor in the store's files, nor in memory in parsed form.
    ctx.store.purge_erased()?;
    ctx.server.memory.keys.forget(ctx.auth.scope(), &uid);
    Ok(DestroyResponse { unique_identifier: uid })
}
