//! Activate (KMIP 1.4 §4.19): Pre-Active → Active, Activation Date now.
//! "Object is not in Pre-Active state: Permission Denied" (§11.20).

use kmip_codec::enums::State;
use kmip_codec::messages::ops::activate::{ActivateRequest, ActivateResponse};
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::{set_state, touched};

use crate::ops::{Context, Error};
use crate::store::unix_now;

/// Runs Activate.
pub fn run(ctx: &Context<'_>, req: &ActivateRequest) -> Result<ActivateResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    ctx.update(&uid, |o| {
        if o.state != State::PreActive {
            return Err(Error::PermissionDenied(format!(
                "object {} is {}, not Pre-Active",
                o.uid,
                o.state.name().unwrap_or("in another state")
            )));
        }
        set_state(o, State::Active);
        o.set(AttributeValue::ActivationDate(DateTime(unix_now())));
        touched(o);
        Ok(())
    })?;
    Ok(ActivateResponse { unique_identifier: uid })
}
