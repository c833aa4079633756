//! The audit trail: one JSON line per batch item, to a file, or to tracing
//! when there is none (with a file, the lines are traced at debug level,
//! `RUST_LOG=kmip_audit=debug`: formatting every record twice, and
//! serialising all threads on stderr, halved the throughput of reads).
//!
//! Fail-closed (the default, `audit_fail_closed`): before a request that
//! may change something runs, an `intent` line naming who asks for which
//! operations on which objects is written to the file; if it cannot be,
//! the request is refused and changes nothing, so no change goes
//! unaudited. The per-item outcome lines follow.
//!
//! Lines are serialised straight into one in-memory buffer, in order, and
//! reach the file as `audit_sync` says: with `batch` (the default) a
//! flusher thread writes the buffer every [`BATCH_INTERVAL`], or sooner
//! when woken by a buffer past [`BATCH_BYTES`] (an intent line is written
//! at once), so a read costs no system call and never waits on the disk:
//! only a buffer past [`BATCH_LIMIT`], a disk slower than the requests, is
//! written by the request that finds it so; with `always` each request's
//! lines are written and fdatasync'd before it runs and before it is
//! answered. A failed write is remembered until one succeeds: reads are
//! then refused (fail-closed), and what the buffer held is dropped, with
//! an error logged, rather than kept to grow without bound on a dead disk.
//!
//! Each line of the file carries `prev`, the SHA-256 of the line before it
//! (64 zeros on a chain's first line), so that an edited, removed or
//! reordered line breaks the chain at the line after it:
//! `kmip-server audit verify FILE...` ([`verify`]) names the first line
//! that does not follow. A restarted server continues the chain from the
//! file's last line. The chain shows tampering inside a file, not the
//! truncation of its end: keep the file where the server cannot rewrite
//! it (ship it off the machine, `audit_syslog`) for that.
//!
//! Past `audit_max_bytes` the file is rotated ([`rotate`]): the next line
//! is buffered behind an `audit.rotated` line, chained to the last line of
//! the old file, and the writer renames the old file away before writing
//! them to a new one. The chain so runs on across files.
//!
//! A record says who (certificate serial and subject, scope, role), did
//! what (operation, object identifiers), with what result (status, reason)
//! and how long it took. It never holds key material or request data: the
//! only values copied from a request are operation names and Unique
//! Identifiers.

mod chain;
mod json;
mod rotate;
mod syslog;
mod throttle;

pub use chain::{verify, Start, Verified};
pub use rotate::rotation_index;
pub use syslog::SyslogTarget;

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::AuditSync;
use json::{Json, Serde};
use syslog::{Kind, Syslog};
use throttle::{Suppressed, Throttle};

use serde::Serialize;

/// One audited batch item.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// RFC 3339 time of the request.
    pub time: &'a str,
    /// Client address.
    pub peer: &'a str,
    /// Client certificate serial, hex.
    pub serial: &'a str,
    /// Client certificate subject.
    pub subject: &'a str,
    /// The credential's scope.
    pub scope: &'a str,
    /// The credential's role.
    pub role: &'a str,
    /// The operation, or `null` when the item could not be decoded.
    pub operation: Option<Cow<'static, str>>,
    /// Unique Identifiers named in the request or returned.
    pub uids: &'a [String],
    /// Result Status.
    pub status: Cow<'static, str>,
    /// Result Reason, on failure.
    pub reason: Option<Cow<'static, str>>,
    /// Time spent on the item, microseconds.
    pub duration_us: u64,
}

/// A connection the server refused or dropped (a TLS handshake that
/// failed, a limit reached, a credential unknown, revoked or expired, a
/// malformed or timed-out message). Connections closed normally are not
/// recorded.
#[derive(Debug, Serialize)]
pub struct ConnectionEvent<'a> {
    /// RFC 3339 time.
    pub time: String,
    /// `"connection.refused"` or `"connection.dropped"`.
    pub event: &'static str,
    /// Client address.
    pub peer: &'a str,
    /// Why, as the server's log says it.
    pub reason: &'a str,
}

/// How many connection lines of one address a window left out.
#[derive(Debug, Serialize)]
struct SuppressedLine {
    time: String,
    /// Always `"connection.suppressed"`.
    event: &'static str,
    /// The address, or `others` for those past the tracked number.
    peer: String,
    /// Connection lines not written.
    count: u64,
    /// The window they were counted in.
    window_secs: u64,
}

