//! A copy of every audit line as an RFC 5424 syslog message (`audit_syslog`:
//! a Unix datagram socket such as `/dev/log`, or `udp://host:port`), so the
//! trail also lives where the server cannot rewrite it.
//!
//! The message is the file's line unchanged, `prev` included, so a
//! collector can check the chain too: `<PRI>1 TIME HOST kmip-server PID
//! MSGID - LINE`, facility authpriv (10; Debian's rsyslog files it in
//! `/var/log/auth.log`, readable by root and adm only), severity warning
//! for alerts, notice for refused connections, rotations and lifecycle events, info for the
//! rest. Whoever writes the file (the flusher, or the request with
//! `audit_sync = "always"`) hands the lines it wrote to a sender thread
//! and never waits for it. A line that is not delivered (collector down,
//! not reading for a second, message too large, or the sender's queue
//! full) is counted in `kmip_audit_syslog_dropped_total` and logged once
//! per outage. The file stays the durable record and decides fail-closed.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

/// Where syslog messages go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyslogTarget {
    /// A Unix datagram socket (`/dev/log`).
    Unix(PathBuf),
    /// A UDP collector, `host:port` (RFC 5426).
    Udp(String),
}

impl SyslogTarget {
    /// Reads `audit_syslog`: empty for none, an absolute socket path, or
    /// `udp://host:port`.
    pub fn parse(setting: &str) -> Result<Option<SyslogTarget>, String> {
        match setting.trim() {
            "" => Ok(None),
            s if s.starts_with('/') => Ok(Some(SyslogTarget::Unix(s.into()))),
            s => match s.strip_prefix("udp://") {
                Some(addr) if addr.rsplit_once(':').is_some() => Ok(Some(SyslogTarget::Udp(addr.into()))),
                _ => Err(format!(
                    "audit_syslog = \"{s}\": use a Unix socket path (/dev/log) or udp://host:port"
                )),
            },
        }
    }
}

/// What an audit line is, for its severity and MSGID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A batch item's outcome.
    Record,
    /// The line written before a change runs.
    Intent,
    /// A connection refused or dropped.
    Connection,
    /// An anomaly detector's alert.
    Alert,
    /// The first line of a file after a rotation.
    Rotated,
    /// An event of the lifecycle policies.
    Lifecycle,
}

impl Kind {
    /// RFC 5424 severity.
    fn severity(self) -> u8 {
        match self {
            Kind::Alert => 4,
            Kind::Connection | Kind::Rotated | Kind::Lifecycle => 5,
            Kind::Record | Kind::Intent => 6,
        }
    }

    fn msgid(self) -> &'static str {
        match self {
            Kind::Record => "record",
            Kind::Intent => "intent",
            Kind::Connection => "connection",
            Kind::Alert => "alert",
            Kind::Rotated => "rotated",
            Kind::Lifecycle => "lifecycle",
        }
    }
}

/// The authpriv facility.
const FACILITY: u8 = 10;

/// Batches of lines waiting for the sender thread; past it, lines are
/// dropped and counted (about 2.5 s of the flusher's batches).
const QUEUE: usize = 256;

/// How long the sender waits for a collector that does not read (Debian's
/// `/dev/log` queues only a few datagrams), before it counts a line lost.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

enum Socket {
    Unix(UnixDatagram, PathBuf),
    Udp(UdpSocket, SocketAddr),
}

impl Socket {
    fn send(&self, message: &[u8]) -> std::io::Result<usize> {
        match self {
            Socket::Unix(s, path) => s.send_to(message, path),
            Socket::Udp(s, addr) => s.send_to(message, addr),
        }
    }
}

/// What the sender thread is handed.
enum Message {
    /// Lines, with their kinds.
    Lines(Vec<u8>, Vec<Kind>),
    /// Answer once everything before has been sent.
    Settle(std::sync::mpsc::Sender<()>),
}

/// An open syslog destination: a thread sending what it is handed, so
/// that a slow or absent collector never holds up the audit file.
pub(crate) struct Syslog {
    queue: Option<std::sync::mpsc::SyncSender<Message>>,
    done: std::sync::mpsc::Receiver<()>,
    dropped: metrics::Counter,
}

