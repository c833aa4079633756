//! The metrics and health listener (`metrics_listen`, default
//! `127.0.0.1:9696`): plain HTTP on a loopback address, HTTPS with the
//! server certificate on any other (no client certificate asked; Prometheus
//! verifies the server against `ca.pem`).
//!
//! - `GET /metrics`: every metric ([`super::metrics`]), Prometheus text
//!   format (0.0.4).
//! - `GET /healthz`: 200 while the process answers.
//! - `GET /readyz`: 200 when the database takes a write, the key protector
//!   (HSM) still unwraps the sealing key and the server is not shutting
//!   down; 503 otherwise. Each check is named in the JSON body.
//!
//! A hand-written HTTP/1.1 responder, because three read-only paths do not
//! earn a web framework: one request per connection, its head at most
//! [`MAX_HEAD`] bytes within [`REQUEST_TIMEOUT`], at most
//! [`MAX_CONNECTIONS`] at once (more wait in the backlog). It keeps
//! answering while the KMIP listener drains at shutdown, so that `/readyz`
//! can say so, and stops after it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::server::Server;

/// Largest request head read.
pub const MAX_HEAD: usize = 8192;
/// Time a client has to send its request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 16;
/// Longest a readiness check waits for the database's write.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Serves until `finished` turns true (after the KMIP listener has
/// drained); `stopping` tells `/readyz` that shutdown has begun.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    server: Arc<Server>,
    stopping: watch::Receiver<bool>,
    mut finished: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let probing = Arc::new(AtomicBool::new(false));
    loop {
        let slot = tokio::select! {
            s = Arc::clone(&slots).acquire_owned() => match s { Ok(s) => s, Err(_) => return },
            _ = finished.changed() => return,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = finished.changed() => return,
        };
        let Ok((tcp, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let (server, stopping, tls, probing) =
            (Arc::clone(&server), stopping.clone(), tls.clone(), Arc::clone(&probing));
        tokio::spawn(async move {
            let _slot = slot;
            let handler = Handler {
                server,
                stopping,
                probing,
            };
            match tls {
                None => handler.connection(tcp).await,
                Some(tls) => {
                    if let Ok(Ok(stream)) = tokio::time::timeout(REQUEST_TIMEOUT, tls.accept(tcp)).await {
                        handler.connection(stream).await;
                    }
                }
            }
        });
    }
}

struct Handler {
    server: Arc<Server>,
    stopping: watch::Receiver<bool>,
    /// A readiness write is in flight (one at a time).
    probing: Arc<AtomicBool>,
}

/// An HTTP answer.
struct Reply {
    status: &'static str,
    content_type: &'static str,
    body: String,
}

impl Reply {
    fn json(ok: bool, body: &impl Serialize) -> Reply {
        Reply {
            status: if ok { "200 OK" } else { "503 Service Unavailable" },
            content_type: "application/json",
            body: serde_json::to_string(body).unwrap_or_default(),
        }
    }

    fn text(status: &'static str, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{body}\n"),
        }
    }
}

/// The body of `/readyz`.
#[derive(Serialize)]
struct Readiness {
    ready: bool,
    database: String,
    key_protector: String,
    shutting_down: bool,
}

impl Handler {
    async fn connection(&self, mut stream: impl AsyncRead + AsyncWrite + Unpin) {
        let Ok(Some((method, path))) = tokio::time::timeout(REQUEST_TIMEOUT, read_head(&mut stream))
            .await
            .unwrap_or(Ok(None))
        else {
            return;
        };
        let reply = match (method.as_str(), path.split('?').next().unwrap_or_default()) {
            ("GET", "/metrics") => self.metrics().await,
            ("GET", "/healthz") => Reply::json(true, &serde_json::json!({"status": "ok"})),
            ("GET", "/readyz") => self.readiness().await,
            ("GET", _) => Reply::text("404 Not Found", "not found: use /metrics, /healthz or /readyz"),
            _ => Reply::text("405 Method Not Allowed", "only GET is served"),
        };
        let head = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            reply.status,
            reply.content_type,
            reply.body.len()
        );
        let _ = tokio::time::timeout(REQUEST_TIMEOUT, async {
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(reply.body.as_bytes()).await?;
            stream.shutdown().await
        })
        .await;
    }

    async fn metrics(&self) -> Reply {
        let server = Arc::clone(&self.server);
        let encoded = tokio::task::spawn_blocking(move || {
            if server.metrics.census_due() {
                match server.store.census() {
                    Ok(census) => server.metrics.set_census(&census),
                    Err(e) => tracing::warn!("object counts for /metrics: {e}"),
                }
            }
            server.metrics.encode()
        })
        .await;
        match encoded {
            Ok(body) => Reply {
                status: "200 OK",
                content_type: "text/plain; version=0.0.4; charset=utf-8",
                body,
            },
            Err(e) => Reply::text("500 Internal Server Error", &format!("metrics failed: {e}")),
        }
    }

    async fn readiness(&self) -> Reply {
        let shutting_down = *self.stopping.borrow();
        let database = if self.probing.swap(true, Ordering::AcqRel) {
            "the previous check's write has not completed".to_owned()
        } else {
            let (server, probing) = (Arc::clone(&self.server), Arc::clone(&self.probing));
            let write = tokio::task::spawn_blocking(move || {
                let written = server.store.check_writable();
                probing.store(false, Ordering::Release);
                written
            });
            match tokio::time::timeout(READY_TIMEOUT, write).await {
                Ok(Ok(Ok(()))) => "ok".to_owned(),
                Ok(Ok(Err(e))) => format!("not writable: {e}"),
                Ok(Err(e)) => format!("check failed: {e}"),
                Err(_) => format!("no write completed within {READY_TIMEOUT:?}"),
            }
        };
        let server = Arc::clone(&self.server);
        let key_protector = match tokio::task::spawn_blocking(move || server.check_key_protector()).await {
            Ok(Ok(())) => "ok".to_owned(),
            Ok(Err(e)) => e,
            Err(e) => format!("check failed: {e}"),
        };
        let ready = !shutting_down && database == "ok" && key_protector == "ok";
        Reply::json(
            ready,
            &Readiness {
                ready,
                database,
                key_protector,
                shutting_down,
            },
        )
    }
}

/// The method and path of a request, once its head has arrived; `None`
/// for a head that is too long or not HTTP.
async fn read_head(stream: &mut (impl AsyncRead + Unpin)) -> std::io::Result<Option<(String, String)>> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&head);
    let mut words = text.lines().next().unwrap_or_default().split(' ');
    match (words.next(), words.next(), words.next()) {
        (Some(method), Some(path), Some(version)) if version.starts_with("HTTP/1.") => {
            Ok(Some((method.to_owned(), path.to_owned())))
        }
        _ => Ok(None),
    }
}