/// The line written before a request runs (fail-closed mode).
#[derive(Debug, Serialize)]
pub struct Intent<'a> {
    /// RFC 3339 time of the request.
    pub time: String,
    /// Always `"intent"`.
    pub event: &'static str,
    /// Client address.
    pub peer: &'a str,
    /// Client certificate serial, hex.
    pub serial: &'a str,
    /// The credential's scope.
    pub scope: &'a str,
    /// The credential's role.
    pub role: &'a str,
    /// The operations of the batch items, in order.
    pub operations: Vec<Cow<'static, str>>,
    /// Unique Identifiers the request names.
    pub uids: Vec<&'a str>,
}

/// How often the flusher writes buffered lines (`audit_sync = "batch"`).
pub const BATCH_INTERVAL: Duration = Duration::from_millis(10);
/// Buffered bytes that wake the flusher before its interval is up.
pub const BATCH_BYTES: usize = 64 * 1024;
/// Buffered bytes past which a request writes them itself: the flusher is
/// behind, and the buffer must not grow without bound (nor requests go on
/// faster than the disk takes their records).
pub const BATCH_LIMIT: usize = 16 * BATCH_BYTES;

/// How the audit file is written, rotated and copied (the `audit_*` settings).
#[derive(Clone, Debug, Default)]
pub struct AuditOptions {
    /// When lines reach the file.
    pub sync: AuditSync,
    /// File size past which it is rotated; 0: never.
    pub max_bytes: u64,
    /// Rotated files kept; 0: all.
    pub keep: u32,
    /// Where a copy of each line goes, if anywhere.
    pub syslog: Option<SyslogTarget>,
    /// Connection lines per peer address and minute; 0: no bound.
    pub connection_lines: u32,
}

/// Where audit records go (a clone writes to the same file, in order).
#[derive(Clone)]
pub struct Audit {
    file: Option<Arc<Shared>>,
    sync: AuditSync,
    throttle: Arc<Throttle>,
}

/// Lines on their way to the file.
#[derive(Default)]
struct Batch {
    /// Newline-ended JSON lines, in order.
    lines: Vec<u8>,
    /// Offsets in `lines` where a new file begins.
    splits: Vec<usize>,
    /// Each line's kind, kept only for syslog.
    kinds: Vec<Kind>,
}

impl Batch {
    fn clear(&mut self) {
        self.lines.clear();
        self.splits.clear();
        self.kinds.clear();
    }
}

/// Lines not yet written, and what the next one needs to know.
struct Pending {
    batch: Batch,
    /// The hash the next line chains to.
    last: [u8; 32],
    /// Bytes of the live file, written and buffered.
    size: u64,
}

/// The first line of a file after a rotation.
#[derive(Serialize)]
struct Rotated {
    time: String,
    event: &'static str,
}

/// The file, and what is written with it (behind one lock, which also
/// keeps writes in the order their lines were buffered).
struct Sink {
    file: File,
    /// An empty batch to swap with the pending one.
    spare: Batch,
    syslog: Option<Syslog>,
}

/// The file side, shared with the flusher thread.
struct Shared {
    path: PathBuf,
    max_bytes: u64,
    keep: u32,
    /// Lines not yet written, in order.
    pending: Mutex<Pending>,
    sink: Mutex<Sink>,
    /// Whether line kinds are kept (syslog is on).
    kinds: bool,
    /// The last write failed.
    failing: AtomicBool,
    /// The flusher thread (`batch`), woken early by a full buffer.
    flusher: std::sync::OnceLock<std::thread::Thread>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// Appends one line, serialised in place and chained to the last; past
    /// `max_bytes` an `audit.rotated` line opening a new file goes first.
    fn append(&self, value: &dyn Json, kind: Kind) -> std::io::Result<usize> {
        let mut pending = lock(&self.pending);
        if self.max_bytes > 0 && pending.size >= self.max_bytes {
            let at = pending.batch.lines.len();
            pending.batch.splits.push(at);
            pending.size = 0;
            let rotated = Rotated {
                time: now_rfc3339(),
                event: chain::ROTATED,
            };
            self.push(&mut pending, &Serde(&rotated), Kind::Rotated)?;
        }
        self.push(&mut pending, value, kind)?;
        Ok(pending.batch.lines.len())
    }

