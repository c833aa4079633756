//! Size-based rotation of the audit file, as logrotate names it: the live
//! file is renamed `audit.log.1`, an older `.1` becomes `.2`, and so on;
//! past `audit_keep` files the oldest is deleted (`audit_keep = 0` keeps
//! them all). The live file is synced before it is renamed and the
//! directory after, so a crash leaves every line in exactly one file.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// `audit.log.N`.
pub(crate) fn numbered(path: &Path, n: u32) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// The N of `audit.log.N`, 0 for a name without one (the live file).
pub fn rotation_index(path: &Path) -> u32 {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(|e| e.parse().ok())
        .unwrap_or(0)
}

/// Opens (creates 0600) an audit file for appending.
pub(crate) fn open_append(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

/// Renames the live file away, deletes what is past `keep`, and opens a
/// new live file. The caller has synced the old one.
pub(crate) fn rotate(path: &Path, keep: u32) -> std::io::Result<File> {
    let top = match keep {
        // All kept: shift up to the first free number.
        0 => (1u32..).find(|&n| !numbered(path, n).exists()).unwrap_or(u32::MAX),
        k => {
            remove_if_present(&numbered(path, k))?;
            k
        }
    };
    for n in (1..top).rev() {
        match std::fs::rename(numbered(path, n), numbered(path, n.saturating_add(1))) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    std::fs::rename(path, numbered(path, 1))?;
    let file = open_append(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(file)
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
