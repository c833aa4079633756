//! The KMIP 1.4 server: the library behind the `kmip-server` binary, also
//! used by the integration tests to run a server in-process on port 0.
//!
//! A request flows `net` (TLS, framing, identity) → `protocol` (decoded
//! once, then each batch item) → `policy` (may this identity run this
//! operation?) → `ops` (one file per operation, each calling the object
//! model in `object` and the shared machinery in `engine`) → `store`;
//! `audit` records each batch item. [`server::Server`] is the one shared
//! state; every refusal is an [`error::Error`].

// Client-set numbers (dates, indices, lengths) reach arithmetic here: each
// operation is checked, saturating or explained, never a silent wrap in
// release or a panic in debug (unit tests are exempt).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::cast_possible_truncation))]

pub mod audit;
pub mod auth;
pub mod backup;
pub mod cluster;
pub mod config;
pub mod crypto;
pub mod engine;
pub mod error;
mod fsutil;
pub mod keys;
pub mod lifecycle;
pub mod net;
pub mod object;
pub mod observe;
pub mod ops;
pub mod policy;
pub mod protocol;
pub mod server;
pub mod setup;
pub mod store;

/// A server running on the current tokio runtime.
pub struct Running {
    /// The address it listens on (the real port when configured with port 0).
    pub addr: std::net::SocketAddr,
    /// The admin credential directory (scope `default`, role `admin`).
    pub admin_dir: std::path::PathBuf,
    /// The metrics and health listener's address, if it listens.
    pub metrics_addr: Option<std::net::SocketAddr>,
    shutdown: net::Shutdown,
    task: tokio::task::JoinHandle<()>,
    metrics_task: Option<tokio::task::JoinHandle<()>>,
    /// The registry's control socket, closed when the server is dropped.
    _control: Option<auth::reload::Control>,
    /// The data directory's server lock, released when the server is dropped.
    _lock: std::fs::File,
}

impl Running {
    /// Stops accepting, lets open requests finish, and waits.
    pub async fn stop(self) {
        self.shutdown.trigger();
        let _ = self.task.await;
        if let Some(metrics) = self.metrics_task {
            let _ = metrics.await;
        }
    }
}

/// Initialises `config.data_dir` if needed and starts serving on
/// `config.listen` in a background task: what `kmip-server serve` does, for
/// embedding and for tests on port 0.
pub async fn start(config: &config::Config) -> Result<Running, String> {
    let lock = fsutil::lock_data_dir(&config.data_dir)?;
    // On the blocking pool: setup reads files and, with a PostgreSQL store,
    // talks to the database through a client that must not run on an
    // async worker.
    let in_setup = config.clone();
    let (admin_dir, server) = tokio::task::spawn_blocking(move || {
        let initialised = setup::init(&in_setup)?;
        let admin_dir = initialised.admin_dir.clone();
        Ok::<_, String>((admin_dir, setup::server(&in_setup, initialised)?))
    })
    .await
    .map_err(|e| format!("setup failed: {e}"))??;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let metrics_listener = match config.metrics_addr()? {
        None => None,
        Some(at) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at} for metrics (metrics_listen): {e}"))?,
        ),
    };
    let metrics_addr = match &metrics_listener {
        Some(l) => Some(l.local_addr().map_err(|e| e.to_string())?),
        None => None,
    };
    let control = match auth::reload::Control::start(&config.data_dir, std::sync::Arc::clone(&server)) {
        Ok(control) => Some(control),
        Err(e) => {
            // Long data directory paths pass the 108-byte limit of a Unix
            // socket's: changes then wait for the once-a-second check.
            tracing::warn!(
                "no control socket ({e}): registry changes by the CLI take effect within {:?}",
                auth::reload::INTERVAL
            );
            None
        }
    };
    let (shutdown, stop) = net::shutdown_channel();
    tokio::spawn(periodic(std::sync::Arc::clone(&server), stop.clone()));
    tokio::spawn(lifecycle::worker::run(std::sync::Arc::clone(&server), stop.clone()));
    let (finished, drained) = tokio::sync::watch::channel(false);
    let metrics_task = match (metrics_listener, metrics_addr) {
        (Some(listener), Some(at)) => {
            let tls = match at.ip().is_loopback() {
                true => None,
                false => {
                    let paths = setup::Paths::new(&config.data_dir);
                    let tls = net::tls::metrics_config(&paths.ca_pem(), &paths.server_pem(), &paths.server_key())?;
                    Some(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(tls)))
                }
            };
            let http = observe::http::serve(listener, tls, std::sync::Arc::clone(&server), stop.clone(), drained);
            Some(tokio::spawn(http))
        }
        _ => None,
    };
    let task = tokio::spawn(async move {
        net::serve(listener, server, stop).await;
        let _ = finished.send(true);
    });
    Ok(Running {
        addr,
        admin_dir,
        metrics_addr,
        shutdown,
        task,
        metrics_task,
        _control: control,
        _lock: lock,
    })
}

/// Every second, until shutdown: moves objects whose Activation or
/// Deactivation Date has passed into their new state, and reloads the
/// registry if a change reached it without a poke.
async fn periodic(server: std::sync::Arc<server::Server>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(auth::reload::INTERVAL);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let s = std::sync::Arc::clone(&server);
        let result = tokio::task::spawn_blocking(move || {
            if let Err(e) = s.reload_registry() {
                tracing::warn!("{e}");
            }
            s.store.advance_states(store::unix_now())
        })
        .await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!("{n} objects changed state as their dates passed"),
            Ok(Err(e)) => tracing::warn!("time-driven state changes failed: {e}"),
            Err(e) => tracing::warn!("time-driven state changes failed: {e}"),
        }
    }
}
