//! Authentication: the internal CA, the credential registry, and mapping a
//! presented certificate to an identity.
//!
//! The TLS layer has already checked that the certificate chains to the
//! internal CA, is within its validity and carries clientAuth; here its
//! serial is looked up in the registry, which must hold it, unrevoked.

pub mod ca;
pub mod registry;
pub mod reload;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::config::KeyType;
use crate::fsutil::{write_private, write_public};
use crate::policy::{RoleName, Scope};
use ca::Ca;
use registry::Registry;

/// The serial number of a DER certificate, lower-case hex, or `None` if it
/// does not parse.
pub fn serial_of(cert_der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    Some(ca::serial_hex(cert.tbs_certificate.raw_serial()))
}

/// The subject of a DER certificate, RFC 4514 style.
pub fn subject_of(cert_der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    Some(cert.subject().to_string())
}

/// The files of a generated credential directory.
#[derive(Debug, Serialize)]
pub struct GeneratedCredential {
    /// The certificate serial, hex.
    pub serial: String,
    /// The directory holding ca.pem, client.pem, client.key, client.p12.
    pub dir: String,
    /// End of validity, POSIX seconds.
    pub not_after: i64,
}

/// Issues a credential for `scope`/`role`, records it in the registry and
/// writes `ca.pem`, `client.pem`, `client.key` (0600), `client.p12` and the
/// PKCS#12 password `client.p12.password` (0600) to `out`. Key type and
/// lifetime default to the role's settings.
pub fn generate_credential(
    registry: &Registry,
    ca: &Ca,
    scope: &Scope,
    role: &RoleName,
    out: &Path,
    key_type: Option<KeyType>,
    ttl: Option<Duration>,
) -> Result<GeneratedCredential, String> {
    crate::fsutil::fresh_private_dir(out)?;
    let settings = registry.role_settings(scope, role).map_err(|e| e.to_string())?;
    let kind = key_type.unwrap_or(settings.key_type);
    let lifetime = ttl.unwrap_or(Duration::from_secs(settings.ttl_secs));
    let issued = ca
        .issue_client(scope.as_str(), role.as_str(), kind, lifetime, None)
        .map_err(|e| e.to_string())?;
    let subject = subject_of(&issued.issued.cert_der).unwrap_or_default();
    let mut password_bytes = [0u8; 18];
    aws_lc_rs::rand::fill(&mut password_bytes).map_err(|_| "the system random generator failed".to_owned())?;
    let password = zeroize::Zeroizing::new(kmip_codec::hex::encode(&password_bytes));
    let p12 =
        ca::pkcs12(&issued.key_der, &issued.issued.cert_der, ca.cert_der(), &password).map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| format!("writing the credential to {}: {e}", out.display());
    write_public(&out.join("ca.pem"), ca.cert_pem().as_bytes()).map_err(io)?;
    write_public(&out.join("client.pem"), issued.issued.cert_pem.as_bytes()).map_err(io)?;
    write_private(&out.join("client.key"), issued.key_pem.as_bytes()).map_err(io)?;
    write_private(&out.join("client.p12"), &p12).map_err(io)?;
    write_private(&out.join("client.p12.password"), password.as_bytes()).map_err(io)?;
    registry
        .add_credential(&issued.issued.serial, scope, role, &subject, issued.issued.not_after)
        .map_err(|e| e.to_string())?;
    Ok(GeneratedCredential {
        serial: issued.issued.serial.clone(),
        dir: out.display().to_string(),
        not_after: issued.issued.not_after,
    })
}

/// Signs a client's CSR for `scope`/`role` (the client keeps its key),
/// records the credential and writes the certificate to `out`.
pub fn sign_credential(
    registry: &Registry,
    ca: &Ca,
    scope: &Scope,
    role: &RoleName,
    csr_pem: &str,
    out: &Path,
    ttl: Option<Duration>,
) -> Result<GeneratedCredential, String> {
    crate::fsutil::refuse_existing(out)?;
    let settings = registry.role_settings(scope, role).map_err(|e| e.to_string())?;
    let lifetime = ttl.unwrap_or(Duration::from_secs(settings.ttl_secs));
    let issued = ca
        .sign_csr(csr_pem, scope.as_str(), role.as_str(), lifetime)
        .map_err(|e| e.to_string())?;
    let subject = subject_of(&issued.cert_der).unwrap_or_default();
    write_public(out, issued.cert_pem.as_bytes()).map_err(|e| format!("writing {}: {e}", out.display()))?;
    registry
        .add_credential(&issued.serial, scope, role, &subject, issued.not_after)
        .map_err(|e| e.to_string())?;
    Ok(GeneratedCredential {
        serial: issued.serial,
        dir: out.display().to_string(),
        not_after: issued.not_after,
    })
}
