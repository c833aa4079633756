//! The SQLite schema, its migrations, and the connection settings that
//! make an acknowledged write durable.
//!
//! WAL mode with `synchronous=FULL`: a commit is on disk before it returns,
//! and readers never block the writer. The schema is versioned with
//! `PRAGMA user_version`; each migration runs once, in a transaction.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::store::DbError;

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
    // 2: managed objects: lifecycle state, sealed material, attributes.
    "ALTER TABLE objects ADD COLUMN state INTEGER NOT NULL DEFAULT 1;
     ALTER TABLE objects ADD COLUMN sealed BLOB;
     CREATE TABLE attributes (
        uid TEXT NOT NULL REFERENCES objects(uid) ON DELETE CASCADE,
        name TEXT NOT NULL,
        idx INTEGER NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (uid, name, idx)
     );
     CREATE INDEX attributes_by_value ON attributes(name, value);",
    // 3: index only what Locate looks up by: an index entry for every
    // attribute of every object cost half the durable Create rate. Object
    // Type, State and Unique Identifier are columns of `objects`; the names
    // clients locate by get one partial index each (see objects::INDEXED).
    "DROP INDEX attributes_by_value;
     CREATE INDEX objects_by_type ON objects(scope, object_type);
     CREATE INDEX attributes_name ON attributes(value) WHERE name = 'Name';
     CREATE INDEX attributes_object_group ON attributes(value) WHERE name = 'Object Group';
     CREATE INDEX attributes_alternative_name ON attributes(value) WHERE name = 'Alternative Name';
     CREATE INDEX attributes_application_info ON attributes(value) WHERE name = 'Application Specific Information';
     CREATE INDEX attributes_link ON attributes(value) WHERE name = 'Link';",
    // 4: the lifecycle state is kept once, in objects.state; the State
    // attribute a client reads is made from it.
    "DELETE FROM attributes WHERE name = 'State';",
    // 5: what each scope holds, for its quota: counted by triggers in the
    // same transaction as every insert, delete and change of an object
    // row, so no code path can miss it. Objects count until destroyed
    // (state 5 or 6: Destroy frees the slot, the metadata stays); bytes are
    // sealed material plus attribute values, which each object's row keeps
    // (objects::write_attributes measures them).
    "ALTER TABLE objects ADD COLUMN attribute_bytes INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE scopes ADD COLUMN object_count INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE scopes ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE scopes ADD COLUMN max_objects INTEGER;
     ALTER TABLE scopes ADD COLUMN max_bytes INTEGER;
     UPDATE objects SET attribute_bytes =
        (SELECT coalesce(sum(length(value)), 0) FROM attributes a WHERE a.uid = objects.uid);
     UPDATE scopes SET
        object_count = (SELECT count(*) FROM objects o WHERE o.scope = scopes.name AND o.state < 5),
        stored_bytes = (SELECT coalesce(sum(coalesce(length(o.sealed), 0) + o.attribute_bytes), 0)
                        FROM objects o WHERE o.scope = scopes.name);
     CREATE TRIGGER objects_counted_in AFTER INSERT ON objects BEGIN
        UPDATE scopes SET object_count = object_count + (NEW.state < 5),
            stored_bytes = stored_bytes + coalesce(length(NEW.sealed), 0) + NEW.attribute_bytes
        WHERE name = NEW.scope;
     END;
     CREATE TRIGGER objects_counted_out AFTER DELETE ON objects BEGIN
        UPDATE scopes SET object_count = object_count - (OLD.state < 5),
            stored_bytes = stored_bytes - coalesce(length(OLD.sealed), 0) - OLD.attribute_bytes
        WHERE name = OLD.scope;
     END;
     CREATE TRIGGER objects_recounted AFTER UPDATE OF state, sealed, attribute_bytes ON objects BEGIN
        UPDATE scopes SET object_count = object_count + (NEW.state < 5) - (OLD.state < 5),
            stored_bytes = stored_bytes
            + coalesce(length(NEW.sealed), 0) + NEW.attribute_bytes
            - coalesce(length(OLD.sealed), 0) - OLD.attribute_bytes
        WHERE name = NEW.scope;
     END;",
    // 6: one row that readiness checks write, to know the database takes
    // a durable write; and the anomaly detectors' memory of which credential has fetched,
    // created or registered which object (observe::alerts).
    "CREATE TABLE health (id INTEGER PRIMARY KEY, checked INTEGER NOT NULL);
     CREATE TABLE material_readers (
        serial TEXT NOT NULL,
        uid TEXT NOT NULL,
        first INTEGER NOT NULL,
        PRIMARY KEY (serial, uid)
     ) WITHOUT ROWID;",
    // 7: lifecycle policies (`kmip-server policy`), and the events they
    // raise, each once by a stable id (the notification outbox).
    "CREATE TABLE lifecycle_policies (
        scope TEXT NOT NULL REFERENCES scopes(name),
        name TEXT NOT NULL,
        match_group TEXT,
        match_name_prefix TEXT,
        rotate_every INTEGER NOT NULL,
        deactivate_after INTEGER,
        archive_after INTEGER,
        destroy_after INTEGER,
        notify_before INTEGER,
        created INTEGER NOT NULL,
        PRIMARY KEY (scope, name)
     );
     CREATE TABLE lifecycle_events (
        id TEXT PRIMARY KEY,
        time INTEGER NOT NULL,
        event TEXT NOT NULL,
        scope TEXT NOT NULL,
        policy TEXT NOT NULL,
        uid TEXT NOT NULL,
        due INTEGER NOT NULL,
        detail TEXT NOT NULL
     );
     CREATE TABLE notify_sinks (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        secret_file TEXT NOT NULL,
        events TEXT NOT NULL,
        ca_file TEXT,
        created INTEGER NOT NULL
     );
     CREATE TABLE notify_deliveries (
        event TEXT NOT NULL REFERENCES lifecycle_events(id),
        sink INTEGER NOT NULL REFERENCES notify_sinks(id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        delivered INTEGER,
        last_error TEXT,
        PRIMARY KEY (event, sink)
     );
     CREATE INDEX deliveries_due ON notify_deliveries(next_attempt) WHERE delivered IS NULL;
     CREATE INDEX events_by_uid ON lifecycle_events(uid, event);
     CREATE INDEX attributes_revoked ON attributes(uid) WHERE name = 'Revocation Reason';",
];

/// Opens (creating if needed) the database in `data_dir` and brings its
/// schema up to date.
pub fn open(data_dir: &Path) -> Result<Connection, DbError> {
    let path = data_dir.join(DB_FILE);
    let mut conn = Connection::open(&path).map_err(|e| DbError(format!("{}: {e}", path.display())))?;
    // 0600 whatever the umask: SQLite gives its WAL and shared-memory files
    // the database file's mode.
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| DbError(format!("{}: {e}", path.display())))?;
    // Another process (the admin CLI, or the server) may hold the write
    // lock briefly; wait for it rather than failing.
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted and overwritten content is zeroed, not left in free space:
    // erased key material (sealed as it is) does not linger in the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // Keep the working set in memory rather than re-reading pages through
    // read(2) (measured with perf under Create load): a 64 MiB page cache
    // and a memory map, and fewer, larger checkpoints.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    // A cached statement keeps its plan whatever is bound to it. Without
    // this, a parameter in LIMIT or one compared with a partial index's
    // condition (every Locate) makes SQLite plan the statement again at
    // each new binding, which cost more than preparing it anew.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
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
