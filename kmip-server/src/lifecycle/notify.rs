//! Notification sinks: lifecycle events POSTed as JSON to webhooks.
//!
//! `kmip-server notify add URL --secret-file F [--events a,b] [--ca-file
//! PEM]` registers a sink for lifecycle events and the anomaly detectors'
//! alerts (`alert`, whose `policy` is the detector and `uid` its subject). When an event is recorded, a delivery row per
//! sink that wants it is written in the same transaction (the outbox), so
//! an event survives a restart; each pass of the lifecycle worker then
//! POSTs what is due:
//!
//! - the body is the event as JSON (`id`, `event`, `time`, `scope`,
//!   `policy`, `uid`, `due`, `detail`), never key material;
//! - `X-Signature: sha256=<hex>` is the HMAC-SHA256 of the body under the
//!   secret file's content (a trailing newline dropped); `X-Event-Id` is
//!   the event's stable id, for the receiver to drop a repeat;
//! - a compromise (`revoked` with `"compromised":true`) goes first;
//! - any 2xx answer delivers it; anything else (or no answer within 5 s)
//!   is retried after 2, 4, 8, ... seconds, at most 5 minutes apart, for
//!   as long as it takes: at least once, in the order the events happened.
//!   A failure holds back the sink's whole queue, so the order stays.
//!
//! HTTPS is verified against `--ca-file`, or the system's bundle
//! (`/etc/ssl/certs/ca-certificates.crt`); plain `http://` is refused
//! except to a loopback address. The secret file is read at each delivery
//! and never copied into the database.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::store::sql::{Row, Sql, Value};
use crate::store::DbError;

/// The events a sink may ask for.
pub const EVENTS: &[&str] = &[
    "rotation.due",
    "rotation.done",
    "expiry.due",
    "deactivated",
    "archived",
    "destroyed",
    "policy.failed",
    "revoked",
    "alert",
];

/// Where HTTPS trust comes from without `--ca-file` (Debian's bundle).
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Time allowed to connect, send and be answered.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Deliveries tried in one pass.
const PER_PASS: usize = 100;

/// Longest wait between two attempts, seconds.
const MAX_BACKOFF: i64 = 300;

/// A webhook.
#[derive(Clone, Debug, Serialize)]
pub struct Sink {
    /// Its number.
    pub id: i64,
    /// Where events are POSTed.
    pub url: String,
    /// The file holding the HMAC secret.
    pub secret_file: PathBuf,
    /// The events it wants (empty: all).
    pub events: Vec<String>,
    /// The CA certificates its HTTPS is verified against.
    pub ca_file: Option<PathBuf>,
}

/// Where a URL points.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    tls: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Target, String> {
    let (tls, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return Err(format!("{url}: give an https:// URL")),
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => (rest.get(..at).unwrap_or_default(), rest.get(at..).unwrap_or("/")),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !h.is_empty() => {
            (h, p.parse().map_err(|_| format!("{url}: not a port: {p}"))?)
        }
        _ => (authority, if tls { 443 } else { 80 }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || path.contains(char::is_whitespace) {
        return Err(format!("{url}: not a URL"));
    }
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !tls && !loopback {
        return Err(format!("{url}: plain http:// only to a loopback address; use https://"));
    }
    Ok(Target {
        tls,
        host: host.to_owned(),
        port,
        path: path.to_owned(),
    })
}

fn read_secret(file: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    let mut secret = zeroize::Zeroizing::new(std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?);
    while secret.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
        secret.pop();
    }
    match secret.is_empty() {
        true => Err(format!("{}: empty secret", file.display())),
        false => Ok(secret),
    }
}

