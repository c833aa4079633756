//! Validate (KMIP 1.4 §4.24): checks one certificate chain — the
//! Certificates given and the caller's Certificate objects named — at the
//! Validity Date (default now). Validation policy is the server's (§4.24);
//! this server's:
//!
//! - Valid: the chain ends in a trust anchor — this server's object CA (the
//!   issuer of Certify), or a self-signed certificate that the caller holds
//!   as a managed Certificate object (named by Unique Identifier) — and
//!   passes the path validation rustls uses (rustls-webpki: signatures,
//!   validity at the date, basicConstraints and path length, key usage of
//!   the issuers; any Extended Key Usage, Validate names no purpose). A
//!   held anchor that issues others must be a CA itself.
//! - Unknown: the chain is sound but ends in no trust anchor: dates,
//!   signatures, and every issuer a CA (basicConstraints).
//! - Invalid: anything else — a certificate that does not parse or is
//!   outside its validity period, a signature that does not verify, a
//!   certificate that is no CA signing another, or certificates that do not
//!   form one chain.
//!
//! Neither lists nor lists without certificates is Invalid Message (§11.25).

use kmip_codec::enums::{ObjectType, ValidityIndicator};
use kmip_codec::messages::ops::validate::{ValidateRequest, ValidateResponse};
use kmip_codec::messages::Object;
use rustls::pki_types::{CertificateDer, UnixTime};
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

/// Validate asks whether the chain is valid, not for which purpose.
struct AnyPurpose;

impl webpki::ExtendedKeyUsageValidator for AnyPurpose {
    fn validate(&self, _: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

/// Whether a certificate may issue others (basicConstraints cA).
fn is_ca(cert: &X509Certificate<'_>) -> bool {
    cert.basic_constraints().ok().flatten().is_some_and(|b| b.value.ca)
}

/// rustls-webpki's path validation of `chain` (leaf first) up to `anchor`.
fn path_validates(chain: &[&[u8]], anchor: &[u8], at: i64) -> bool {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return false;
    };
    let anchor_der = CertificateDer::from(anchor);
    let Ok(anchor) = webpki::anchor_from_trusted_cert(&anchor_der) else {
        return false;
    };
    let leaf_der = CertificateDer::from(*leaf);
    let Ok(leaf) = webpki::EndEntityCert::try_from(&leaf_der) else {
        return false;
    };
    let intermediates: Vec<CertificateDer<'_>> = intermediates.iter().map(|d| CertificateDer::from(*d)).collect();
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(u64::try_from(at).unwrap_or(0)));
    leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &intermediates,
        time,
        AnyPurpose,
        None,
        None,
    )
    .is_ok()
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
    let Some((top, managed)) = chain.last() else {
        return ValidityIndicator::Invalid;
    };
    let ders: Vec<&[u8]> = chain.iter().map(|(c, _)| c.as_raw()).collect();
    let object_ca_der = ctx.server.certify_ca.cert_der();
    let object_ca = X509Certificate::from_der(object_ca_der).ok().map(|(_, c)| c);
    let issued_by_object_ca = object_ca
        .as_ref()
        .is_some_and(|ca| top.issuer() == ca.subject() && top.verify_signature(Some(ca.public_key())).is_ok());
    let self_signed = top.issuer() == top.subject() && top.verify_signature(None).is_ok();
    if issued_by_object_ca {
        return if path_validates(&ders, object_ca_der, at) {
            ValidityIndicator::Valid
        } else {
            ValidityIndicator::Invalid
        };
    }
    if self_signed && *managed {
        // A held anchor alone is valid as itself; one that issues the
        // rest must be a CA (webpki does not check its anchors).
        let Some((anchor, below)) = ders.split_last() else {
            return ValidityIndicator::Invalid;
        };
        return if below.is_empty() || (is_ca(top) && path_validates(below, anchor, at)) {
            ValidityIndicator::Valid
        } else {
            ValidityIndicator::Invalid
        };
    }
    // No anchor: sound (every link signed by a CA) is Unknown.
    let sound = chain.windows(2).all(|pair| match pair {
        [(child, _), (parent, _)] => is_ca(parent) && child.verify_signature(Some(parent.public_key())).is_ok(),
        _ => false,
    });
    if !sound || (top.issuer() == top.subject() && !self_signed) {
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
        match (stored.object_type, &stored.object) {
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
