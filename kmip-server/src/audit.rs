//! The audit trail: one JSON line per batch item, to a file, or to tracing
//! when there is none (with a file, the lines are traced at debug level,
//! `RUST_LOG=kmip_audit=debug`: formatting every record twice, and
//! serialising all threads on stderr, halved the throughput of reads).
//!
//! Fail-closed (the default, `audit_fail_closed`): before a request that
//! may change something runs, an `intent` line naming who asks for which
//! operations on which objects is written to the file; if it cannot be,
//! the request is refused and changes nothing, so no change goes
//! unaudited. The per-item outcome lines follow as before.
//!
//! A record says who (certificate serial and subject, scope, role), did
//! what (operation, object identifiers), with what result (status, reason)
//! and how long it took. It never holds key material or request data: the
//! only values copied from a request are operation names and Unique
//! Identifiers.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

/// One audited batch item.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// RFC 3339 time of the request.
    pub time: String,
    /// Client address.
    pub peer: String,
    /// Client certificate serial, hex.
    pub serial: &'a str,
    /// Client certificate subject.
    pub subject: &'a str,
    /// The credential's scope.
    pub scope: &'a str,
    /// The credential's role.
    pub role: &'a str,
    /// The operation, or `null` when the item could not be decoded.
    pub operation: Option<String>,
    /// Unique Identifiers named in the request or returned.
    pub uids: Vec<String>,
    /// Result Status.
    pub status: String,
    /// Result Reason, on failure.
    pub reason: Option<String>,
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
    pub operations: Vec<String>,
    /// Unique Identifiers the request names.
    pub uids: Vec<String>,
}

/// Where audit records go.
pub struct Audit {
    file: Option<Mutex<BufWriter<File>>>,
}

impl Audit {
    /// Appends to `path` (created 0600), or only traces when `None`.
    pub fn open(path: Option<&Path>) -> std::io::Result<Audit> {
        let file = match path {
            Some(p) => {
                if let Some(dir) = p.parent() {
                    crate::fsutil::create_private_dir(dir)?;
                }
                let f = OpenOptions::new().create(true).append(true).mode(0o600).open(p)?;
                Some(Mutex::new(BufWriter::new(f)))
            }
            None => None,
        };
        Ok(Audit { file })
    }

    /// Whether records go to a file (and so can fail to be written).
    pub fn has_file(&self) -> bool {
        self.file.is_some()
    }

    /// Writes the intent line of a request and pushes it to the file.
    pub fn intent(&self, intent: &Intent<'_>) -> std::io::Result<()> {
        let line = serde_json::to_string(intent).map_err(std::io::Error::other)?;
        self.trace(&line);
        if let Some(file) = &self.file {
            let mut f = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            writeln!(f, "{line}")?;
            f.flush()?;
        }
        Ok(())
    }

    /// Records a batch item (buffered until [`Audit::flush`]).
    pub fn record(&self, record: &Record<'_>) -> std::io::Result<()> {
        let line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        self.trace(&line);
        if let Some(file) = &self.file {
            let mut f = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            writeln!(f, "{line}")?;
        }
        Ok(())
    }

    /// A line to tracing: the trail itself when there is no file.
    fn trace(&self, line: &str) {
        match self.file {
            Some(_) => tracing::debug!(target: "kmip_audit", "{line}"),
            None => tracing::info!(target: "kmip_audit", "{line}"),
        }
    }

    /// Pushes buffered records to the file (after each request).
    pub fn flush(&self) -> std::io::Result<()> {
        match &self.file {
            Some(file) => file.lock().unwrap_or_else(std::sync::PoisonError::into_inner).flush(),
            None => Ok(()),
        }
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