/// Registers a sink; its number.
pub fn add(
    c: &mut dyn Sql,
    url: &str,
    secret_file: &Path,
    events: &[String],
    ca_file: Option<&Path>,
) -> Result<i64, DbError> {
    parse_url(url).map_err(DbError)?;
    read_secret(secret_file).map_err(DbError)?;
    if let Some(unknown) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(DbError(format!(
            "unknown event \"{unknown}\"; events are {}",
            EVENTS.join(", ")
        )));
    }
    if let Some(ca) = ca_file {
        crate::net::tls::client_config(ca).map_err(DbError)?;
    }
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    c.query_int(
        "INSERT INTO notify_sinks (url, secret_file, events, ca_file, created) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        &[
            Value::from(url),
            Value::from(absolute(secret_file).to_string_lossy().into_owned()),
            Value::from(events.join(",")),
            ca_file.map_or(Value::Null, |p| Value::from(absolute(p).to_string_lossy().into_owned())),
            Value::Int(crate::store::unix_now()),
        ],
    )
}

/// Column `i` of a row.
fn col(r: &Row, i: usize) -> Result<&Value, DbError> {
    r.get(i)
        .ok_or_else(|| DbError(format!("database: a row has no column {i}")))
}

/// A text column that may be NULL.
fn opt_text(r: &Row, i: usize) -> Result<Option<String>, DbError> {
    match col(r, i)? {
        Value::Null => Ok(None),
        v => v.text().map(Some),
    }
}

/// Every sink.
pub fn list(c: &mut dyn Sql) -> Result<Vec<Sink>, DbError> {
    c.query(
        "SELECT id, url, secret_file, events, ca_file FROM notify_sinks ORDER BY id",
        &[],
    )?
    .iter()
    .map(|r| {
        let events = col(r, 3)?.text()?;
        Ok(Sink {
            id: col(r, 0)?.int()?,
            url: col(r, 1)?.text()?,
            secret_file: PathBuf::from(col(r, 2)?.text()?),
            events: events.split(',').filter(|e| !e.is_empty()).map(String::from).collect(),
            ca_file: opt_text(r, 4)?.map(PathBuf::from),
        })
    })
    .collect()
}

/// Removes a sink and what it had yet to receive.
pub fn delete(c: &mut dyn Sql, id: i64) -> Result<(), DbError> {
    c.execute("DELETE FROM notify_deliveries WHERE sink = ?1", &[Value::Int(id)])?;
    match c.execute("DELETE FROM notify_sinks WHERE id = ?1", &[Value::Int(id)])? {
        0 => Err(DbError(format!("no notification sink {id}"))),
        _ => Ok(()),
    }
}

/// The first 16 bytes of the SHA-256 of what an event is about, hex: its
/// stable id.
pub(crate) fn event_id(about: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, about.as_bytes());
    digest.as_ref().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// An event for the outbox.
pub(crate) struct Event<'a> {
    /// Its stable id.
    pub id: &'a str,
    /// `rotation.done`, `alert`, ...
    pub event: &'a str,
    /// The scope it concerns (empty for an alert about a peer address).
    pub scope: &'a str,
    /// The policy, or the detector, that raised it.
    pub source: &'a str,
    /// The object (or, for an alert, the subject) it is about.
    pub uid: &'a str,
    /// When it was due, POSIX seconds.
    pub due: i64,
    /// What else a receiver needs, never key material.
    pub detail: &'a serde_json::Value,
}

/// Records an event once (by its id) and queues it, in the same
/// transaction, for every sink that wants it; whether it was new.
pub(crate) fn record(c: &mut dyn Sql, e: &Event<'_>) -> Result<bool, DbError> {
    let now = crate::store::unix_now();
    crate::store::sql::transaction(c, |c| {
        let added = c.execute(
            "INSERT INTO lifecycle_events (id, time, event, scope, policy, uid, due, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            &[
                Value::from(e.id),
                Value::Int(now),
                Value::from(e.event),
                Value::from(e.scope),
                Value::from(e.source),
                Value::from(e.uid),
                Value::Int(e.due),
                Value::from(e.detail.to_string()),
            ],
        )?;
        if added > 0 {
            c.execute(
                "INSERT INTO notify_deliveries (event, sink, next_attempt)
                 SELECT CAST(?1 AS TEXT), id, CAST(?2 AS BIGINT) FROM notify_sinks
                 WHERE events = '' OR ',' || events || ',' LIKE '%,' || CAST(?3 AS TEXT) || ',%'
                 ON CONFLICT DO NOTHING",
                &[Value::from(e.id), Value::Int(now), Value::from(e.event)],
            )?;
        }
        Ok(added > 0)
    })
}

