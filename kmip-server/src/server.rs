//! The server's one shared state: what every connection and every request
//! reads. Built once at start ([`crate::setup::server`]), shared behind an
//! `Arc`; the listener ([`crate::net`]) hands it each request, the
//! protocol core ([`crate::protocol`]) answers it, and operations see it
//! through their [`crate::ops::Context`].

use tokio_rustls::TlsAcceptor;

use crate::audit::Audit;
use crate::auth::{ca::Ca, registry::Registry};
use crate::config::Config;
use crate::engine::{parsed_keys::ParsedKeys, streams::Streams};
use crate::store::ObjectStore;

/// Everything the server shares between connections and requests.
pub struct Server {
    /// Settings.
    pub config: Config,
    /// The TLS acceptor.
    pub tls: TlsAcceptor,
    /// The credential registry.
    pub registry: Registry,
    /// The audit trail.
    pub audit: Audit,
    /// The object store.
    pub store: Box<dyn ObjectStore>,
    /// What operations keep in memory between requests (lost on restart).
    pub memory: Memory,
    /// The CA that Certify and Re-certify issue certificates with.
    pub certify_ca: Ca,
}

/// What operations keep in memory between requests (lost on restart).
#[derive(Default)]
pub struct Memory {
    /// Cryptographic operations in parts.
    pub streams: Streams,
    /// Parsed RSA and EC keys.
    pub keys: ParsedKeys,
}
