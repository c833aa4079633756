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
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)?;
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