/// A delivery that is due.
struct Due {
    event_id: String,
    sink: i64,
    attempts: i64,
    body: Vec<u8>,
    event: String,
    url: String,
    secret_file: PathBuf,
    ca_file: Option<PathBuf>,
}

#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    event: &'a str,
    time: String,
    scope: &'a str,
    policy: &'a str,
    uid: &'a str,
    due: String,
    detail: serde_json::Value,
}

fn due(c: &mut dyn Sql, now: i64) -> Result<Vec<Due>, DbError> {
    // Compromises first, then in the order they were recorded.
    let order = match c.is_postgres() {
        true => "e.seq",
        false => "e.rowid",
    };
    c.query(
        &format!(
            "SELECT d.event, d.sink, d.attempts, e.event, e.time, e.scope, e.policy, e.uid, e.due, e.detail,
                    s.url, s.secret_file, s.ca_file
             FROM notify_deliveries d
             JOIN lifecycle_events e ON e.id = d.event
             JOIN notify_sinks s ON s.id = d.sink
             WHERE d.delivered IS NULL AND d.next_attempt <= ?1
             ORDER BY e.event = 'revoked' AND e.detail LIKE '%\"compromised\":true%' DESC, e.time, {order}
             LIMIT ?2"
        ),
        &[Value::Int(now), Value::Int(i64::try_from(PER_PASS).unwrap_or(100))],
    )?
    .iter()
    .map(|r| {
        let (event_id, event) = (col(r, 0)?.text()?, col(r, 3)?.text()?);
        let detail = col(r, 9)?.text()?;
        let body = Body {
            id: &event_id,
            event: &event,
            time: super::worker::rfc3339(col(r, 4)?.int()?),
            scope: &col(r, 5)?.text()?,
            policy: &col(r, 6)?.text()?,
            uid: &col(r, 7)?.text()?,
            due: super::worker::rfc3339(col(r, 8)?.int()?),
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        };
        let body = serde_json::to_vec(&body).unwrap_or_default();
        Ok(Due {
            sink: col(r, 1)?.int()?,
            attempts: col(r, 2)?.int()?,
            body,
            url: col(r, 10)?.text()?,
            secret_file: PathBuf::from(col(r, 11)?.text()?),
            ca_file: opt_text(r, 12)?.map(PathBuf::from),
            event_id,
            event,
        })
    })
    .collect()
}

/// What a round of deliveries did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Delivered now.
    pub delivered: u64,
    /// Failed now (to be retried).
    pub failed: u64,
    /// Still waiting afterwards.
    pub pending: u64,
}

