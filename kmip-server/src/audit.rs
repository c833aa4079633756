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
//! flusher thread writes the buffer every [`BATCH_INTERVAL`] (an intent
//! line, and a buffer past [`BATCH_BYTES`], are written at once), so a read
//! costs no system call; with `always` each request's lines are written and
//! fdatasync'd before it runs and before it is answered. A failed write is
//! remembered until one succeeds: reads are then refused (fail-closed), and
//! what the buffer held is dropped, with an error logged, rather than kept
//! to grow without bound on a dead disk.
//!
//! Each line of the file carries `prev`, the SHA-256 of the line before it
//! (64 zeros on a file's first line), so that an edited, removed or
//! reordered line breaks the chain at the line after it:
//! `kmip-server audit verify FILE...` ([`verify`]) names the first line
//! that does not follow. A restarted server continues the chain from the
//! file's last line. The chain shows tampering inside a file, not the
//! truncation of its end: keep the file where the server cannot rewrite
//! it (ship it off the machine) for that.
//!
//! A record says who (certificate serial and subject, scope, role), did
//! what (operation, object identifiers), with what result (status, reason)
//! and how long it took. It never holds key material or request data: the
//! only values copied from a request are operation names and Unique
//! Identifiers.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::AuditSync;

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
    pub uids: Vec<&'a str>,
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
/// Buffered bytes that are written at once, without waiting for the flusher.
pub const BATCH_BYTES: usize = 64 * 1024;

/// Where audit records go (a clone writes to the same file, in order).
#[derive(Clone)]
pub struct Audit {
    file: Option<Arc<Shared>>,
    sync: AuditSync,
}

/// Lines not yet written, and the hash the next one chains to.
struct Pending {
    lines: Vec<u8>,
    last: [u8; 32],
}

/// The `prev` of a file's first line.
const GENESIS: [u8; 32] = [0; 32];

/// The SHA-256 of a line (without its newline).
fn hash(line: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, line);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Lower-case hex, without an allocation per byte (this runs per record).
fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [high, low] = pair {
            *high = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *low = DIGITS.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
        }
    }
    out
}

/// The file side, shared with the flusher thread.
struct Shared {
    /// Lines not yet written, in order.
    pending: Mutex<Pending>,
    /// The file, and an empty buffer to swap with `pending` (the lock also
    /// keeps writes in the order their lines were buffered).
    file: Mutex<(File, Vec<u8>)>,
    /// The last write failed.
    failing: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// Appends one line, serialised in place and chained to the last.
    fn append(&self, value: &impl Serialize) -> std::io::Result<usize> {
        let mut guard = lock(&self.pending);
        let Pending { lines, last } = &mut *guard;
        let start = lines.len();
        if let Err(e) = serde_json::to_writer(&mut *lines, value) {
            lines.truncate(start);
            return Err(std::io::Error::other(e));
        }
        // `{"prev":"<hash>",` opens the object: spliced in after its brace
        // (serde's flatten, which goes through a map, cost more).
        if lines.get(start) != Some(&b'{') {
            lines.truncate(start);
            return Err(std::io::Error::other("an audit line must be a JSON object"));
        }
        let after = start.saturating_add(1);
        let prefix = [&b"\"prev\":\""[..], &hex(last), b"\","].concat();
        lines.splice(after..after, prefix);
        *last = hash(lines.get(start..).unwrap_or_default());
        lines.push(b'\n');
        Ok(lines.len())
    }

