//! Revoke (KMIP 1.4 §4.20). With Key Compromise or CA Compromise the object
//! becomes Compromised (Destroyed Compromised if already destroyed), with
//! Compromise Date now and the client's Compromise Occurrence Date. With
//! any other reason an Active object becomes Deactivated, Deactivation
//! Date now. The Revocation Reason is recorded either way.

use kmip_codec::enums::RevocationReasonCode;
use kmip_codec::messages::ops::revoke::{RevokeRequest, RevokeResponse};
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::touched;
use crate::object::lifecycle::{self, Event};

use crate::ops::{Context, Error};
use crate::store::unix_now;

/// Runs Revoke.
pub fn run(ctx: &Context<'_>, req: &RevokeRequest) -> Result<RevokeResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let reason = req.revocation_reason.clone();
    let occurred = req.compromise_occurrence_date;
    if reason.code.name().is_none() {
        return Err(Error::InvalidField("the Revocation Reason is not recognized".into()));
    }
    ctx.update(&uid, move |o| {
        let now = DateTime(unix_now());
        let compromise = matches!(
            reason.code,
            RevocationReasonCode::KeyCompromise | RevocationReasonCode::CACompromise
        );
        if compromise {
            o.set_state(lifecycle::next(&o.uid, o.state(), Event::Compromise)?);
            o.set(AttributeValue::CompromiseDate(now));
            o.set(AttributeValue::CompromiseOccurrenceDate(occurred.unwrap_or(now)));
        } else {
            o.set_state(lifecycle::next(&o.uid, o.state(), Event::Deactivate)?);
            o.set(AttributeValue::DeactivationDate(now));
        }
        o.set(AttributeValue::RevocationReason(reason));
        touched(o);
        Ok(())
    })?;
    Ok(RevokeResponse { unique_identifier: uid })
}
