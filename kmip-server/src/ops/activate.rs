//! Activate (KMIP 1.4 §4.19): Pre-Active → Active, Activation Date now.
//! "Object is not in Pre-Active state: Permission Denied" (§11.20).

use kmip_codec::messages::ops::activate::{ActivateRequest, ActivateResponse};
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::touched;
use crate::object::lifecycle::{self, Event};

use crate::ops::{Context, Error};
use crate::store::unix_now;

/// Runs Activate.
pub fn run(ctx: &Context<'_>, req: &ActivateRequest) -> Result<ActivateResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    ctx.update(&uid, |o| {
        o.set_state(lifecycle::next(&o.uid, o.state(), Event::Activate)?);
        o.set(AttributeValue::ActivationDate(DateTime(unix_now())));
        touched(o);
        Ok(())
    })?;
    Ok(ActivateResponse { unique_identifier: uid })
}