    /// Writes what is buffered (and syncs it when asked).
    fn write(&self, sync: bool) -> std::io::Result<()> {
        let mut guard = lock(&self.file);
        let (file, spare) = &mut *guard;
        std::mem::swap(&mut lock(&self.pending).lines, spare);
        if spare.is_empty() && !sync {
            // Nothing written is no success: a failure stays remembered.
            return self.health();
        }
        let written = file
            .write_all(spare)
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        if let Err(e) = &written {
            tracing::error!("audit log write failed, {} bytes of records lost: {e}", spare.len());
        }
        spare.clear();
        self.failing.store(written.is_err(), Ordering::Release);
        written
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
    /// Appends to `path` (created 0600), or only traces when `None`.
    pub fn open(path: Option<&Path>, sync: AuditSync) -> std::io::Result<Audit> {
        let Some(p) = path else {
            return Ok(Audit { file: None, sync });
        };
        if let Some(dir) = p.parent() {
            crate::fsutil::create_private_dir(dir)?;
        }
        let mut f = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .mode(0o600)
            .open(p)?;
        let last = match last_line(&mut f)? {
            Some(line) if line.ends_with(b"\n") => hash(line.strip_suffix(b"\n").unwrap_or_default()),
            // A line cut short by a crash: ended, so that the chain (which
            // `verify` reports broken there) goes on after it.
            Some(line) => {
                f.write_all(b"\n")?;
                hash(&line)
            }
            None => GENESIS,
        };
        let shared = Arc::new(Shared {
            pending: Mutex::new(Pending {
                lines: Vec::with_capacity(BATCH_BYTES),
                last,
            }),
            file: Mutex::new((f, Vec::with_capacity(BATCH_BYTES))),
            failing: AtomicBool::new(false),
        });
        if sync == AuditSync::Batch {
            // The thread holds a weak reference: it ends with the Audit.
            let weak = Arc::downgrade(&shared);
            std::thread::Builder::new()
                .name("kmip-audit".into())
                .spawn(move || loop {
                    std::thread::sleep(BATCH_INTERVAL);
                    let Some(shared) = weak.upgrade() else { return };
                    let _ = shared.write(false);
                })?;
        }
        Ok(Audit {
            file: Some(shared),
            sync,
        })
    }

    /// Whether records go to a file (and so can fail to be written).
    pub fn has_file(&self) -> bool {
        self.file.is_some()
    }

    /// Writes the intent line of a request before it runs.
    pub fn intent(&self, intent: &Intent<'_>) -> std::io::Result<()> {
        self.line(intent)?;
        self.drain()
    }

    /// Records a connection refused or dropped (written as records are).
    pub fn connection(&self, event: &ConnectionEvent<'_>) -> std::io::Result<()> {
        self.line(event)?;
        self.flush()
    }

    /// Records an alert of the anomaly detectors (written as records are).
    pub fn alert(&self, alert: &impl Serialize) -> std::io::Result<()> {
        self.line(alert)?;
        self.flush()
    }

    /// Records a batch item (buffered until [`Audit::flush`]).
    pub fn record(&self, record: &Record<'_>) -> std::io::Result<()> {
        self.line(record)
    }

    fn line(&self, value: &impl Serialize) -> std::io::Result<()> {
        match &self.file {
            Some(file) => {
                if tracing::enabled!(target: "kmip_audit", tracing::Level::DEBUG) {
                    let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
                    tracing::debug!(target: "kmip_audit", "{line}");
                }
                let buffered = file.append(value)?;
                if buffered >= BATCH_BYTES && self.sync == AuditSync::Batch {
                    file.write(false)?;
                }
                Ok(())
            }
            None => {
                let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
                tracing::info!(target: "kmip_audit", "{line}");
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

/// The last line of a file (with its newline if it has one), read from
/// the end in blocks; `None` for an empty file.
fn last_line(f: &mut File) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::{Read, Seek, SeekFrom};
    const BLOCK: u64 = 64 * 1024;
    let len = f.seek(SeekFrom::End(0))?;
    let mut tail: Vec<u8> = Vec::new();
    let mut from = len;
    while from > 0 {
        let step = from.min(BLOCK);
        from = from.saturating_sub(step);
        f.seek(SeekFrom::Start(from))?;
        let mut block = vec![0u8; usize::try_from(step).unwrap_or(0)];
        f.read_exact(&mut block)?;
        block.extend_from_slice(&tail);
        tail = block;
        // A newline before the final byte starts the last line.
        let body = tail.len().saturating_sub(1);
        if let Some(at) = tail.get(..body).and_then(|b| b.iter().rposition(|&c| c == b'\n')) {
            return Ok(Some(tail.split_off(at.saturating_add(1))));
        }
    }
    Ok((!tail.is_empty()).then_some(tail))
}

/// Checks the hash chain of an audit file's lines: `Ok(lines)` when every
/// line follows the one before it, or the first that does not (1-based)
/// and why.
pub fn verify(mut text: impl std::io::BufRead) -> Result<usize, (usize, String)> {
    // Line by line: an audit file can be far larger than memory.
    let mut last = GENESIS;
    let mut count = 0usize;
    let mut line = Vec::new();
    loop {
        line.clear();
        let number = count.saturating_add(1);
        match text.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(count),
            Ok(_) => {}
            Err(e) => return Err((number, format!("cannot be read: {e}"))),
        }
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let parsed: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| (number, format!("not a JSON record ({e}): cut short or edited")))?;
        let prev = parsed
            .get("prev")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        if prev.as_bytes() != hex(&last) {
            return Err((
                number,
                "does not follow the line before it: that line was edited, removed or moved".into(),
            ));
        }
        last = hash(body);
        count = number;
    }
}

/// The current time in RFC 3339, UTC, with milliseconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record<'static> {
        Record {
            time: "t",
            peer: "p",
            serial: "s",
            subject: "CN=x",
            scope: "default",
            role: "admin",
            operation: Some(Cow::Borrowed("Get")),
            uids: vec!["u"],
            status: Cow::Borrowed("Success"),
            reason: None,
            duration_us: 1,
        }
    }

