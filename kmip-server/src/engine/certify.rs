//! Issuing certificates with the object CA (Certify, Re-certify): the
//! subject's public key, from a managed key or a request, signed for
//! [`VALIDITY`], and stored linked to its public key.
//!
//! One object CA serves every scope, so the subject is the server's
//! choice, never the client's: Organization = the caller's scope, Common
//! Name = the public key's Name (or "KMIP object <uid>"; a renewal keeps
//! the old Common Name). A CSR's subject and extensions are ignored.

use crate::crypto::pkey::PKey;
use crate::object::attributes::{new_object, touched};
use crate::object::ManagedObject;
use crate::ops::{Context, Error};
use kmip_codec::enums::{CertificateRequestType, CertificateType, LinkType, ObjectType};
use kmip_codec::messages::{Attribute, AttributeValue, Bytes, Certificate, Object};

/// How long a certificate issued here is valid.
pub const VALIDITY: std::time::Duration = std::time::Duration::from_secs(365 * 86_400);

/// The public key a certificate is requested for.
pub(crate) enum Subject<'r> {
    /// A managed public key.
    Managed(&'r ManagedObject),
    /// The key of a certificate request.
    Request(CertificateRequestType, &'r [u8]),
    /// The key and subject of an earlier certificate (DER).
    Renewal(&'r [u8]),
}

/// Issues a certificate and builds its Certificate object (not yet stored).
pub(crate) fn issue(
    ctx: &Context<'_>,
    subject: Subject<'_>,
    attributes: Vec<Attribute>,
    public_key_uid: Option<&str>,
) -> Result<ManagedObject, Error> {
    // The subject's Organization is always the caller's scope, whatever the
    // request or key names: a relying party that trusts the object CA tells
    // one tenant's certificates from another's by it.
    let scope = ctx.scope();
    let failed = |e: crate::auth::ca::CaError| Error::InvalidField(format!("the certificate could not be issued: {e}"));
    let (issued, name) = match subject {
        Subject::Managed(public) => {
            let der = match &public.object {
                Some(Object::PublicKey(_)) => crate::object::key_use::material(public.object.as_ref(), &public.uid)?,
                _ => {
                    return Err(Error::InvalidField(format!(
                        "object {} is not a public key",
                        public.uid
                    )))
                }
            };
            let spki = PKey::public_from_der(&der)
                .and_then(|k| k.public_spki_der())
                .map_err(|e| Error::InvalidField(format!("public key {}: {}", public.uid, e.0)))?;
            let key = rcgen::SubjectPublicKeyInfo::from_der(&spki)
                .map_err(|e| Error::InvalidField(format!("public key {}: {e}", public.uid)))?;
            let name = public
                .attributes
                .iter()
                .find_map(|a| match &a.value {
                    AttributeValue::Name(n) => Some(n.value.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| format!("KMIP object {}", public.uid));
            (
                ctx.server
                    .certify_ca
                    .certify(&key, scope.as_str(), &name, VALIDITY)
                    .map_err(failed)?,
                name,
            )
        }
        Subject::Request(kind, bytes) => {
            let csr = match kind {
                CertificateRequestType::PKCS_10 => {
                    rcgen::CertificateSigningRequestParams::from_der(&bytes.to_vec().into())
                }
                CertificateRequestType::PEM => {
                    let text = std::str::from_utf8(bytes)
                        .map_err(|_| Error::InvalidField("a PEM request must be text".into()))?;
                    rcgen::CertificateSigningRequestParams::from_pem(text)
                }
                other => {
                    return Err(Error::InvalidField(format!(
                        "Certificate Request Type {} is not offered: use PKCS#10 or PEM",
                        other.name().unwrap_or("of this value")
                    )))
                }
            }
            .map_err(|e| Error::InvalidField(format!("the certificate request is not valid: {e}")))?;
            let name =
                public_key_uid.map_or_else(|| "KMIP certificate request".to_owned(), |u| format!("KMIP object {u}"));
            (
                ctx.server
                    .certify_ca
                    .certify(&csr.public_key, scope.as_str(), &name, VALIDITY)
                    .map_err(failed)?,
                name,
            )
        }
        Subject::Renewal(der) => {
            let (_, old) = x509_parser::parse_x509_certificate(der)
                .map_err(|e| Error::InvalidField(format!("the certificate to renew is not valid X.509: {e}")))?;
            let key = rcgen::SubjectPublicKeyInfo::from_der(old.tbs_certificate.subject_pki.raw)
                .map_err(|e| Error::InvalidField(format!("the certificate's public key: {e}")))?;
            let name = old
                .subject()
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .unwrap_or("KMIP certificate")
                .to_owned();
            (
                ctx.server
                    .certify_ca
                    .certify(&key, scope.as_str(), &name, VALIDITY)
                    .map_err(failed)?,
                name,
            )
        }
    };
    tracing::debug!("certified {name}");
    let object = Object::Certificate(Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::new(issued.cert_der),
    });
    let mut stored = new_object(ObjectType::Certificate, object, attributes, None)?;
    if let Some(uid) = public_key_uid {
        stored.add_link(LinkType::PublicKeyLink, uid);
    }
    Ok(stored)
}

/// Stores a new certificate and links the public key to it, in one transaction.
pub(crate) fn store_linked(
    ctx: &Context<'_>,
    mut certificate: ManagedObject,
    public_key_uid: Option<String>,
) -> Result<(), Error> {
    let scope = ctx.scope();
    let sealed = ctx.store.seal(&scope, &mut certificate)?;
    let operation = ctx.auth.operation();
    ctx.store.write(&scope, move |objects| {
        if let Some(uid) = public_key_uid {
            let mut public = crate::ops::load_for_change(objects, &uid, operation)?;
            public.add_link(LinkType::CertificateLink, &certificate.uid);
            touched(&mut public);
            objects.update(&public)?;
        }
        objects.create(&certificate, sealed)?;
        Ok(())
    })
}
