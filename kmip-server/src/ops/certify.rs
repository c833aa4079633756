//! Certify (KMIP 1.4 §4.7): issues an X.509 certificate for a managed
//! public key (named by Unique Identifier) or for the key of a PKCS#10
//! request (DER, or PEM), and stores it as a Certificate object.
//!
//! The issuer is the server's object CA (`ca/certify/` in the data
//! directory), never the CA that authenticates clients: a certificate a
//! client obtains here cannot open a TLS session to the server. Subject:
//! the public key's first Name, else its Unique Identifier; validity one
//! year; digital signature and key encipherment usages. The certificate
//! and the public key link to each other. Re-certify shares [`issue`].

use crate::engine::certify::{issue, store_linked, Subject};
use crate::engine::templates::from_template;
use crate::ops::{Context, Error};
use kmip_codec::enums::{CertificateRequestType, ObjectType};
use kmip_codec::messages::ops::certify::{CertifyRequest, CertifyResponse};

/// Runs Certify.
pub fn run(ctx: &Context<'_>, req: &CertifyRequest) -> Result<CertifyResponse, Error> {
    let attributes = from_template(ctx, req.template_attribute.as_ref())?;
    let uid = match (&req.unique_identifier, &req.certificate_request) {
        (Some(u), _) => Some(u.clone()),
        (None, Some(_)) => None,
        (None, None) => Some(ctx.uid(&None)?),
    };
    let public = uid.as_deref().map(|u| ctx.load(u, true)).transpose()?;
    if let Some(p) = &public {
        if p.object_type != ObjectType::PublicKey {
            return Err(Error::InvalidField(format!("object {} is not a public key", p.uid)));
        }
    }
    let subject = match (&req.certificate_request, &public) {
        (Some(bytes), _) => Subject::Request(
            req.certificate_request_type.unwrap_or(CertificateRequestType::PKCS_10),
            bytes,
        ),
        (None, Some(p)) => Subject::Managed(p),
        (None, None) => {
            return Err(Error::InvalidField(
                "Certify needs a public key's Unique Identifier or a Certificate Request".into(),
            ))
        }
    };
    let certificate = issue(ctx, subject, attributes, uid.as_deref())?;
    let new_uid = certificate.uid.clone();
    store_linked(ctx, certificate, uid)?;
    Ok(CertifyResponse {
        unique_identifier: new_uid,
        template_attribute: None,
    })
}