impl Syslog {
    /// Opens a socket to the target (a UDP name is resolved once, here)
    /// and starts the sender.
    pub(crate) fn open(target: &SyslogTarget, dropped: metrics::Counter) -> std::io::Result<Syslog> {
        let socket = match target {
            SyslogTarget::Unix(path) => {
                let s = UnixDatagram::unbound()?;
                s.set_write_timeout(Some(SEND_TIMEOUT))?;
                Socket::Unix(s, path.clone())
            }
            SyslogTarget::Udp(name) => {
                let addr = name
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("{name}: no address")))?;
                let local: SocketAddr = match addr {
                    SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
                    SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
                };
                let s = UdpSocket::bind(local)?;
                s.set_write_timeout(Some(SEND_TIMEOUT))?;
                Socket::Udp(s, addr)
            }
        };
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or_else(|| "-".into());
        let sender = Sender {
            socket,
            origin: format!("{host} kmip-server {}", std::process::id()),
            dropped: dropped.clone(),
            failing: false,
            message: Vec::with_capacity(1024),
        };
        let (queue, messages) = std::sync::mpsc::sync_channel::<Message>(QUEUE);
        let (finished, done) = std::sync::mpsc::channel();
        std::thread::Builder::new().name("kmip-syslog".into()).spawn(move || {
            let mut sender = sender;
            for message in messages {
                match message {
                    Message::Lines(batch, kinds) => sender.send(&batch, &kinds),
                    Message::Settle(answer) => {
                        let _ = answer.send(());
                    }
                }
            }
            let _ = finished.send(());
        })?;
        Ok(Syslog {
            queue: Some(queue),
            done,
            dropped,
        })
    }

    /// Hands each newline-ended line of `lines`, of the matching kind, to
    /// the sender, or counts them dropped when it is too far behind.
    pub(crate) fn send(&self, lines: &[u8], kinds: &[Kind]) {
        if kinds.is_empty() {
            return;
        }
        let Some(queue) = &self.queue else { return };
        if queue.try_send(Message::Lines(lines.to_vec(), kinds.to_vec())).is_err() {
            self.dropped.increment(u64::try_from(kinds.len()).unwrap_or(u64::MAX));
        }
    }
}

impl Syslog {
    /// Waits (boundedly) until what was handed over has been sent: at
    /// shutdown, so that the last lines leave before the process does.
    pub(crate) fn settle(&self) {
        let Some(queue) = &self.queue else { return };
        let (answer, answered) = std::sync::mpsc::channel();
        if queue.send(Message::Settle(answer)).is_ok() {
            let _ = answered.recv_timeout(SEND_TIMEOUT.saturating_mul(2));
        }
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        // The last lines (at shutdown) are sent before the server exits,
        // unless the collector keeps the sender waiting.
        self.queue = None;
        let _ = self.done.recv_timeout(SEND_TIMEOUT.saturating_mul(2));
    }
}

/// The sender thread's side.
struct Sender {
    socket: Socket,
    /// `HOST kmip-server PID`.
    origin: String,
    dropped: metrics::Counter,
    failing: bool,
    message: Vec<u8>,
}

impl Sender {
    fn send(&mut self, lines: &[u8], kinds: &[Kind]) {
        let time = super::now_rfc3339();
        let mut lost = 0u64;
        let mut error = None;
        for (line, kind) in lines.split(|&c| c == b'\n').zip(kinds) {
            self.message.clear();
            let pri = FACILITY.saturating_mul(8).saturating_add(kind.severity());
            let _ = write!(self.message, "<{pri}>1 {time} {} {} - ", self.origin, kind.msgid());
            self.message.extend_from_slice(line);
            if let Err(e) = self.socket.send(&self.message) {
                lost = lost.saturating_add(1);
                error = Some(e);
            }
        }
        self.dropped.increment(lost);
        match (error, self.failing) {
            (Some(e), false) => {
                tracing::warn!(
                    "audit lines not delivered to syslog ({lost} in this batch, counted in \
                     kmip_audit_syslog_dropped_total): {e}"
                );
                self.failing = true;
            }
            (None, true) => {
                tracing::info!("audit lines are delivered to syslog again");
                self.failing = false;
            }
            _ => {}
        }
    }
}