/// POSTs what is due.
pub fn deliver_due(c: &mut dyn Sql, now: i64) -> Result<Delivered, DbError> {
    let mut failed = std::collections::HashSet::new();
    let mut delivered = 0u64;
    for d in due(c, now)? {
        if failed.contains(&d.sink) {
            continue;
        }
        match post(&d) {
            Ok(()) => {
                c.execute(
                    "UPDATE notify_deliveries SET delivered = ?1, attempts = attempts + 1, last_error = NULL
                     WHERE event = ?2 AND sink = ?3",
                    &[Value::Int(now), Value::from(d.event_id.as_str()), Value::Int(d.sink)],
                )?;
                delivered = delivered.saturating_add(1);
            }
            Err(why) => {
                let attempts = d.attempts.saturating_add(1);
                let backoff = 2i64
                    .saturating_pow(u32::try_from(attempts).unwrap_or(u32::MAX))
                    .min(MAX_BACKOFF);
                tracing::warn!(
                    "notification sink {} ({}): {} {} not delivered (attempt {attempts}, next in {backoff} s): {why}",
                    d.sink,
                    d.url,
                    d.event,
                    d.event_id
                );
                c.execute(
                    "UPDATE notify_deliveries SET attempts = ?1, last_error = ?2 WHERE event = ?3 AND sink = ?4",
                    &[
                        Value::Int(attempts),
                        Value::from(why),
                        Value::from(d.event_id.as_str()),
                        Value::Int(d.sink),
                    ],
                )?;
                // The whole sink waits, so that its events still go in order.
                c.execute(
                    "UPDATE notify_deliveries SET next_attempt = CASE WHEN next_attempt > ?1 THEN next_attempt ELSE ?1 END
                     WHERE sink = ?2 AND delivered IS NULL",
                    &[Value::Int(now.saturating_add(backoff)), Value::Int(d.sink)],
                )?;
                failed.insert(d.sink);
            }
        }
    }
    let pending = c.query_int("SELECT count(*) FROM notify_deliveries WHERE delivered IS NULL", &[])?;
    Ok(Delivered {
        delivered,
        failed: u64::try_from(failed.len()).unwrap_or(u64::MAX),
        pending: u64::try_from(pending).unwrap_or(0),
    })
}

/// One POST; `Ok` on a 2xx answer.
fn post(d: &Due) -> Result<(), String> {
    let target = parse_url(&d.url)?;
    let secret = read_secret(&d.secret_file)?;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
    let signature: String = aws_lc_rs::hmac::sign(&key, &d.body)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: kmip-server\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nX-Event-Id: {}\r\nX-Event: {}\r\nX-Signature: sha256={signature}\r\n\
         Connection: close\r\n\r\n",
        target.path,
        target.host,
        d.body.len(),
        d.event_id,
        d.event
    )
    .into_bytes();
    request.extend_from_slice(&d.body);
    let addr = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("{}: {e}", target.host))?
        .next()
        .ok_or_else(|| format!("{}: no address", target.host))?;
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("connect {addr}: {e}"))?;
    tcp.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    let head = match target.tls {
        false => exchange(tcp, &request),
        true => {
            let roots = d.ca_file.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_BUNDLE));
            let config = crate::net::tls::client_config(&roots)?;
            let name = rustls::pki_types::ServerName::try_from(target.host.clone()).map_err(|e| e.to_string())?;
            let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
            exchange(rustls::StreamOwned::new(conn, tcp), &request)
        }
    }?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP answer: {head}"))?;
    match status {
        200..=299 => Ok(()),
        _ => Err(format!("answered {head}")),
    }
}

/// Sends the request and reads the answer's status line.
fn exchange(mut stream: impl Read + Write, request: &[u8]) -> Result<String, String> {
    stream.write_all(request).map_err(|e| format!("send: {e}"))?;
    stream.flush().map_err(|e| format!("send: {e}"))?;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(2).any(|w| w == b"\r\n") && got.len() < 8192 {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) => return Err(format!("no answer: {e}")),
        }
    }
    let line = got.split(|&c| c == b'\r').next().unwrap_or_default();
    Ok(String::from_utf8_lossy(line).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_and_plain_http_only_goes_to_loopback() {
        assert_eq!(
            parse_url("https://hooks.example.com/kms?x=1"),
            Ok(Target {
                tls: true,
                host: "hooks.example.com".into(),
                port: 443,
                path: "/kms?x=1".into()
            })
        );
        assert_eq!(
            parse_url("https://10.0.0.5:8443").map(|t| (t.port, t.path)),
            Ok((8443, "/".into()))
        );
        assert!(parse_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(parse_url("http://hooks.example.com/")
            .unwrap_err()
            .contains("use https://"));
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("https://x:port/").is_err());
    }
}