    fn push(&self, pending: &mut Pending, value: &dyn Json, kind: Kind) -> std::io::Result<()> {
        let Pending { batch, last, size } = pending;
        let lines = &mut batch.lines;
        let start = lines.len();
        // `{"prev":"<hash>"` opens the line, and the value's own opening
        // brace becomes the comma after it: no copy, no shifting of what
        // the value wrote (serde's flatten, which goes through a map, and
        // splicing the prefix in both cost more).
        lines.extend_from_slice(b"{\"prev\":\"");
        lines.extend_from_slice(&chain::hex(last));
        lines.push(b'"');
        let brace = lines.len();
        let written = value.write(lines);
        match (written, lines.get(brace), lines.get(brace.saturating_add(1))) {
            (Ok(()), Some(b'{'), Some(b'}')) => {
                lines.remove(brace);
            }
            (Ok(()), Some(b'{'), _) => {
                if let Some(b) = lines.get_mut(brace) {
                    *b = b',';
                }
            }
            (result, ..) => {
                lines.truncate(start);
                return Err(result
                    .err()
                    .unwrap_or_else(|| std::io::Error::other("an audit line must be a JSON object")));
            }
        }
        *last = chain::hash(lines.get(start..).unwrap_or_default());
        lines.push(b'\n');
        let added = u64::try_from(lines.len().saturating_sub(start)).unwrap_or(u64::MAX);
        *size = size.saturating_add(added);
        if self.kinds {
            batch.kinds.push(kind);
        }
        Ok(())
    }

    /// Writes what is buffered (and syncs it when asked), rotating where
    /// the batch says.
    fn write(&self, sync: bool) -> std::io::Result<()> {
        let mut guard = lock(&self.sink);
        let Sink { file, spare, syslog } = &mut *guard;
        std::mem::swap(&mut lock(&self.pending).batch, spare);
        if spare.lines.is_empty() && !sync {
            // Nothing written is no success: a failure stays remembered.
            return self.health();
        }
        let written = self.write_batch(file, spare, sync);
        if let Err(e) = &written {
            tracing::error!(
                "audit log write failed, {} bytes of records lost: {e}",
                spare.lines.len()
            );
        }
        if let Some(syslog) = syslog {
            syslog.send(&spare.lines, &spare.kinds);
        }
        spare.clear();
        self.failing.store(written.is_err(), Ordering::Release);
        written
    }

    fn write_batch(&self, file: &mut File, batch: &Batch, sync: bool) -> std::io::Result<()> {
        let mut from = 0;
        for &at in &batch.splits {
            file.write_all(batch.lines.get(from..at).unwrap_or_default())?;
            from = at;
            // Complete on disk before it is renamed away.
            file.sync_data()?;
            match rotate::rotate(&self.path, self.keep) {
                Ok(next) => *file = next,
                // Writing on to the same file keeps the chain whole (the
                // rotated line is chained like any other); only the size
                // bound is lost until the next attempt.
                Err(e) => tracing::error!("audit log {} not rotated, written on: {e}", self.path.display()),
            }
        }
        file.write_all(batch.lines.get(from..).unwrap_or_default())?;
        if sync {
            file.sync_data()?;
        }
        Ok(())
    }

    /// Whether the last write failed.
    fn health(&self) -> std::io::Result<()> {
        match self.failing.load(Ordering::Acquire) {
            true => Err(std::io::Error::other("the last audit log write failed")),
            false => Ok(()),
        }
    }
}

