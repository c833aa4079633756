//! The server's one shared state: what every connection and every request
//! reads. Built once at start ([`crate::setup::server`]), shared behind an
//! `Arc`; the listener ([`crate::net`]) hands it each request, the
//! protocol core ([`crate::protocol`]) answers it, and operations see it
//! through their [`crate::ops::Context`].

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

use crate::audit::Audit;
use crate::auth::{ca::Ca, registry::Known, registry::Registry};
use crate::config::Config;
use crate::engine::{parsed_keys::ParsedKeys, streams::Streams};
use crate::policy::Identity;
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

impl Server {
    /// The identity of a client certificate's serial, as the registry
    /// knows it now.
    pub fn identify(&self, serial: &str) -> Result<Known, String> {
        self.registry
            .identify(serial)
            .map_err(|e| format!("credential registry unavailable: {e}"))?
            .ok_or_else(|| format!("credential {serial} is not registered, revoked or expired"))
    }

    /// The identity a connection knows, checked before each of its
    /// requests: looked up again only when the registry reloaded since
    /// (a revocation or role change) or the credential expired.
    pub fn recheck(&self, serial: &str, known: &mut Known) -> Result<Arc<Identity>, String> {
        if known.epoch != self.registry.epoch() || known.not_after <= crate::store::unix_now() {
            *known = self.identify(serial)?;
        }
        Ok(Arc::clone(&known.identity))
    }

    /// Reloads the registry if it changed. A change made by the admin CLI
    /// in another process (a scope deleted with its objects, most of all)
    /// also empties the object cache, so that nothing it held is served
    /// again, to a scope recreated under the same name or anyone else.
    pub fn reload_registry(&self) -> Result<(), String> {
        let reloaded = self
            .registry
            .refresh()
            .map_err(|e| format!("credential registry unavailable: {e}"))?;
        if reloaded {
            self.store.forget_cached();
        }
        Ok(())
    }
}

/// What operations keep in memory between requests (lost on restart).
#[derive(Default)]
pub struct Memory {
    /// Cryptographic operations in parts.
    pub streams: Streams,
    /// Parsed RSA and EC keys.
    pub keys: ParsedKeys,
}
