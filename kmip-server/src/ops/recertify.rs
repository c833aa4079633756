//! Re-certify (KMIP 1.4 §4.8): a new certificate, from the same object CA
//! as Certify ([`crate::engine::certify`]), replaces an existing one: for the key
//! of a Certificate Request if one is given, else for the existing
//! certificate's own public key and subject. The replacement copies the
//! existing certificate's attributes as Re-key does (Offset included) and
//! keeps its Public Key Link; Names move to it and the two are linked
//! (Replaced / Replacement Object), all in one transaction.

use kmip_codec::enums::{CertificateRequestType, LinkType};
use kmip_codec::messages::ops::recertify::{ReCertifyRequest, ReCertifyResponse};
use kmip_codec::messages::{AttributeValue, Object};

use crate::engine::certify::{issue, Subject};
use crate::engine::replace::{commit, successor_attributes};
use crate::engine::templates::from_template;
use crate::ops::{Context, Error};

/// Runs Re-certify.
pub fn run(ctx: &Context<'_>, req: &ReCertifyRequest) -> Result<ReCertifyResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let old = ctx.load(&uid, true)?;
    let Some(Object::Certificate(cert)) = &old.object else {
        return Err(Error::IllegalOperation(format!(
            "object {uid} is not a certificate with a value"
        )));
    };
    let template = from_template(ctx, req.template_attribute.as_ref())?;
    let attributes = successor_attributes(&old, template, req.offset)?;
    let public_key = old.attributes.iter().find_map(|a| match &a.value {
        AttributeValue::Link(l) if l.link_type == LinkType::PublicKeyLink => Some(l.linked_object_identifier.clone()),
        _ => None,
    });
    let subject = match &req.certificate_request {
        Some(bytes) => Subject::Request(
            req.certificate_request_type.unwrap_or(CertificateRequestType::PKCS_10),
            bytes,
        ),
        None => Subject::Renewal(&cert.certificate_value),
    };
    let new = issue(ctx, subject, attributes, public_key.as_deref())?;
    let new_uid = new.uid.clone();
    commit(ctx, vec![(uid, new)])?;
    Ok(ReCertifyResponse {
        unique_identifier: new_uid,
        template_attribute: None,
    })
}
