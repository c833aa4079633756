//! The server's SQLite database: schema, migrations and the connection
//! settings that make an acknowledged write durable.
//!
//! WAL mode with `synchronous=FULL`: a commit is on disk before it returns,
//! and readers never block the writer. The schema is versioned with
//! `PRAGMA user_version`; each migration runs once, in a transaction.
//! The credential registry (scopes, roles, credentials) lives here too, so
//! that the admin CLI can change it while the server runs.

pub mod objects;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// The database file inside the data directory.
pub const DB_FILE: &str = "kmip.db";

/// Migrations, in order; the schema version is their count.
const MIGRATIONS: &[&str] = &[
    // 1: the credential registry and the scope of every object.
    "CREATE TABLE scopes (
        name TEXT PRIMARY KEY,
        created INTEGER NOT NULL
     );
     CREATE TABLE roles (
        scope TEXT NOT NULL REFERENCES scopes(name),
        name TEXT NOT NULL,
        operations TEXT NOT NULL,
        tls_key_type TEXT NOT NULL,
        tls_ttl_secs INTEGER NOT NULL,
        created INTEGER NOT NULL,
        PRIMARY KEY (scope, name)
     );
     CREATE TABLE credentials (
        serial TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        role TEXT NOT NULL,
        subject TEXT NOT NULL,
        not_after INTEGER NOT NULL,
        created INTEGER NOT NULL,
        revoked INTEGER
     );
     CREATE INDEX credentials_by_role ON credentials(scope, role);
     CREATE TABLE objects (
        uid TEXT PRIMARY KEY,
        scope TEXT NOT NULL REFERENCES scopes(name),
        object_type INTEGER NOT NULL,
        created INTEGER NOT NULL
     );
     CREATE INDEX objects_by_scope ON objects(scope);
     CREATE TABLE registry_generation (value INTEGER NOT NULL);
     INSERT INTO registry_generation VALUES (0);",
];

/// Why the database could not be used.
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(format!("database: {e}"))
    }
}

/// Opens (creating if needed) the database in `data_dir` and brings its
/// schema up to date.
pub fn open(data_dir: &Path) -> Result<Connection, DbError> {
    let path = data_dir.join(DB_FILE);
    let mut conn = Connection::open(&path).map_err(|e| DbError(format!("{}: {e}", path.display())))?;
    // Another process (the admin CLI, or the server) may hold the write
    // lock briefly; wait for it rather than failing.
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(DbError(format!(
            "the database has schema version {version}, newer than this server's {}: use a newer server",
            MIGRATIONS.len()
        )));
    }
    for sql in MIGRATIONS.iter().skip(version) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()?;
    Ok(())
}

/// The current time, POSIX seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