    #[test]
    fn a_failed_batched_write_is_reported_until_one_succeeds() {
        // /dev/full: every write fails, as on a full disk.
        let audit = Audit::open(Some(Path::new("/dev/full")), AuditSync::Batch).unwrap();
        audit.record(&record()).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while audit.flush().is_ok() {
            assert!(std::time::Instant::now() < deadline, "the flusher never wrote");
            std::thread::sleep(BATCH_INTERVAL);
        }
        // Always: the answer waits for the write, and sees it fail.
        let audit = Audit::open(Some(Path::new("/dev/full")), AuditSync::Always).unwrap();
        audit.record(&record()).unwrap();
        assert!(audit.flush().is_err());
    }

    #[test]
    fn the_chain_goes_on_across_a_restart_and_names_the_first_tampered_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        for run in 0..2u64 {
            let audit = Audit::open(Some(&path), AuditSync::Batch).unwrap();
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
        assert_eq!(verify(&text[..]), Ok(6), "two servers' lines, one chain");
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
        assert_eq!(verify(&joined(&tampered)[..]).unwrap_err().0, 4);
        // Removed: line 2 gone, the old line 3 (now 2) does not follow line 1.
        let removed = [lines[0], lines[2], lines[3], lines[4], lines[5]];
        assert_eq!(verify(&joined(&removed)[..]).unwrap_err().0, 2);
        // Reordered.
        let swapped = [lines[0], lines[2], lines[1], lines[3], lines[4], lines[5]];
        assert_eq!(verify(&joined(&swapped)[..]).unwrap_err().0, 2);
        // A first line dropped: the new first line does not start a chain.
        assert_eq!(verify(&joined(&lines[1..])[..]).unwrap_err().0, 1);
    }

    #[test]
    fn a_line_cut_short_is_ended_at_restart_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        drop(
            Audit::open(Some(&path), AuditSync::Batch)
                .map(|a| a.record(&record()))
                .unwrap(),
        );
        let mut text = std::fs::read(&path).unwrap();
        text.truncate(text.len() - 10);
        std::fs::write(&path, &text).unwrap();
        let audit = Audit::open(Some(&path), AuditSync::Batch).unwrap();
        audit.record(&record()).unwrap();
        drop(audit);
        let (line, why) = verify(&std::fs::read(&path).unwrap()[..]).unwrap_err();
        assert_eq!(line, 1, "{why}");
        assert!(why.contains("cut short"), "{why}");
    }

    #[test]
    fn lines_reach_the_file_in_the_order_they_were_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let audit = Audit::open(Some(&path), AuditSync::Batch).unwrap();
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
}
