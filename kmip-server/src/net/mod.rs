//! The listener: TCP accept, TLS handshake, framing, limits and timeouts.
//!
//! One task per connection; requests on a connection run in turn. The
//! handshakes in progress are capped by a semaphore taken before `accept`,
//! so excess clients wait in the kernel's backlog instead of costing
//! memory; established connections, connections per peer address and per
//! credential have limits of their own ([`limits`]).
//! Each frame's 8-byte header is read first and its length checked against
//! the maximum message size before the body is read or allocated; an
//! oversize or unreadable frame closes that connection only. The client's
//! certificate is looked up in the credential registry after the handshake
//! and again before every request, so a revoked credential loses an open
//! connection at its next request. Reads the cache can serve are answered
//! on the connection's own worker; other requests that touch the store run
//! on the blocking pool, heavy ones only within `max_heavy_requests` slots,
//! and a client that hangs up meanwhile cancels the rest of its batch
//! ([`blocking`]). Shutdown stops accepting, lets each
//! connection finish the request it is running, and waits for them.

pub mod limits;
pub mod tls;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::auth;
use crate::observe::metrics::Cause;
use crate::server::Server;
use kmip_codec::ttlv::{frame_length, HEADER_LEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::timeout;

/// Tells a running server to stop.
#[derive(Clone)]
pub struct Shutdown(watch::Sender<bool>);

impl Shutdown {
    /// Asks the server to stop accepting and finish.
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

/// Creates a shutdown trigger and the receiver `serve` waits on.
pub fn shutdown_channel() -> (Shutdown, watch::Receiver<bool>) {
    let (tx, rx) = watch::channel(false);
    (Shutdown(tx), rx)
}

/// The connection budgets of one listener (see [`limits`]).
struct Budgets {
    established: Arc<Semaphore>,
    peers: limits::Counts<std::net::IpAddr>,
    credentials: limits::Counts<String>,
    /// Slots for requests with heavy work (`max_heavy_requests`).
    heavy: Semaphore,
}

/// Serves on an already-bound listener until shutdown.
pub async fn serve(listener: TcpListener, server: Arc<Server>, mut stop: watch::Receiver<bool>) {
    let handshakes = Arc::new(Semaphore::new(server.config.max_handshakes.max(1)));
    let budgets = Arc::new(Budgets {
        established: Arc::new(Semaphore::new(server.config.max_connections.max(1))),
        peers: limits::Counts::default(),
        credentials: limits::Counts::default(),
        heavy: Semaphore::new(server.config.heavy_requests()),
    });
    let mut connections = JoinSet::new();
    loop {
        let handshake = tokio::select! {
            p = Arc::clone(&handshakes).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.changed() => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => break,
        };
        match accepted {
            Ok((tcp, peer)) => {
                server.metrics.connections_accepted.increment(1);
                let Some(peer_slot) = budgets.peers.take(&peer.ip(), server.config.max_connections_per_peer) else {
                    tracing::info!(%peer, "connection refused: this address holds its limit of connections");
                    server.metrics.refused(Cause::MaxConnectionsPerPeer);
                    continue;
                };
                let (server, stop, budgets) = (Arc::clone(&server), stop.clone(), Arc::clone(&budgets));
                connections.spawn(async move {
                    connection(tcp, peer, server, stop, &budgets, handshake).await;
                    drop(peer_slot);
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: back off, keep serving.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        // Reap finished connection tasks so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    while connections.try_join_next().is_some() {}
    tracing::info!("shutting down: waiting for {} connections to finish", connections.len());
    while connections.join_next().await.is_some() {}
    if let Err(e) = server.audit.finish() {
        tracing::error!("audit records lost at shutdown: {e}");
    }
}

/// Why a connection ended, for the log, the audit trail and the metrics.
enum End {
    Closed,
    Refused(Cause, String),
    Error(Cause, String),
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    server: Arc<Server>,
    stop: watch::Receiver<bool>,
    budgets: &Budgets,
    handshake: tokio::sync::OwnedSemaphorePermit,
) {
    let _ = tcp.set_nodelay(true);
    let shaken = timeout(server.config.handshake_timeout(), server.tls.accept(tcp)).await;
    drop(handshake);
    let end = match shaken {
        Err(_) => End::Refused(Cause::HandshakeTimeout, "TLS handshake timed out".into()),
        Ok(Err(e)) => End::Refused(handshake_cause(&e), format!("TLS handshake failed: {e}")),
        Ok(Ok(stream)) => match Arc::clone(&budgets.established).try_acquire_owned() {
            Err(_) => End::Refused(
                Cause::MaxConnections,
                "the server holds its limit of connections (max_connections)".into(),
            ),
            Ok(_established) => serve_connection(stream, peer, &server, stop, budgets).await,
        },
    };
    let (event, why) = match &end {
        End::Closed => {
            tracing::debug!(%peer, "connection closed");
            return;
        }
        End::Refused(cause, why) => {
            server.metrics.refused(*cause);
            server.alerts.observe(crate::observe::alerts::Event::Refused {
                peer: peer.ip(),
                cause: *cause,
                why: why.clone(),
            });
            ("connection.refused", why)
        }
        End::Error(cause, why) => {
            server.metrics.dropped(*cause);
            ("connection.dropped", why)
        }
    };
    tracing::info!(%peer, "{}: {why}", event.replace('.', " "));
    let recorded = server.audit.connection(
        peer.ip(),
        &crate::audit::ConnectionEvent {
            time: crate::audit::now_rfc3339(),
            event,
            peer: &peer.to_string(),
            reason: why,
        },
    );
    if let Err(e) = recorded {
        server.metrics.audit_failures.increment(1);
        tracing::error!("audit log write failed: {e}");
    }
}

/// The metrics' cause of a failed TLS handshake: tokio-rustls hands the
/// rustls error inside the I/O error.
fn handshake_cause(e: &std::io::Error) -> Cause {
    use rustls::CertificateError as C;
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::NoCertificatesPresented) => Cause::NoCertificate,
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            C::UnknownIssuer => Cause::UnknownCa,
            C::Expired | C::ExpiredContext { .. } => Cause::Expired,
            C::Revoked => Cause::Revoked,
            _ => Cause::BadCertificate,
        },
        Some(_) => Cause::TlsError,
        None => Cause::Io,
    }
}

/// The connection's identity now, or why it has none.
async fn serve_connection(
    mut stream: tokio_rustls::server::TlsStream<TcpStream>,
    peer: SocketAddr,
    server: &Arc<Server>,
    mut stop: watch::Receiver<bool>,
    budgets: &Budgets,
) -> End {
    let serial = match stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| auth::serial_of(c))
    {
        Some(s) => s,
        None => return End::Refused(Cause::NoCertificate, "no usable client certificate".into()),
    };
    let mut known = match server.identify(&serial) {
        Ok(known) => known,
        Err((cause, why)) => return End::Refused(cause, why),
    };
    let Some(_credential_slot) = budgets
        .credentials
        .take(&serial, server.config.max_connections_per_credential)
    else {
        return End::Refused(
            Cause::MaxConnectionsPerCredential,
            format!("credential {serial} holds its limit of connections (max_connections_per_credential)"),
        );
    };
    server.metrics.connections_open.increment(1.0);
    let _open = OnDrop(|| {
        server.metrics.connections_open.decrement(1.0);
    });
    let peer_text = Arc::new(peer.to_string());
    loop {
        // Wait for the next request, as long as the idle timeout allows and
        // the server is not shutting down.
        let first = tokio::select! {
            r = timeout(server.config.idle_timeout(), stream.read_u8()) => r,
            _ = stop.changed() => return End::Closed,
        };
        let first = match first {
            Err(_) => return End::Closed,
            Ok(Err(_)) => return End::Closed, // clean EOF between requests
            Ok(Ok(b)) => b,
        };
        // The rest of it within the read timeout: one deadline for the
        // header and the body.
        let read = read_request(&mut stream, first, server.config.max_message_size);
        let request = match timeout(server.config.read_timeout(), read).await {
            Ok(Ok(request)) => request,
            Ok(Err(end)) => return end,
            Err(_) => return End::Error(Cause::Timeout, "message not received within the read timeout".into()),
        };
        // Re-check the credential: a revocation takes effect here.
        let identity = match server.recheck(&serial, &mut known) {
            Ok(id) => id,
            Err((cause, why)) => return End::Refused(cause, why),
        };
        // Requests that never touch the store are answered in place, and
        // so are reads the cache can serve; the rest go to the blocking pool.
        let request = server.parse(&request);
        let response = if request.is_light() {
            server.process(&identity, &peer_text, request, &AtomicBool::new(false))
        } else if let Some(answer) = server.try_inline(&identity, &peer_text, &request) {
            answer
        } else {
            match blocking(server, budgets, identity, &peer_text, request, stream.get_ref().0).await {
                Ok(r) => r,
                Err(end) => return end,
            }
        };
        // A client that does not read its answer loses the connection (and
        // the response's memory) after the write timeout.
        let written = timeout(server.config.write_timeout(), async {
            stream.write_all(&response).await?;
            stream.flush().await
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return End::Error(Cause::Io, format!("write failed: {e}")),
            Err(_) => {
                return End::Error(
                    Cause::Timeout,
                    "the client did not read its response within the write timeout".into(),
                )
            }
        }
    }
}

/// Reads the rest of a request message whose first byte was `first`: the
/// 8-byte header, checked to open a Request Message no longer than `max`
/// before the body is read or allocated, then the body.
async fn read_request<S: tokio::io::AsyncRead + Unpin>(stream: &mut S, first: u8, max: usize) -> Result<Vec<u8>, End> {
    let mut header = [0u8; HEADER_LEN];
    header[0] = first;
    if stream.read_exact(&mut header[1..]).await.is_err() {
        return Err(End::Error(Cause::Malformed, "incomplete message header".into()));
    }
    // A KMIP request is a Request Message Structure; anything else is
    // not KMIP and gets no KMIP answer.
    if header[..4] != [0x42, 0x00, 0x78, 0x01] {
        return Err(End::Error(Cause::Malformed, "not a KMIP request message".into()));
    }
    let len = frame_length(&header);
    if len > max {
        return Err(End::Error(
            Cause::Malformed,
            format!("request of {len} bytes exceeds the maximum message size of {max}"),
        ));
    }
    let mut request = Vec::with_capacity(len);
    request.extend_from_slice(&header);
    let mut body = stream.take(u64::try_from(len.saturating_sub(HEADER_LEN)).unwrap_or(u64::MAX));
    match body.read_to_end(&mut request).await {
        Ok(_) if request.len() == len => Ok(request),
        _ => Err(End::Error(Cause::Malformed, "connection ended inside a message".into())),
    }
}

/// Runs a request on the blocking pool: operations wait on the disk (a
/// commit is an fsync) and must not hold the connection's async worker.
/// Heavy requests first wait for a slot of `max_heavy_requests`. While the
/// request waits or runs, the socket is watched: a client that closes its
/// connection is not served a slot, and its batch stops at the next item.
async fn blocking(
    server: &Arc<Server>,
    budgets: &Budgets,
    identity: Arc<crate::policy::Identity>,
    peer: &Arc<String>,
    request: crate::protocol::Request,
    tcp: &TcpStream,
) -> Result<Vec<u8>, End> {
    let _slot = if request.is_heavy() {
        tokio::select! {
            slot = budgets.heavy.acquire() => Some(slot.map_err(|_| End::Closed)?),
            () = client_gone(tcp) => return Err(End::Error(Cause::Io, "the client left while its heavy request waited for a slot".into())),
        }
    } else {
        None
    };
    let gone = Arc::new(AtomicBool::new(false));
    let (state, peer, flag) = (Arc::clone(server), Arc::clone(peer), Arc::clone(&gone));
    let task = tokio::task::spawn_blocking(move || state.process(&identity, &peer, request, &flag));
    tokio::pin!(task);
    let processed = tokio::select! {
        r = &mut task => r,
        () = client_gone(tcp) => {
            gone.store(true, Ordering::Relaxed);
            (&mut task).await
        }
    };
    processed.map_err(|e| End::Error(Cause::Io, format!("request processing failed: {e}")))
}

/// Completes when the peer has closed the connection (end of stream or a
/// reset); never, if it sends more first (a pipelined request, read in
/// turn). Peeking leaves the bytes for the TLS layer.
async fn client_gone(tcp: &TcpStream) {
    match tcp.peek(&mut [0u8; 1]).await {
        Ok(0) | Err(_) => {}
        Ok(_) => std::future::pending().await,
    }
}

/// Runs its closure when dropped: the open-connections gauge goes down on
/// every way out of a connection.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}
