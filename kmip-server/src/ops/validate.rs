//! Validate (KMIP 1.4 §4.24): checks one certificate chain — the
//! Certificates given and the caller's Certificate objects named — at the
//! Validity Date (default now). Validation policy is the server's (§4.24);
//! this server's:
//!
//! - Invalid: a certificate does not parse, is outside its validity
//!   period at the date, or is not signed by the next certificate; or the
//!   certificates do not form one chain.
//! - Valid: the chain is sound and ends in a trust anchor: this server's
//!   object CA (the issuer of Certify), or a self-signed certificate that
//!   the caller holds as a managed Certificate object (named by Unique
//!   Identifier).
//! - Unknown: the chain is sound but ends in no trust anchor.
//!
//! Neither lists nor lists without certificates is Invalid Message (§11.25).

use kmip_codec::enums::{ObjectType, ValidityIndicator};
use kmip_codec::messages::ops::validate::{ValidateRequest, ValidateResponse};
use kmip_codec::messages::Object;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::ops::{Context, Error};
use crate::store::unix_now;

/// The most certificates one chain may have.
pub const MAX_CHAIN: usize = 16;

/// Orders certificates from the leaf up, each followed by its issuer;
/// `None` unless they form one unbranched chain.
fn ordered<'c>(certs: &'c [(X509Certificate<'c>, bool)]) -> Option<Vec<&'c (X509Certificate<'c>, bool)>> {
    let issued_by = |issuer: &X509Certificate<'_>, c: &X509Certificate<'_>| {
        c.issuer() == issuer.subject() && c.subject() != issuer.subject()
    };
    // The leaf issues no other certificate of the list.
    let mut leaves = certs
        .iter()
        .filter(|(c, _)| !certs.iter().any(|(other, _)| issued_by(c, other)));
    let leaf = leaves.next()?;
    if leaves.next().is_some() {
        return None;
    }
    let mut chain = vec![leaf];
    while chain.len() < certs.len() {
        let last = &chain.last()?.0;
        let next = certs.iter().find(|(c, _)| issued_by(c, last))?;
        chain.push(next);
    }
    Some(chain)
}

fn verdict(ctx: &Context<'_>, certs: &[(X509Certificate<'_>, bool)], at: i64) -> ValidityIndicator {
    let Some(chain) = ordered(certs) else {
        return ValidityIndicator::Invalid;
    };
    for (cert, _) in &chain {
        let validity = cert.validity();
        if at < validity.not_before.timestamp() || at > validity.not_after.timestamp() {
            return ValidityIndicator::Invalid;
        }
    }
    for pair in chain.windows(2) {
        if let [(child, _), (parent, _)] = pair {
            if child.verify_signature(Some(parent.public_key())).is_err() {
                return ValidityIndicator::Invalid;
            }
        }
    }
    let Some((top, managed)) = chain.last() else {
        return ValidityIndicator::Invalid;
    };
    let object_ca = X509Certificate::from_der(ctx.server.certify_ca.cert_der())
        .ok()
        .map(|(_, c)| c);
    let issued_by_object_ca = object_ca
        .as_ref()
        .is_some_and(|ca| top.issuer() == ca.subject() && top.verify_signature(Some(ca.public_key())).is_ok());
    let self_signed = top.issuer() == top.subject() && top.verify_signature(None).is_ok();
    if issued_by_object_ca || (self_signed && *managed) {
        ValidityIndicator::Valid
    } else if top.issuer() == top.subject() && !self_signed {
        ValidityIndicator::Invalid
    } else {
        ValidityIndicator::Unknown
    }
}

/// Runs Validate.
pub fn run(ctx: &Context<'_>, req: &ValidateRequest) -> Result<ValidateResponse, Error> {
    let total = req.certificates.len().saturating_add(req.unique_identifiers.len());
    if total == 0 || total > MAX_CHAIN {
        return Err(Error::InvalidMessage(format!(
            "Validate takes one chain of 1 to {MAX_CHAIN} certificates, not {total}"
        )));
    }
    let mut ders: Vec<(Vec<u8>, bool)> = req
        .certificates
        .iter()
        .map(|c| (c.certificate_value.to_vec(), false))
        .collect();
    for uid in &req.unique_identifiers {
        let stored = ctx.load(uid, true)?;
        match (stored.object_type, stored.object) {
            (ObjectType::Certificate, Some(Object::Certificate(c))) => ders.push((c.certificate_value.to_vec(), true)),
            _ => return Err(Error::InvalidMessage(format!("object {uid} is not a certificate"))),
        }
    }
    let mut certs = Vec::with_capacity(ders.len());
    for (der, managed) in &ders {
        match X509Certificate::from_der(der) {
            Ok(([], cert)) => certs.push((cert, *managed)),
            _ => {
                return Ok(ValidateResponse {
                    validity_indicator: ValidityIndicator::Invalid,
                })
            }
        }
    }
    let at = req.validity_date.map_or_else(unix_now, |d| d.0);
    Ok(ValidateResponse {
        validity_indicator: verdict(ctx, &certs, at),
    })
}