impl Audit {
    /// Appends to `path` (created 0600), or only traces when `None`. Lines
    /// syslog does not take are counted in `syslog_dropped`.
    pub fn open(
        path: Option<&Path>,
        options: &AuditOptions,
        syslog_dropped: metrics::Counter,
    ) -> std::io::Result<Audit> {
        let sync = options.sync;
        let throttle = Arc::new(Throttle::new(options.connection_lines));
        let Some(p) = path else {
            if options.syslog.is_some() {
                return Err(std::io::Error::other(
                    "audit_syslog copies the audit file: set audit_log too",
                ));
            }
            return Ok(Audit {
                file: None,
                sync,
                throttle,
            });
        };
        if let Some(dir) = p.parent() {
            crate::fsutil::create_private_dir(dir)?;
        }
        let mut f = rotate::open_append(p)?;
        let last = match chain::last_line(&mut f)? {
            Some(line) if line.ends_with(b"\n") => chain::hash(line.strip_suffix(b"\n").unwrap_or_default()),
            // A line cut short by a crash: ended, so that the chain (which
            // `verify` reports broken there) goes on after it.
            Some(line) => {
                f.write_all(b"\n")?;
                chain::hash(&line)
            }
            None => chain::GENESIS,
        };
        let size = f.metadata()?.len();
        let syslog = match &options.syslog {
            Some(target) => Some(
                Syslog::open(target, syslog_dropped)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("audit_syslog {target:?}: {e}")))?,
            ),
            None => None,
        };
        let shared = Arc::new(Shared {
            path: p.to_path_buf(),
            max_bytes: options.max_bytes,
            keep: options.keep,
            kinds: syslog.is_some(),
            pending: Mutex::new(Pending {
                batch: Batch {
                    lines: Vec::with_capacity(BATCH_BYTES),
                    ..Batch::default()
                },
                last,
                size,
            }),
            sink: Mutex::new(Sink {
                file: f,
                spare: Batch {
                    lines: Vec::with_capacity(BATCH_BYTES),
                    ..Batch::default()
                },
                syslog,
            }),
            failing: AtomicBool::new(false),
            flusher: std::sync::OnceLock::new(),
        });
        if sync == AuditSync::Batch {
            // The thread holds a weak reference: it ends with the Audit.
            let weak = Arc::downgrade(&shared);
            let flusher = std::thread::Builder::new()
                .name("kmip-audit".into())
                .spawn(move || loop {
                    std::thread::park_timeout(BATCH_INTERVAL);
                    let Some(shared) = weak.upgrade() else { return };
                    let _ = shared.write(false);
                })?;
            let _ = shared.flusher.set(flusher.thread().clone());
        }
        Ok(Audit {
            file: Some(shared),
            sync,
            throttle,
        })
    }

    /// Whether records go to a file (and so can fail to be written).
    pub fn has_file(&self) -> bool {
        self.file.is_some()
    }

    /// Writes the intent line of a request before it runs.
    pub fn intent(&self, intent: &Intent<'_>) -> std::io::Result<()> {
        self.line(&Serde(intent), Kind::Intent)?;
        self.drain()
    }

    /// Records a connection refused or dropped (written as records are),
    /// unless its address is past `audit_connection_lines` this minute.
    pub fn connection(&self, ip: std::net::IpAddr, event: &ConnectionEvent<'_>) -> std::io::Result<()> {
        let (write, ended) = self.throttle.admit(ip, std::time::Instant::now());
        for Suppressed { peer, count } in ended {
            let line = SuppressedLine {
                time: now_rfc3339(),
                event: "connection.suppressed",
                peer: peer.map_or_else(|| "others".into(), |p| p.to_string()),
                count,
                window_secs: throttle::WINDOW.as_secs(),
            };
            self.line(&Serde(&line), Kind::Connection)?;
        }
        if write {
            self.line(&Serde(event), Kind::Connection)?;
        }
        self.flush()
    }

    /// Records an alert of the anomaly detectors (written as records are).
    pub fn alert(&self, alert: &impl Serialize) -> std::io::Result<()> {
        self.line(&Serde(alert), Kind::Alert)?;
        self.flush()
    }

    /// Records an event of the lifecycle policies (written as records are).
    pub fn lifecycle(&self, event: &impl Serialize) -> std::io::Result<()> {
        self.line(&Serde(event), Kind::Lifecycle)?;
        self.flush()
    }

    /// Records a batch item (buffered until [`Audit::flush`]).
    pub fn record(&self, record: &Record<'_>) -> std::io::Result<()> {
        self.line(record, Kind::Record)
    }

    fn line(&self, value: &dyn Json, kind: Kind) -> std::io::Result<()> {
        let text = || {
            let mut line = Vec::new();
            value.write(&mut line)?;
            String::from_utf8(line).map_err(std::io::Error::other)
        };
        match &self.file {
            Some(file) => {
                if tracing::enabled!(target: "kmip_audit", tracing::Level::DEBUG) {
                    tracing::debug!(target: "kmip_audit", "{}", text()?);
                }
                let buffered = file.append(value, kind)?;
                if self.sync == AuditSync::Batch {
                    // A request that wrote the file itself waited on the
                    // disk and on the flusher's write (perf, issue 13):
                    // wake the flusher instead, unless it is far behind.
                    if buffered >= BATCH_LIMIT {
                        file.write(false)?;
                    } else if buffered >= BATCH_BYTES {
                        if let Some(flusher) = file.flusher.get() {
                            flusher.unpark();
                        }
                    }
                }
                Ok(())
            }
            None => {
                tracing::info!(target: "kmip_audit", "{}", text()?);
                Ok(())
            }
        }
    }

    /// The end of a request's records: written and synced now with
    /// `always`; with `batch`, left to the flusher, and an error if the
    /// last write failed.
    pub fn flush(&self) -> std::io::Result<()> {
        match (&self.file, self.sync) {
            (None, _) => Ok(()),
            (Some(file), AuditSync::Always) => file.write(true),
            (Some(file), AuditSync::Batch) => file.health(),
        }
    }

    /// At shutdown: writes everything buffered and lets syslog send it.
    pub fn finish(&self) -> std::io::Result<()> {
        let drained = self.drain();
        if let Some(file) = &self.file {
            if let Some(syslog) = &lock(&file.sink).syslog {
                syslog.settle();
            }
        }
        drained
    }

    /// Writes everything buffered now (an intent line, and at shutdown).
    pub fn drain(&self) -> std::io::Result<()> {
        match &self.file {
            Some(file) => file.write(self.sync == AuditSync::Always),
            None => Ok(()),
        }
    }
}

