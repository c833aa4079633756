//! Backup and restore of a data directory (`kmip-server backup`,
//! `kmip-server restore`).
//!
//! A backup is one file: the database as of one moment (SQLite's `VACUUM
//! INTO`, a read transaction, so the server keeps serving and the copy is
//! consistent), the wrapped sealing key, and both CAs' certificates and
//! keys, the CA keys sealed under the sealing key. Key material stays as
//! it is in the database, sealed. The key-encryption key is *not* in it:
//! a backup opens only with the KEK file or HSM key it was made under,
//! which the operator keeps apart. The server certificate and the
//! credential bundles under `clients/` are not kept either: a restored
//! server issues itself a new server certificate from the restored CA
//! (clients trust the CA, not the certificate), and credentials live on
//! in the registry. Audit files are an append-only trail to ship as they
//! grow, not to restore.
//!
//! With a PostgreSQL store the database in the backup is made from the
//! cluster's tables as of one moment ([`copy`]), in the same SQLite form:
//! a backup restores into either backend, whichever it was made from.
//!
//! Format: [`MAGIC`], then entries (name length u16, name, data length
//! u64, data, big-endian), then a zero name length and the SHA-256 of
//! every byte before it. A restore checks the digest before it puts
//! anything in place.

mod copy;

use std::fs;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::cluster::{Form, FILES};
use crate::config::Config;
use crate::fsutil::{create_private_dir, write_private, write_public};
use crate::keys::{Sealer, SEALING_KEY_FILE};
use crate::store::sql::Sql;
use crate::store::DB_FILE;

/// The first bytes of a backup file.
pub const MAGIC: &[u8] = b"KMIP-SERVER-BACKUP 1\n";

/// The scope the CA keys are sealed under (with their path as the UID),
/// so that no object's sealed material can pass for one.
const SEALED_SCOPE: &str = "backup";

/// The manifest's name: what the backup is, for a person reading it.
const MANIFEST: &str = "manifest.json";

/// Largest entry other than the database a restore reads into memory.
const MAX_SMALL_ENTRY: u64 = 1 << 20;

/// What a backup holds (and a restore put back).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Objects in the database.
    pub objects: u64,
    /// Objects with sealed key material (each opened by a restore).
    pub sealed: u64,
    /// Scopes.
    pub scopes: u64,
    /// Credentials issued (revoked ones included).
    pub credentials: u64,
    /// The database's schema version.
    pub schema: u32,
    /// Bytes of the database copy.
    pub database_bytes: u64,
}

/// Counts what a database holds; `sealer` also opens every object's
/// material, failing at the first that does not open.
fn survey(conn: &Connection, sealer: Option<&Sealer>) -> Result<Summary, String> {
    let db = |e: rusqlite::Error| format!("the backed-up database: {e}");
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0)).map_err(db);
    let mut sealed = 0u64;
    let mut stmt = conn
        .prepare("SELECT uid, scope, sealed FROM objects WHERE sealed IS NOT NULL")
        .map_err(db)?;
    let mut rows = stmt.query([]).map_err(db)?;
    while let Some(row) = rows.next().map_err(db)? {
        if let Some(sealer) = sealer {
            let (uid, scope, material): (String, String, Vec<u8>) = (
                row.get(0).map_err(db)?,
                row.get(1).map_err(db)?,
                row.get(2).map_err(db)?,
            );
            sealer.open(&uid, &scope, &material).map_err(|e| e.to_string())?;
        }
        sealed = sealed.saturating_add(1);
    }
    Ok(Summary {
        objects: count("SELECT count(*) FROM objects")?,
        sealed,
        scopes: count("SELECT count(*) FROM scopes")?,
        credentials: count("SELECT count(*) FROM credentials")?,
        schema: conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(db)?,
        database_bytes: 0,
    })
}

/// Writes bytes on and hashes them.
struct Hashing<W> {
    inner: W,
    digest: Context,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

fn entry_head(out: &mut impl Write, name: &str, len: u64) -> std::io::Result<()> {
    let name_len = u16::try_from(name.len()).map_err(|_| std::io::Error::other("entry name too long"))?;
    out.write_all(&name_len.to_be_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(&len.to_be_bytes())
}

/// Removes a file when dropped, unless kept.
struct Scratch(Option<PathBuf>);

impl Scratch {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(path);
        }
    }
}

