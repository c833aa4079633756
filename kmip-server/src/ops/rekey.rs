//! Re-key (KMIP 1.4 §4.4): a new symmetric key replaces an existing one.
//!
//! The replacement has the same algorithm and length and a copy of the
//! existing key's attributes, except as Table 173 says: new Unique
//! Identifier, Initial and Last Change Date now; no Destroy or Compromise
//! dates nor Revocation Reason; Digest and Random Number Generator of the
//! new key; the Names move to the replacement; and the two are linked
//! (Replaced Object / Replacement Object). With an Offset the replacement's
//! Activation Date is its Initial Date plus the Offset and the other dates
//! move by as much (Table 172); without one they are copied. The
//! replacement and the existing key's changes commit together.

use crate::engine::keygen::generate;
use crate::engine::replace::{commit, required, successor_attributes};
use crate::engine::templates::from_template;
use crate::object::attributes::{new_object, server_rng};
use crate::ops::{Context, Error};
use kmip_codec::enums::ObjectType;
use kmip_codec::messages::ops::rekey::{ReKeyRequest, ReKeyResponse};
use kmip_codec::messages::{AttributeName, AttributeValue};

/// Runs Re-key.
pub fn run(ctx: &Context<'_>, req: &ReKeyRequest) -> Result<ReKeyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let template = from_template(ctx, req.template_attribute.as_ref())?;
    let old = ctx.load(&uid, false)?;
    if old.object_type != ObjectType::SymmetricKey {
        return Err(Error::IllegalOperation(format!("object {uid} is not a symmetric key")));
    }
    let algorithm = required(&old, AttributeName::CryptographicAlgorithm.as_str(), |v| match v {
        AttributeValue::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    })?;
    let bits = required(&old, AttributeName::CryptographicLength.as_str(), |v| match v {
        AttributeValue::CryptographicLength(x) => Some(*x),
        _ => None,
    })?;
    let attributes = successor_attributes(&old, template, req.offset)?;
    let mut new = new_object(ObjectType::SymmetricKey, generate(algorithm, bits)?, attributes, None)?;
    new.set(server_rng());
    let new_uid = new.uid.clone();
    commit(ctx, vec![(uid, new)])?;
    Ok(ReKeyResponse {
        unique_identifier: new_uid,
        template_attribute: None,
    })
}
