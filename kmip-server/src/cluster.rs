//! Several server nodes on one PostgreSQL database (`store =
//! "postgres://..."`): what they share besides the objects and the
//! registry, and how a node joins.
//!
//! The database keeps, in `cluster_files`, the client CA's certificate and
//! key, the object CA's (Certify), and the sealing key as the key protector
//! wrapped it. The CA keys are sealed under the sealing key, bound to their
//! names, so the database alone opens nothing: a node also needs the
//! key-encryption key (`kek.key`, copied from the first node) or the same
//! HSM key.
//!
//! `kmip-server init` against an empty database initialises the cluster
//! from this node's data directory (creating its CA, sealing key, scope
//! `default`, role `admin` and an admin credential as a single server
//! does) and publishes what the others need. `kmip-server serve` against
//! an initialised database joins: it writes the cluster's CAs and wrapped
//! sealing key into its own data directory, where a single server keeps
//! them, and issues itself a server certificate from the cluster CA.
//! Against an empty one it refuses, so that two nodes started at once
//! never make two clusters. Both hold an advisory lock while they do this.

use std::path::Path;

use crate::config::Config;
use crate::fsutil::{create_private_dir, write_private, write_public};
use crate::keys::Sealer;
use crate::store::postgres::{self, Session};
use crate::store::sql::{Sql, Value};

/// How a shared file is kept in the database (and in a backup, where the
/// CA keys are sealed the same way).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// As it is (a certificate).
    Public,
    /// Sealed under the sealing key (a CA key).
    Sealed,
    /// As the key protector wrapped it (the sealing key).
    Wrapped,
}

/// The files of a data directory its nodes share, and a backup holds
/// beside the database, by their path; the sealing key first, since the
/// CA keys open with it.
pub(crate) const FILES: &[(&str, Form)] = &[
    (crate::keys::SEALING_KEY_FILE, Form::Wrapped),
    ("ca/ca.pem", Form::Public),
    ("ca/ca.key", Form::Sealed),
    ("ca/certify/ca.pem", Form::Public),
    ("ca/certify/ca.key", Form::Sealed),
];

/// The "scope" CA keys are sealed under: no scope can have this name (it
/// starts with a dot), so no object's sealed material opens as a CA key.
const SEALED_AS: &str = ".cluster";

/// The advisory lock key of initialising and joining ("kmin" in ASCII).
const INIT_LOCK: i64 = 0x6b6d_696e;

/// How this node reaches the cluster database at `url` (`store_ca`: TLS).
pub fn connector(config: &Config, url: &str) -> Result<postgres::Connector, String> {
    Ok(postgres::connector(url, config.store_ca.as_deref())?)
}

/// A session of this node's on the cluster database at `url`, its schema
/// brought up to date.
pub fn connect(config: &Config, url: &str) -> Result<Session, String> {
    let mut session = Session::connect(&connector(config, url)?, &config.node())?;
    postgres::schema::migrate(session.client()?)?;
    Ok(session)
}

/// Whether the database holds an initialised cluster.
pub fn initialised(session: &mut Session) -> Result<bool, String> {
    let rows = session.query("SELECT count(*) FROM cluster_files", &[])?;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .is_some_and(|v| v.int().is_ok_and(|n| n > 0)))
}

/// Runs `f` holding the cluster's initialisation lock: nodes starting
/// together join one at a time, and only one initialises.
pub fn locked<T>(session: &mut Session, f: impl FnOnce(&mut Session) -> Result<T, String>) -> Result<T, String> {
    session.execute("SELECT pg_advisory_lock(?1)", &[Value::Int(INIT_LOCK)])?;
    let out = f(session);
    let _ = session.execute("SELECT pg_advisory_unlock(?1)", &[Value::Int(INIT_LOCK)]);
    out
}

/// Publishes this node's CAs and sealing key as the cluster's, in one
/// transaction (`kmip-server init`).
pub fn publish(session: &mut Session, data_dir: &Path, sealer: &Sealer) -> Result<(), String> {
    session.execute("BEGIN", &[])?;
    match publish_within(session, data_dir, sealer) {
        Ok(()) => Ok(session.execute("COMMIT", &[]).map(|_| ())?),
        Err(e) => {
            let _ = session.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

/// [`publish`] inside a transaction the caller holds open (a restore's).
pub fn publish_within(session: &mut Session, data_dir: &Path, sealer: &Sealer) -> Result<(), String> {
    FILES.iter().try_for_each(|(name, form)| {
        let path = data_dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let content = match form {
            Form::Sealed => sealer.seal(name, SEALED_AS, &bytes).map_err(|e| e.to_string())?,
            Form::Public | Form::Wrapped => bytes,
        };
        session.execute(
            "INSERT INTO cluster_files (name, content, created) VALUES (?1, ?2, ?3)",
            &[Value::from(*name), content.into(), crate::store::unix_now().into()],
        )?;
        Ok::<(), String>(())
    })
}

/// Writes the cluster's files into `data_dir`: the certificates and the
/// wrapped sealing key without a sealer, the CA keys with one. A data
/// directory with a CA of its own (a single server's, another cluster's)
/// is refused rather than overwritten.
pub fn fetch(session: &mut Session, data_dir: &Path, sealer: Option<&Sealer>) -> Result<(), String> {
    let rows = session.query("SELECT name, content FROM cluster_files", &[])?;
    for (name, form) in FILES {
        let content = rows
            .iter()
            .find(|r| r.first().is_some_and(|n| *n == Value::from(*name)))
            .and_then(|r| r.get(1))
            .and_then(|v| v.opt_blob().ok().flatten())
            .ok_or_else(|| format!("the cluster database has no {name}: it was not initialised completely"))?;
        let path = data_dir.join(name);
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        match (form, sealer) {
            (Form::Sealed, None) | (Form::Public | Form::Wrapped, Some(_)) => continue,
            (Form::Sealed, Some(sealer)) => {
                let key = sealer
                    .open(name, SEALED_AS, &content)
                    .map_err(|e| format!("{name}: {e}"))?;
                write_private(&path, &key).map_err(io)?;
            }
            (Form::Public | Form::Wrapped, None) => {
                match std::fs::read(&path) {
                    Ok(mine) if mine == content => continue,
                    Ok(_) => {
                        return Err(format!(
                            "{} is not the cluster's: this data directory belongs to another server or cluster; \
                             give this node an empty data directory",
                            path.display()
                        ))
                    }
                    Err(_) => {}
                }
                if let Some(dir) = path.parent() {
                    create_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                match form {
                    Form::Public => write_public(&path, &content),
                    _ => write_private(&path, &content),
                }
                .map_err(io)?;
            }
        }
    }
    Ok(())
}