/// Writes a backup of `config`'s data directory to `out`, which must not
/// exist, while a server may be serving it. Needs the key protector (to
/// seal the CA keys under the sealing key).
pub fn backup(config: &Config, out: &Path) -> Result<Summary, String> {
    crate::fsutil::refuse_existing(out)?;
    let data = &config.data_dir;
    if config.postgres().is_none() && !data.join(DB_FILE).exists() {
        return Err(format!("{} holds no database to back up", data.display()));
    }
    let (sealer, _) = crate::setup::sealer(config, false)?;
    let snapshot_path = data.join(format!(".backup-{}.db", std::process::id()));
    let _ = fs::remove_file(&snapshot_path);
    // Created empty first, so that the copy is private from its first byte.
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&snapshot_path)
        .map_err(|e| format!("{}: {e}", snapshot_path.display()))?;
    let snapshot = Scratch(Some(snapshot_path.clone()));
    match config.postgres() {
        None => {
            let conn = crate::store::open(data).map_err(|e| e.to_string())?;
            conn.execute("VACUUM INTO ?1", [snapshot_path.to_string_lossy()])
                .map_err(|e| format!("copying the database: {e}"))?;
        }
        Some(url) => from_postgres(config, url, &snapshot_path)?,
    }
    let mut summary = survey(
        &Connection::open_with_flags(&snapshot_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("{}: {e}", snapshot_path.display()))?,
        None,
    )?;
    let db_len = fs::metadata(&snapshot_path)
        .map_err(|e| format!("{}: {e}", snapshot_path.display()))?
        .len();
    summary.database_bytes = db_len;

    let tmp = out.with_extension("partial");
    let _ = fs::remove_file(&tmp);
    let partial = Scratch(Some(tmp.clone()));
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    let io = |e: std::io::Error| format!("writing {}: {e}", tmp.display());
    let mut w = Hashing {
        inner: BufWriter::new(file),
        digest: Context::new(&SHA256),
    };
    w.write_all(MAGIC).map_err(io)?;
    let manifest = serde_json::json!({
        "format": 1,
        "created": crate::store::unix_now(),
        "server_version": env!("CARGO_PKG_VERSION"),
        "key_protector": format!("{:?}", config.key_protector).to_lowercase(),
        "store": if config.postgres().is_some() { "postgres" } else { "sqlite" },
        "summary": &summary,
    })
    .to_string();
    entry_head(&mut w, MANIFEST, manifest.len() as u64).map_err(io)?;
    w.write_all(manifest.as_bytes()).map_err(io)?;
    for (name, form) in FILES {
        let path = data.join(name);
        let bytes = Zeroizing::new(fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
        let bytes = match *form == Form::Sealed {
            true => Zeroizing::new(sealer.seal(name, SEALED_SCOPE, &bytes).map_err(|e| e.to_string())?),
            false => bytes,
        };
        entry_head(&mut w, name, bytes.len() as u64).map_err(io)?;
        w.write_all(&bytes).map_err(io)?;
    }
    entry_head(&mut w, DB_FILE, db_len).map_err(io)?;
    let mut db = fs::File::open(&snapshot_path).map_err(|e| format!("{}: {e}", snapshot_path.display()))?;
    let copied = std::io::copy(&mut db, &mut w).map_err(io)?;
    if copied != db_len {
        return Err(format!(
            "the database copy changed size while being read ({db_len} → {copied} bytes)"
        ));
    }
    w.write_all(&0u16.to_be_bytes()).map_err(io)?;
    let Hashing { inner, digest } = w;
    let mut file = inner.into_inner().map_err(|e| io(e.into_error()))?;
    file.write_all(digest.finish().as_ref()).map_err(io)?;
    file.sync_all().map_err(io)?;
    fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))?;
    partial.keep();
    drop(snapshot);
    Ok(summary)
}

/// Restores the backup `file` into `config`'s data directory, which must
/// be new (or hold only the KEK). With the soft key protector
/// the KEK the backup was made under is `kek` (copied in) or already the
/// directory's `kek.key`; with PKCS#11 it is the configured token's key.
/// Nothing is left in place unless the digest matches and the sealing key
/// unwraps; every object's material is opened before it returns.
pub fn restore(config: &Config, file: &Path, kek: Option<&Path>) -> Result<Summary, String> {
    let Some(url) = config.postgres() else {
        return restore_files(config, file, kek);
    };
    let mut session = crate::cluster::connect(config, url)?;
    crate::cluster::locked(&mut session, |session| {
        let taken = Sql::query(
            session,
            "SELECT (SELECT count(*) FROM cluster_files) + (SELECT count(*) FROM scopes)",
            &[],
        )?;
        if taken.first().and_then(|r| r.first()) != Some(&crate::store::sql::Value::Int(0)) {
            return Err(format!(
                "the PostgreSQL database of store = \"{url}\" is not empty: restore only into a new database"
            ));
        }
        let summary = restore_files(config, file, kek)?;
        into_postgres(config, session)?;
        Ok(summary)
    })
}

