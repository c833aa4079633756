//! The server's one shared state: what every connection and every request
//! reads. Built once at start ([`crate::setup::server`]), shared behind an
//! `Arc`; the listener ([`crate::net`]) hands it each request, the
//! protocol core ([`crate::protocol`]) answers it, and operations see it
//! through their [`crate::ops::Context`].

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;

use crate::audit::Audit;
use crate::auth::{ca::Ca, registry::Known, registry::Refusal, registry::Registry};
use crate::config::Config;
use crate::engine::{parsed_keys::ParsedKeys, streams::Streams};
use crate::keys::KeyProtector;
use crate::observe::alerts::Alerts;
use crate::observe::metrics::{Cause, Metrics};
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
    /// The key protector (file or HSM) holding the key-encryption key.
    pub protector: Box<dyn KeyProtector>,
    /// What `/metrics` exposes.
    pub metrics: Arc<Metrics>,
    /// The anomaly detectors.
    pub alerts: Alerts,
}

impl Server {
    /// The identity of a client certificate's serial, as the registry
    /// knows it now; a refusal says why, for the metrics.
    pub fn identify(&self, serial: &str) -> Result<Known, (Cause, String)> {
        let unavailable = |e| {
            (
                Cause::RegistryUnavailable,
                format!("credential registry unavailable: {e}"),
            )
        };
        if let Some(known) = self.registry.identify(serial).map_err(unavailable)? {
            return Ok(known);
        }
        let cause = match self.registry.refusal(serial) {
            Refusal::Revoked => Cause::Revoked,
            Refusal::Expired => Cause::Expired,
            Refusal::Unknown => Cause::UnknownCredential,
        };
        let why = match cause {
            Cause::Revoked => "is revoked",
            Cause::Expired => "has expired",
            _ => "is not registered",
        };
        Err((cause, format!("credential {serial} {why}")))
    }

    /// The identity a connection knows, checked before each of its
    /// requests: looked up again only when the registry reloaded since
    /// (a revocation or role change) or the credential expired.
    pub fn recheck(&self, serial: &str, known: &mut Known) -> Result<Arc<Identity>, (Cause, String)> {
        if known.epoch != self.registry.epoch() || known.not_after <= crate::store::unix_now() {
            *known = self.identify(serial)?;
        }
        Ok(Arc::clone(&known.identity))
    }

    /// Whether the key protector (the HSM, with `pkcs11`) still unwraps the
    /// data directory's sealing key: what `/readyz` asks of it.
    pub fn check_key_protector(&self) -> Result<(), String> {
        let path = self.config.data_dir.join(crate::keys::SEALING_KEY_FILE);
        let wrapped = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        self.protector
            .unwrap(&wrapped)
            .map(drop)
            .map_err(|e| format!("the {} key protector failed: {e}", self.protector.name()))
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