impl Drop for Audit {
    fn drop(&mut self) {
        let _ = self.drain();
    }
}

/// The current time in RFC 3339, UTC, with milliseconds.
pub fn now_rfc3339() -> String {
    // The calendar arithmetic costs more than the rest of a cached Get's
    // audit record; requests within the same millisecond share it.
    thread_local! {
        static LAST: std::cell::RefCell<(i128, String)> = const { std::cell::RefCell::new((-1, String::new())) };
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let millis = i128::try_from(since.as_millis()).unwrap_or(i128::MAX);
    LAST.with_borrow_mut(|(at, text)| {
        if *at != millis {
            let nanos = millis.saturating_mul(1_000_000);
            let then =
                time::OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            *text = rfc3339_millis(then);
            *at = millis;
        }
        text.clone()
    })
}

/// `t` as `2026-12-04T19:51:26.123Z`, written digit by digit: every audit
/// line has one, and `format!` with seven padded fields was a tenth of a
/// cached Get's user-space time (perf, issue 13).
fn rfc3339_millis(t: time::OffsetDateTime) -> String {
    let mut out = String::with_capacity(24);
    let fields: [(u32, u32, char); 7] = [
        (u32::try_from(t.year()).unwrap_or(0), 4, '-'),
        (u32::from(u8::from(t.month())), 2, '-'),
        (u32::from(t.day()), 2, 'T'),
        (u32::from(t.hour()), 2, ':'),
        (u32::from(t.minute()), 2, ':'),
        (u32::from(t.second()), 2, '.'),
        (u32::from(t.millisecond()), 3, 'Z'),
    ];
    for (value, width, then) in fields {
        for place in (0..width).rev() {
            let digit = value.checked_div(10u32.saturating_pow(place)).unwrap_or(0) % 10;
            out.push(char::from_digit(digit, 10).unwrap_or('0'));
        }
        out.push(then);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_with_milliseconds_zero_padded() {
        for (unix_ms, expected) in [
            (0i64, "1970-01-01T00:00:00.000Z"),
            (1_796_413_886_007, "2026-12-04T19:51:26.007Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ] {
            let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000).unwrap();
            assert_eq!(rfc3339_millis(t), expected);
        }
        assert_eq!(now_rfc3339().len(), 24);
    }

    fn open(path: Option<&Path>, sync: AuditSync) -> std::io::Result<Audit> {
        let options = AuditOptions {
            sync,
            ..AuditOptions::default()
        };
        Audit::open(path, &options, metrics::Counter::noop())
    }

    /// Lines in a chain checked on its own.
    fn lines_of(text: &[u8]) -> Result<usize, (usize, String)> {
        verify(text, None).map(|v| v.lines)
    }

    fn record() -> Record<'static> {
        static UIDS: std::sync::LazyLock<[String; 1]> = std::sync::LazyLock::new(|| ["u".to_owned()]);
        Record {
            time: "t",
            peer: "p",
            serial: "s",
            subject: "CN=x",
            scope: "default",
            role: "admin",
            operation: Some(Cow::Borrowed("Get")),
            uids: &*UIDS,
            status: Cow::Borrowed("Success"),
            reason: None,
            duration_us: 1,
        }
    }

    #[test]
    fn a_failed_batched_write_is_reported_until_one_succeeds() {
        // /dev/full: every write fails, as on a full disk.
        let audit = open(Some(Path::new("/dev/full")), AuditSync::Batch).unwrap();
        audit.record(&record()).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while audit.flush().is_ok() {
            assert!(std::time::Instant::now() < deadline, "the flusher never wrote");
            std::thread::sleep(BATCH_INTERVAL);
        }
        // Always: the answer waits for the write, and sees it fail.
        let audit = open(Some(Path::new("/dev/full")), AuditSync::Always).unwrap();
        audit.record(&record()).unwrap();
        assert!(audit.flush().is_err());
    }

    #[test]
    fn the_chain_goes_on_across_a_restart_and_names_the_first_tampered_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        for run in 0..2u64 {
            let audit = open(Some(&path), AuditSync::Batch).unwrap();
            for n in 0..3 {
                audit
                    .record(&Record {
                        duration_us: run * 10 + n,
                        ..record()
                    })
                    .unwrap();
            }
        }
        let text = std::fs::read(&path).unwrap();
        assert_eq!(lines_of(&text), Ok(6), "two servers' lines, one chain");
        let lines: Vec<&[u8]> = text.split(|&c| c == b'\n').filter(|l| !l.is_empty()).collect();
        let joined = |ls: &[&[u8]]| {
            ls.iter()
                .flat_map(|l| l.iter().copied().chain([b'\n']))
                .collect::<Vec<u8>>()
        };
        // Edited: line 3's duration changed, so line 4 no longer follows it.
        let edited = String::from_utf8(lines[2].to_vec())
            .unwrap()
            .replace("\"duration_us\":2", "\"duration_us\":9");
        let mut tampered = lines.clone();
        tampered[2] = edited.as_bytes();
        assert_eq!(lines_of(&joined(&tampered)[..]).unwrap_err().0, 4);
        // Removed: line 2 gone, the old line 3 (now 2) does not follow line 1.
        let removed = [lines[0], lines[2], lines[3], lines[4], lines[5]];
        assert_eq!(lines_of(&joined(&removed)[..]).unwrap_err().0, 2);
        // Reordered.
        let swapped = [lines[0], lines[2], lines[1], lines[3], lines[4], lines[5]];
        assert_eq!(lines_of(&joined(&swapped)[..]).unwrap_err().0, 2);
        // A first line dropped: the new first line does not start a chain.
        assert_eq!(lines_of(&joined(&lines[1..])[..]).unwrap_err().0, 1);
    }

    #[test]
    fn a_line_cut_short_is_ended_at_restart_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        drop(
            open(Some(&path), AuditSync::Batch)
                .map(|a| a.record(&record()))
                .unwrap(),
        );
        let mut text = std::fs::read(&path).unwrap();
        text.truncate(text.len() - 10);
        std::fs::write(&path, &text).unwrap();
        let audit = open(Some(&path), AuditSync::Batch).unwrap();
        audit.record(&record()).unwrap();
        drop(audit);
        let (line, why) = lines_of(&std::fs::read(&path).unwrap()).unwrap_err();
        assert_eq!(line, 1, "{why}");
        assert!(why.contains("cut short"), "{why}");
    }

    #[test]
    fn lines_reach_the_file_in_the_order_they_were_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let audit = open(Some(&path), AuditSync::Batch).unwrap();
        for n in 0..2000u64 {
            audit
                .record(&Record {
                    duration_us: n,
                    ..record()
                })
                .unwrap();
        }
        drop(audit);
        let text = std::fs::read_to_string(&path).unwrap();
        let order: Vec<u64> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["duration_us"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(order, (0..2000).collect::<Vec<_>>());
    }

    #[test]
    fn rotation_runs_the_chain_across_files_and_keeps_at_most_keep_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let options = AuditOptions {
            sync: AuditSync::Batch,
            max_bytes: 2000,
            keep: 3,
            ..AuditOptions::default()
        };
        // Two servers: the second picks up the size and chain of the first.
        for run in 0..2u64 {
            let audit = Audit::open(Some(&path), &options, metrics::Counter::noop()).unwrap();
            for n in 0..40 {
                audit
                    .record(&Record {
                        duration_us: run * 100 + n,
                        ..record()
                    })
                    .unwrap();
            }
        }
        let file = |n: u32| match n {
            0 => path.clone(),
            n => rotate::numbered(&path, n),
        };
        assert!(file(3).exists(), "three rotated files kept");
        assert!(!file(4).exists(), "the fourth oldest deleted");
        let read = |n: u32| std::fs::read(file(n)).unwrap();
        let mut before = None;
        for n in [3, 2, 1, 0] {
            let text = read(n);
            let line = text.split(|&c| c == b'\n').map(|l| l.len()).max().unwrap();
            assert!(text.len() <= 2000 + line, "file {n}: {} bytes", text.len());
            assert!(text.starts_with(b"{\"prev\":"), "file {n}");
            assert!(String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap()
                .contains(r#""event":"audit.rotated""#));
            let v = verify(&text[..], before.as_ref()).unwrap_or_else(|e| panic!("file {n}: {e:?}"));
            let expected = if n == 3 { Start::Unanchored } else { Start::Follows };
            assert_eq!(v.start, expected, "file {n}");
            before = Some(v.last);
        }
        let live = String::from_utf8(read(0)).unwrap();
        assert!(
            live.contains(r#""duration_us":139"#),
            "the last record is in the live file"
        );
        // A file missing from the middle, or the files out of order, is found.
        let oldest = verify(&read(3)[..], None).unwrap();
        let (line, why) = verify(&read(1)[..], Some(&oldest.last)).unwrap_err();
        assert_eq!(line, 1);
        assert!(why.contains("rotated file between them is missing"), "{why}");
        let newest_first = verify(&read(1)[..], None).unwrap();
        assert!(verify(&read(2)[..], Some(&newest_first.last)).is_err());
    }

    #[test]
    fn syslog_gets_each_line_as_the_file_has_it_and_counts_what_it_did_not_take() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let socket = dir.path().join("log");
        let collector = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
        collector.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let options = AuditOptions {
            sync: AuditSync::Always,
            syslog: Some(SyslogTarget::Unix(socket.clone())),
            ..AuditOptions::default()
        };
        let metrics = crate::observe::metrics::Metrics::new();
        let audit = Audit::open(Some(&path), &options, metrics.syslog_dropped.clone()).unwrap();
        audit.record(&record()).unwrap();
        audit.flush().unwrap();
        audit
            .alert(&serde_json::json!({"time": "t", "event": "alert", "alert": "x"}))
            .unwrap();
        let file = std::fs::read_to_string(&path).unwrap();
        let mut buf = vec![0u8; 65536];
        for (line, (pri, msgid)) in file.lines().zip([("<86>1", "record"), ("<84>1", "alert")]) {
            let n = collector.recv(&mut buf).unwrap();
            let message = std::str::from_utf8(&buf[..n]).unwrap();
            let fields: Vec<&str> = message.splitn(8, ' ').collect();
            assert_eq!(fields[0], pri, "{message}");
            assert!(fields[1].ends_with('Z') && fields[1].contains('T'), "{message}");
            assert_eq!(fields[3], "kmip-server");
            assert_eq!(fields[4], std::process::id().to_string());
            assert_eq!((fields[5], fields[6]), (msgid, "-"));
            assert_eq!(fields[7], line, "the file's line, prev and all");
        }
        // The collector gone: the file still takes the line, syslog counts it.
        drop(collector);
        std::fs::remove_file(&socket).unwrap();
        audit.record(&record()).unwrap();
        audit.flush().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !metrics.encode().contains("kmip_audit_syslog_dropped_total 1") {
            assert!(std::time::Instant::now() < deadline, "{}", metrics.encode());
            std::thread::sleep(BATCH_INTERVAL);
        }
        assert_eq!(lines_of(&std::fs::read(&path).unwrap()), Ok(3));
        // Syslog copies the file: without one it is refused, not ignored.
        assert!(Audit::open(None, &options, metrics::Counter::noop()).is_err());
    }
}
