//! The internal certificate authority: it issues the server certificate and
//! every client certificate, and signs clients' CSRs.
//!
//! Its key and certificate live in `<data_dir>/ca/` (key file 0600). Client
//! certificates carry a random 128-bit serial, which is how the credential
//! registry knows them, the clientAuth extended key usage whatever a CSR
//! asked for, and a subject naming their scope and role.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, RsaKeySize, SerialNumber,
};
use time::OffsetDateTime;

use crate::config::KeyType;
use crate::fsutil::{write_private, write_public};

/// Validity of the CA certificate.
const CA_VALIDITY: Duration = Duration::from_secs(20 * 365 * 86_400);
/// Validity of the server certificate.
const SERVER_VALIDITY: Duration = Duration::from_secs(5 * 365 * 86_400);
/// Certificates start this long before issuance, for clients whose clocks lag.
const BACKDATE: Duration = Duration::from_secs(300);

/// Why the CA could not do something.
#[derive(Debug)]
pub struct CaError(pub String);

impl std::fmt::Display for CaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CaError {}

fn err(context: &str) -> impl Fn(rcgen::Error) -> CaError + '_ {
    move |e| CaError(format!("{context}: {e}"))
}

/// An issued certificate with its serial (lower-case hex) and validity end.
#[derive(Debug)]
pub struct Issued {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The serial number, lower-case hex, as the registry keys it.
    pub serial: String,
    /// The end of validity, POSIX seconds.
    pub not_after: i64,
}

/// A client key pair and its certificate.
pub struct IssuedWithKey {
    /// The certificate.
    pub issued: Issued,
    /// The private key, PKCS#8 PEM.
    pub key_pem: zeroize::Zeroizing<String>,
    /// The private key, PKCS#8 DER.
    pub key_der: zeroize::Zeroizing<Vec<u8>>,
}

/// The loaded CA.
pub struct Ca {
    key: KeyPair,
    cert_pem: String,
    cert_der: Vec<u8>,
}

/// Files of the CA in a data directory.
pub fn ca_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("ca")
}

/// Generates a key of the given type.
pub fn generate_key(kind: KeyType) -> Result<KeyPair, CaError> {
    let rsa = |size| KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size);
    match kind {
        KeyType::Ec => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
        KeyType::Rsa2048 => rsa(RsaKeySize::_2048),
        KeyType::Rsa3072 => rsa(RsaKeySize::_3072),
        KeyType::Rsa4096 => rsa(RsaKeySize::_4096),
    }
    .map_err(err("generating a key"))
}

/// A random positive 128-bit serial whose DER form is the same 16 bytes.
fn random_serial() -> Result<Vec<u8>, CaError> {
    let mut bytes = vec![0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| CaError("the system random generator failed".into()))?;
    if let Some(first) = bytes.first_mut() {
        *first = (*first & 0x7F) | 0x01;
    }
    Ok(bytes)
}

