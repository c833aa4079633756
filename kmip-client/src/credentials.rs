//! Client credentials: the CA to trust, the client certificate and its key.

use std::path::Path;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::ClientError;

/// A client credential: the CA to trust, the client certificate chain and
/// its private key.
#[derive(Debug)]
pub struct Credentials {
    ca: Vec<CertificateDer<'static>>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Clone for Credentials {
    fn clone(&self) -> Self {
        Credentials {
            ca: self.ca.clone(),
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let pem = std::fs::read(path).map_err(|e| ClientError::Credentials(format!("{}: {e}", path.display())))?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| ClientError::Credentials(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ClientError::Credentials(format!(
            "{}: no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

impl Credentials {
    /// Reads `ca.pem`, `client.pem` and `client.key` from a credential
    /// directory as `kmip-server credential generate` writes it.
    pub fn from_dir(dir: &Path) -> Result<Self, ClientError> {
        Self::from_files(&dir.join("ca.pem"), &dir.join("client.pem"), &dir.join("client.key"))
    }

    /// Reads the CA, client certificate and client key from PEM files.
    pub fn from_files(ca: &Path, cert: &Path, key: &Path) -> Result<Self, ClientError> {
        let key_pem = std::fs::read(key).map_err(|e| ClientError::Credentials(format!("{}: {e}", key.display())))?;
        let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
            .map_err(|e| ClientError::Credentials(format!("{}: {e}", key.display())))?
            .ok_or_else(|| ClientError::Credentials(format!("{}: no PEM private key", key.display())))?;
        Ok(Credentials {
            ca: read_certs(ca)?,
            chain: read_certs(cert)?,
            key,
        })
    }

    /// A TLS client configuration that trusts the CA and presents the
    /// certificate. Share one across connections to resume TLS sessions.
    pub fn tls_config(&self) -> Result<rustls::ClientConfig, ClientError> {
        let mut roots = rustls::RootCertStore::empty();
        for ca in &self.ca {
            roots
                .add(ca.clone())
                .map_err(|e| ClientError::Credentials(format!("CA certificate: {e}")))?;
        }
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_client_auth_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| ClientError::Credentials(format!("client certificate: {e}")))
    }
}
