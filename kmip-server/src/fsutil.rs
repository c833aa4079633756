//! Writing files that hold secrets: created with mode 0600 from the start
//! (never world-readable, not even briefly), written to a temporary name,
//! synced and renamed so that a crash leaves the old file or the new one.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

fn write_with_mode(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let tmp = path.with_extension("tmp");
    // O_CREAT|O_EXCL: never through a symlink planted at the temporary
    // name (unlinking one removes the link, not what it points to).
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
    file.write_all(data)?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Writes a secret (private key, key-encryption key): mode 0600.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, data, 0o600)
}

/// Writes a public file (certificate): mode 0644.
pub fn write_public(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, data, 0o644)
}

/// Creates a directory (and parents) with mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Takes the data directory's server lock (`server.lock`, held until the
/// returned file is dropped), so that no two servers ever serve one data
/// directory; the admin CLI does not take it and works beside a server.
pub fn lock_data_dir(dir: &Path) -> Result<fs::File, String> {
    create_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("server.lock");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(format!(
            "another kmip-server is serving {} (it holds {}): stop it, or give this one another --data-dir",
            dir.display(),
            path.display()
        )),
        Err(fs::TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

/// Makes `dir` a fresh private directory to write new secrets into: it is
/// created with mode 0700, or, if it exists, it must be an empty real
/// directory (not a symlink) of this process's user that no one else may
/// enter. Anything else is refused, so that nothing planted there
/// beforehand (a symlink to the key-encryption key, a file another user
/// can read) meets the secrets written next.
pub fn fresh_private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let refuse = |why: &str| Err(format!("{}: {why}; give a new directory", dir.display()));
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    }
    let meta = fs::symlink_metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // /proc/self belongs to the process's effective user.
    let me = fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|e| format!("/proc/self: {e}"))?;
    if !meta.is_dir() {
        return refuse("exists and is not a directory (or is a symlink)");
    }
    if meta.uid() != me || meta.mode() & 0o077 != 0 {
        return refuse("exists and is not a private (0700) directory of this user");
    }
    if fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .next()
        .is_some()
    {
        return refuse("exists and is not empty");
    }
    Ok(())
}

/// Refuses to write a new file where anything (a file, a symlink) already is.
pub fn refuse_existing(path: &Path) -> Result<(), String> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
        Ok(_) => Err(format!("{} already exists: give a new path", path.display())),
    }
}
