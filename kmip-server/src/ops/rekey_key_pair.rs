//! Re-key Key Pair (KMIP 1.4 §4.5): a new key pair of the same type and
//! size replaces an existing private key and the public key it links to.
//! Each new half copies its predecessor's attributes as Re-key does
//! ([`crate::engine::replace`], Offset included), then takes the Common and its own
//! Template-Attribute; the new halves link to each other and to the halves
//! they replace, whose Names move to them. Everything commits together.

use kmip_codec::enums::{CryptographicAlgorithm, LinkType, ObjectType};
use kmip_codec::messages::ops::rekey_key_pair::{ReKeyKeyPairRequest, ReKeyKeyPairResponse};
use kmip_codec::messages::AttributeValue;

use crate::engine::keygen::{key_spec, merged, new_pair};
use crate::engine::replace::{commit, required, successor_attributes};
use crate::engine::templates::from_template;
use crate::ops::{Context, Error};

/// Runs Re-key Key Pair.
pub fn run(ctx: &Context<'_>, req: &ReKeyKeyPairRequest) -> Result<ReKeyKeyPairResponse, Error> {
    let uid = ctx.uid(&req.private_key_unique_identifier)?;
    let old_private = ctx.load(&uid, false)?;
    if old_private.object_type != ObjectType::PrivateKey {
        return Err(Error::IllegalOperation(format!("object {uid} is not a private key")));
    }
    let public_uid = required(&old_private, "Link to its public key", |v| match v {
        AttributeValue::Link(l) if l.link_type == LinkType::PublicKeyLink => Some(l.linked_object_identifier.clone()),
        _ => None,
    })?;
    let old_public = ctx.load(&public_uid, false)?;
    let (algorithm, kind, bits) = key_spec(&old_private.attributes)?;
    let common = from_template(ctx, req.common_template_attribute.as_ref())?;
    let private_attrs = successor_attributes(
        &old_private,
        merged(
            &common,
            from_template(ctx, req.private_key_template_attribute.as_ref())?,
        ),
        req.offset,
    )?;
    let public_attrs = successor_attributes(
        &old_public,
        merged(&common, from_template(ctx, req.public_key_template_attribute.as_ref())?),
        req.offset,
    )?;
    for attrs in [&private_attrs, &public_attrs] {
        let changes_key = attrs.iter().any(|a| match a.value {
            AttributeValue::CryptographicAlgorithm(a) => a != algorithm && !same_family(a, algorithm),
            AttributeValue::CryptographicLength(n) => usize::try_from(n).ok() != Some(bits),
            _ => false,
        });
        if changes_key {
            return Err(Error::InvalidField(
                "Re-key Key Pair keeps the algorithm and length of the pair it replaces".into(),
            ));
        }
    }
    let (private, public) = new_pair(kind, algorithm, bits, private_attrs, public_attrs)?;
    let response = ReKeyKeyPairResponse {
        private_key_unique_identifier: private.uid.clone(),
        public_key_unique_identifier: public.uid.clone(),
        ..Default::default()
    };
    commit(ctx, vec![(uid, private), (public_uid, public)])?;
    Ok(response)
}

/// EC keys may be labelled EC, ECDSA or ECDH; all are the same key type.
fn same_family(a: CryptographicAlgorithm, b: CryptographicAlgorithm) -> bool {
    type A = CryptographicAlgorithm;
    let ec = |x| matches!(x, A::EC | A::ECDSA | A::ECDH);
    ec(a) && ec(b)
}
