//! TLS for the listener: TLS 1.2 and 1.3 (rustls with aws-lc-rs), a client
//! certificate required and verified against the internal CA, and session
//! resumption by both tickets and a session cache, because many KMIP
//! clients open a new connection for every operation.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ServerSessionMemoryCache, WebPkiClientVerifier};
use rustls::ServerConfig;

/// Sessions remembered for resumption by session ID.
const SESSION_CACHE_ENTRIES: usize = 20_000;

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate", path.display()));
    }
    Ok(certs)
}

fn key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    rustls_pemfile::private_key(&mut pem.as_slice())
        .map_err(|e| format!("{}: {e}", path.display()))?
        .ok_or_else(|| format!("{}: no private key", path.display()))
}

/// The server's TLS configuration from the files `setup` wrote.
pub fn server_config(ca_pem: &Path, server_pem: &Path, server_key: &Path) -> Result<ServerConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    for ca in certs(ca_pem)? {
        roots.add(ca).map_err(|e| format!("{}: {e}", ca_pem.display()))?;
    }
    let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
        .build()
        .map_err(|e| format!("client certificate verifier: {e}"))?;
    let mut chain = certs(server_pem)?;
    chain.extend(certs(ca_pem)?);
    let mut config = ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key(server_key)?)
        .map_err(|e| format!("server certificate: {e}"))?;
    config.session_storage = ServerSessionMemoryCache::new(SESSION_CACHE_ENTRIES);
    config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().map_err(|e| format!("TLS ticketer: {e}"))?;
    Ok(config)
}

/// TLS for the metrics listener off loopback: the same server certificate,
/// no client certificate asked (a scraper verifies the server against
/// `ca.pem`; what it reads holds no secrets).
pub fn metrics_config(ca_pem: &Path, server_pem: &Path, server_key: &Path) -> Result<ServerConfig, String> {
    let mut chain = certs(server_pem)?;
    chain.extend(certs(ca_pem)?);
    ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key(server_key)?)
        .map_err(|e| format!("server certificate: {e}"))
}

/// A TLS client configuration trusting the certificates of a PEM file
/// (webhook deliveries: `--ca-file`, or the system bundle).
pub fn client_config(roots_pem: &Path) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs(roots_pem)?);
    if added == 0 {
        return Err(format!("{}: no usable CA certificate", roots_pem.display()));
    }
    Ok(rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth())
}