/// Lower-case hex of a serial.
pub fn serial_hex(serial: &[u8]) -> String {
    kmip_codec::hex::encode(serial)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn validity(params: &mut CertificateParams, from: OffsetDateTime, lifetime: Duration) {
    // Saturating: a lifetime past year 9999 ends there rather than panic.
    let span = |d: Duration| time::Duration::try_from(d).unwrap_or(time::Duration::MAX);
    params.not_before = from.saturating_sub(span(BACKDATE));
    params.not_after = from.saturating_add(span(lifetime));
}

impl Ca {
    /// Creates a new CA with a key of `kind` and writes it to `dir`.
    pub fn create(dir: &Path, kind: KeyType) -> Result<Ca, CaError> {
        Ca::create_named(dir, kind, "KMIP internal CA")
    }

    /// [`Ca::create`] with its own Common Name prefix.
    pub fn create_named(dir: &Path, kind: KeyType, name: &str) -> Result<Ca, CaError> {
        let key = generate_key(kind)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        let id = serial_hex(&random_serial()?);
        dn.push(DnType::OrganizationName, "KMIP server");
        dn.push(DnType::CommonName, format!("{name} {}", id.get(..8).unwrap_or(&id)));
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.serial_number = Some(SerialNumber::from_slice(&random_serial()?));
        validity(&mut params, now(), CA_VALIDITY);
        let cert = params.self_signed(&key).map_err(err("signing the CA certificate"))?;
        let io = |e: std::io::Error| CaError(format!("writing the CA to {}: {e}", dir.display()));
        write_private(&dir.join("ca.key"), key.serialize_pem().as_bytes()).map_err(io)?;
        write_public(&dir.join("ca.pem"), cert.pem().as_bytes()).map_err(io)?;
        Ok(Ca {
            key,
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
        })
    }

    /// Loads the CA from `dir`.
    pub fn load(dir: &Path) -> Result<Ca, CaError> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| CaError(format!("reading {}: {e}", dir.join(name).display())))
        };
        let key = KeyPair::from_pem(&read("ca.key")?).map_err(err("loading the CA key"))?;
        let cert_pem = read("ca.pem")?;
        let cert_der = rustls_pemfile::certs(&mut cert_pem.as_bytes())
            .next()
            .and_then(Result::ok)
            .ok_or_else(|| CaError(format!("{}: no certificate", dir.join("ca.pem").display())))?
            .to_vec();
        Ok(Ca {
            key,
            cert_pem,
            cert_der,
        })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    fn issuer(&self) -> Result<Issuer<'_, &KeyPair>, CaError> {
        Issuer::from_ca_cert_der(&self.cert_der.as_slice().into(), &self.key).map_err(err("reading the CA certificate"))
    }

    fn sign(
        &self,
        params: &CertificateParams,
        public_key: &impl rcgen::PublicKeyData,
        serial: &[u8],
    ) -> Result<Issued, CaError> {
        let cert = params
            .signed_by(public_key, &self.issuer()?)
            .map_err(err("signing a certificate"))?;
        Ok(Issued {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            serial: serial_hex(serial),
            not_after: params.not_after.unix_timestamp(),
        })
    }

    /// Issues the server certificate for `localhost`, `127.0.0.1` and `names`.
    pub fn issue_server(&self, names: &[String]) -> Result<IssuedWithKey, CaError> {
        let key = generate_key(KeyType::Ec)?;
        let mut sans = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        sans.extend(names.iter().filter(|n| !sans.contains(n)).cloned().collect::<Vec<_>>());
        let mut params = CertificateParams::new(sans).map_err(err("server certificate names"))?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "KMIP server");
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let serial = random_serial()?;
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        validity(&mut params, now(), SERVER_VALIDITY);
        let issued = self.sign(&params, &key, &serial)?;
        Ok(with_key(issued, &key))
    }

    fn client_params(
        scope: &str,
        role: &str,
        serial: &[u8],
        lifetime: Duration,
        from: OffsetDateTime,
    ) -> CertificateParams {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, scope);
        dn.push(DnType::OrganizationalUnitName, role);
        dn.push(
            DnType::CommonName,
            format!("{scope}/{role}/{}", serial_hex(serial).get(..12).unwrap_or("")),
        );
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(SerialNumber::from_slice(serial));
        validity(&mut params, from, lifetime);
        params
    }

    /// Issues a client key and certificate for `scope`/`role`, valid for
    /// `lifetime` from `from` (now, except in tests of expiry).
    pub fn issue_client(
        &self,
        scope: &str,
        role: &str,
        kind: KeyType,
        lifetime: Duration,
        from: Option<OffsetDateTime>,
    ) -> Result<IssuedWithKey, CaError> {
        let key = generate_key(kind)?;
        let serial = random_serial()?;
        let params = Self::client_params(scope, role, &serial, lifetime, from.unwrap_or_else(now));
        let issued = self.sign(&params, &key, &serial)?;
        Ok(with_key(issued, &key))
    }

    /// Issues a certificate for a managed public key (Certify): subject
    /// O=`scope`, CN=`common_name`, digital signature and key encipherment
    /// usages, no extended usage, valid for `lifetime`.
    pub fn certify(
        &self,
        public_key: &impl rcgen::PublicKeyData,
        scope: &str,
        common_name: &str,
        lifetime: Duration,
    ) -> Result<Issued, CaError> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, scope);
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.use_authority_key_identifier_extension = true;
        let serial = random_serial()?;
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        validity(&mut params, now(), lifetime);
        self.sign(&params, public_key, &serial)
    }

    /// Signs a client's CSR for `scope`/`role`. Only the CSR's public key is
    /// used: subject, usages and validity are the CA's choice, and the
    /// certificate always gets clientAuth.
    pub fn sign_csr(&self, csr_pem: &str, scope: &str, role: &str, lifetime: Duration) -> Result<Issued, CaError> {
        let csr = CertificateSigningRequestParams::from_pem(csr_pem).map_err(err("reading the CSR"))?;
        let serial = random_serial()?;
        let params = Self::client_params(scope, role, &serial, lifetime, now());
        self.sign(&params, &csr.public_key, &serial)
    }
}

fn with_key(issued: Issued, key: &KeyPair) -> IssuedWithKey {
    IssuedWithKey {
        issued,
        key_pem: zeroize::Zeroizing::new(key.serialize_pem()),
        key_der: zeroize::Zeroizing::new(key.serialize_der()),
    }
}

/// Builds a PKCS#12 bundle (key, certificate and CA) for Java-based clients.
pub fn pkcs12(key_der: &[u8], cert_der: &[u8], ca_der: &[u8], password: &str) -> Result<Vec<u8>, CaError> {
    let p12 = |e: p12_keystore::error::Error| CaError(format!("building the PKCS#12 bundle: {e}"));
    let key = p12_keystore::PrivateKey::from_der(key_der).map_err(p12)?;
    let chain = vec![
        p12_keystore::Certificate::from_der(cert_der).map_err(p12)?,
        p12_keystore::Certificate::from_der(ca_der).map_err(p12)?,
    ];
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "kmip-client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new("kmip-client", key, chain)),
    );
    store.writer(password).write().map_err(p12)
}
