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

/// Where audit records go.
pub struct Audit {
    file: Option<Arc<Shared>>,
    sync: AuditSync,
}

/// The file side, shared with the flusher thread.
struct Shared {
    /// Lines not yet written, in order.
    pending: Mutex<Vec<u8>>,
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
    /// Appends one line, serialised in place.
    fn append(&self, value: &impl Serialize) -> std::io::Result<usize> {
        let mut pending = lock(&self.pending);
        serde_json::to_writer(&mut *pending, value).map_err(std::io::Error::other)?;
        pending.push(b'\n');
        Ok(pending.len())
    }

    /// Writes what is buffered (and syncs it when asked).
    fn write(&self, sync: bool) -> std::io::Result<()> {
        let mut guard = lock(&self.file);
        let (file, spare) = &mut *guard;
        std::mem::swap(&mut *lock(&self.pending), spare);
        let written = if spare.is_empty() && !sync {
            Ok(())
        } else {
            file.write_all(spare)
                .and_then(|()| if sync { file.sync_data() } else { Ok(()) })
        };
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
        let f = OpenOptions::new().create(true).append(true).mode(0o600).open(p)?;
        let shared = Arc::new(Shared {
            pending: Mutex::new(Vec::with_capacity(BATCH_BYTES)),
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
        match &self.file {
            Some(file) => file.write(self.sync == AuditSync::Always),
            None => Ok(()),
        }
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

    /// Writes everything buffered (at shutdown).
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