/// The cluster's database as of one moment, into a SQLite database at
/// `path` (a backup's copy).
fn from_postgres(config: &Config, url: &str, path: &Path) -> Result<(), String> {
    let mut source = crate::cluster::connect(config, url)?;
    let mut copy = crate::store::sqlite::schema::open_file(path)?;
    Sql::execute(&mut source, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &[])?;
    Sql::execute(&mut copy, "BEGIN IMMEDIATE", &[])?;
    copy::copy(&mut source, &mut copy)?;
    Sql::execute(&mut copy, "COMMIT", &[])?;
    let _ = Sql::execute(&mut source, "COMMIT", &[]);
    // One self-contained file, no WAL beside it.
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

/// The restored data directory's database into the (empty) cluster
/// database, with what the nodes share, in one transaction; the local copy
/// is removed after (a node keeps no objects of its own).
fn into_postgres(config: &Config, session: &mut crate::store::postgres::Session) -> Result<(), String> {
    let data = &config.data_dir;
    let (sealer, _) = crate::setup::sealer(config, false)?;
    let mut source = crate::store::open(data)?;
    Sql::execute(session, "BEGIN", &[])?;
    let copied = copy::copy(&mut source, session)
        .map_err(String::from)
        .and_then(|_| crate::cluster::publish_within(session, data, &sealer));
    match copied {
        Ok(()) => Sql::execute(session, "COMMIT", &[])?,
        Err(e) => {
            let _ = Sql::execute(session, "ROLLBACK", &[]);
            return Err(e);
        }
    };
    drop(source);
    for file in [DB_FILE.to_owned(), format!("{DB_FILE}-wal"), format!("{DB_FILE}-shm")] {
        let _ = fs::remove_file(data.join(file));
    }
    Ok(())
}

/// [`restore`] into the data directory alone (SQLite).
fn restore_files(config: &Config, file: &Path, kek: Option<&Path>) -> Result<Summary, String> {
    let data = &config.data_dir;
    let kek_path = data.join(crate::keys::soft::KEK_FILE);
    // Nothing of another installation may mix with the restored one (a
    // server certificate from another CA, say); only the KEK may wait here.
    if let Ok(entries) = fs::read_dir(data) {
        for entry in entries.flatten() {
            if entry.path() != kek_path {
                return Err(format!(
                    "{} already holds {}: restore only into a new data directory (a kek.key may be there)",
                    data.display(),
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    create_private_dir(data).map_err(|e| format!("{}: {e}", data.display()))?;
    let mut placed_kek = None;
    if config.key_protector == crate::config::Protector::Soft {
        match kek {
            Some(from) => {
                crate::fsutil::refuse_existing(&kek_path)?;
                let key = Zeroizing::new(fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?);
                write_private(&kek_path, &key).map_err(|e| format!("{}: {e}", kek_path.display()))?;
                placed_kek = Some(Scratch(Some(kek_path.clone())));
            }
            None if !kek_path.exists() => {
                return Err(format!(
                    "a backup holds no key-encryption key: put the kek.key it was made under at {} \
                     or give it with --kek FILE",
                    kek_path.display()
                ))
            }
            None => {}
        }
    }
    let summary = unpack(config, file)?;
    if let Some(kek) = placed_kek {
        kek.keep();
    }
    Ok(summary)
}

/// Reads one entry's head: its name (`None` at the end) and length.
fn read_head(r: &mut impl Read) -> Result<Option<(String, u64)>, String> {
    let truncated = |e: std::io::Error| format!("the backup is truncated or unreadable: {e}");
    let mut len = [0u8; 2];
    r.read_exact(&mut len).map_err(truncated)?;
    let name_len = u16::from_be_bytes(len);
    if name_len == 0 {
        return Ok(None);
    }
    if name_len > 64 {
        return Err("the backup is damaged: an entry name is too long".into());
    }
    let mut name = vec![0u8; usize::from(name_len)];
    r.read_exact(&mut name).map_err(truncated)?;
    let mut size = [0u8; 8];
    r.read_exact(&mut size).map_err(truncated)?;
    let name = String::from_utf8(name).map_err(|_| "the backup is damaged: an entry name is not UTF-8".to_owned())?;
    Ok(Some((name, u64::from_be_bytes(size))))
}

fn unpack(config: &Config, file: &Path) -> Result<Summary, String> {
    let data = &config.data_dir;
    let opened = fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut r = Hashing {
        inner: BufReader::new(opened),
        digest: Context::new(&SHA256),
    };
    let mut magic = vec![0u8; MAGIC.len()];
    if r.read_exact(&mut magic).is_err() || magic != MAGIC {
        return Err(format!("{} is not a kmip-server backup", file.display()));
    }
    let protector = crate::setup::protector(config, false)?;
    let db_tmp = data.join(format!("{DB_FILE}.restoring"));
    let _ = fs::remove_file(&db_tmp);
    let db_scratch = Scratch(Some(db_tmp.clone()));
    let mut small: Vec<(&str, Zeroizing<Vec<u8>>)> = Vec::new();
    let mut sealer = None;
    let mut has_db = false;
    while let Some((name, len)) = read_head(&mut r)? {
        let truncated = |e: std::io::Error| format!("the backup is truncated or unreadable: {e}");
        if name == DB_FILE && !has_db {
            has_db = true;
            let mut out = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&db_tmp)
                .map_err(|e| format!("{}: {e}", db_tmp.display()))?;
            let copied = std::io::copy(&mut (&mut r).take(len), &mut out).map_err(truncated)?;
            if copied != len {
                return Err("the backup is truncated: the database is cut short".into());
            }
            out.sync_all().map_err(|e| format!("{}: {e}", db_tmp.display()))?;
            continue;
        }
        if len > MAX_SMALL_ENTRY {
            return Err(format!("the backup is damaged: entry {name} claims {len} bytes"));
        }
        let mut bytes = Zeroizing::new(vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)]);
        r.read_exact(&mut bytes).map_err(truncated)?;
        if name == MANIFEST {
            continue;
        }
        let Some(&(known, form)) = FILES.iter().find(|(f, _)| *f == name) else {
            return Err(format!("the backup is damaged: unknown entry {name:?}"));
        };
        if small.iter().any(|(n, _)| *n == known) {
            return Err(format!("the backup is damaged: entry {name} twice"));
        }
        if known == SEALING_KEY_FILE {
            // Checked before the database is read: a wrong KEK is told at once.
            let key = protector.unwrap(&bytes).map_err(|e| {
                format!(
                    "this backup's sealing key does not unwrap with the {} key protector ({e}): restore it with \
                     the key-encryption key (kek.key or HSM key) it was made under; nothing was restored",
                    protector.name()
                )
            })?;
            sealer = Some(Sealer::new(&key).map_err(|e| e.to_string())?);
        }
        if form == Form::Sealed {
            let Some(sealer) = &sealer else {
                return Err("the backup is damaged: a CA key comes before the sealing key".into());
            };
            bytes = sealer
                .open(known, SEALED_SCOPE, &bytes)
                .map_err(|e| format!("the backup is damaged: {known}: {e}"))?;
        }
        small.push((known, bytes));
    }
    let mut digest = [0u8; 32];
    r.inner
        .read_exact(&mut digest)
        .map_err(|e| format!("the backup is truncated: {e}"))?;
    let trailing = r
        .inner
        .read(&mut [0u8; 1])
        .map_err(|e| format!("{}: {e}", file.display()))?;
    if r.digest.finish().as_ref() != digest || trailing != 0 {
        return Err("the backup is damaged: its SHA-256 does not match its content; nothing was restored".into());
    }
    let (Some(sealer), true, true) = (sealer, has_db, small.len() == FILES.len()) else {
        return Err("the backup is incomplete: it lacks the database, the sealing key or a CA file".into());
    };
    // Every key opens before anything is put in place.
    let mut summary = survey(
        &Connection::open_with_flags(&db_tmp, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("{}: {e}", db_tmp.display()))?,
        Some(&sealer),
    )?;
    summary.database_bytes = fs::metadata(&db_tmp).map(|m| m.len()).unwrap_or(0);
    for (name, bytes) in &small {
        let path = data.join(name);
        let written = match name.ends_with(".key") {
            true => write_private(&path, bytes),
            false => write_public(&path, bytes),
        };
        written.map_err(|e| format!("{}: {e}", path.display()))?;
    }
    fs::rename(&db_tmp, data.join(DB_FILE)).map_err(|e| format!("{}: {e}", data.display()))?;
    db_scratch.keep();
    // Brings an older backup's schema up to this server's.
    crate::store::open(data).map_err(|e| e.to_string())?;
    Ok(summary)
}
