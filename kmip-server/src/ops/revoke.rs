//! Revoke (KMIP 1.4 §4.20). With Key Compromise or CA Compromise the object
//! becomes Compromised (Destroyed Compromised if already destroyed), with
//! Compromise Date now and the client's Compromise Occurrence Date. With
//! any other reason an Active object becomes Deactivated, Deactivation
//! Date now. The Revocation Reason is recorded either way.

use kmip_codec::enums::{RevocationReasonCode, State};
use kmip_codec::messages::ops::revoke::{RevokeRequest, RevokeResponse};
use kmip_codec::messages::{AttributeValue, DateTime};

use crate::object::attributes::{set_state, touched};

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
            let next = if matches!(o.state, State::Destroyed | State::DestroyedCompromised) {
                State::DestroyedCompromised
            } else {
                State::Compromised
            };
            set_state(o, next);
            o.set(AttributeValue::CompromiseDate(now));
            o.set(AttributeValue::CompromiseOccurrenceDate(occurred.unwrap_or(now)));
        } else if o.state == State::Active {
            set_state(o, State::Deactivated);
            o.set(AttributeValue::DeactivationDate(now));
        } else {
            return Err(Error::PermissionDenied(format!(
                "object {} is {}: only an Active object can be revoked for this reason",
                o.uid,
                o.state.name().unwrap_or("in another state")
            )));
        }
        o.set(AttributeValue::RevocationReason(reason));
        touched(o);
        Ok(())
    })?;
    Ok(RevokeResponse { unique_identifier: uid })
}
