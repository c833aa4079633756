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
    // 8: when each object's next date-driven move is due (objects::
    // advance_states), so the sweep every second reads the objects due
    // rather than scanning every attribute row (at 230,000 objects that
    // scan held the writer most of each second). Existing objects that may
    // move are marked due now; the first sweeps work out their real time.
    "ALTER TABLE objects ADD COLUMN due INTEGER;
     UPDATE objects SET due = 0 WHERE
        (state = 1 AND uid IN (SELECT uid FROM attributes WHERE name IN ('Activation Date', 'Deactivation Date')))
        OR (state = 2 AND uid IN (SELECT uid FROM attributes WHERE name = 'Deactivation Date'));
     CREATE INDEX objects_due ON objects(due) WHERE due IS NOT NULL;",
    // 9: attribute rows in one B-tree keyed by (uid, name, idx): a rowid
    // table kept every row twice, once in the table and once in its
    // primary-key index (0.8 of the 3 KB an AES key took). With new UIDs
    // time-ordered (object::attributes::new_uid) a Create appends to the
    // right edge of this tree and of the objects' UID index rather than
    // dirtying a random page of each. The state joins the type index, so
    // that the metrics' census of objects by scope, type and state reads
    // the index alone (1.7 s → 0.1 s at 1.2 million objects).
    "CREATE TABLE attributes_by_uid (
        uid TEXT NOT NULL REFERENCES objects(uid) ON DELETE CASCADE,
        name TEXT NOT NULL,
        idx INTEGER NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (uid, name, idx)
     ) WITHOUT ROWID;
     INSERT INTO attributes_by_uid SELECT uid, name, idx, value FROM attributes ORDER BY uid, name, idx;
     DROP TABLE attributes;
     ALTER TABLE attributes_by_uid RENAME TO attributes;
     CREATE INDEX attributes_name ON attributes(value) WHERE name = 'Name';
     CREATE INDEX attributes_object_group ON attributes(value) WHERE name = 'Object Group';
     CREATE INDEX attributes_alternative_name ON attributes(value) WHERE name = 'Alternative Name';
     CREATE INDEX attributes_application_info ON attributes(value) WHERE name = 'Application Specific Information';
     CREATE INDEX attributes_link ON attributes(value) WHERE name = 'Link';
     CREATE INDEX attributes_revoked ON attributes(uid) WHERE name = 'Revocation Reason';
     DROP INDEX objects_by_type;
     CREATE INDEX objects_by_type ON objects(scope, object_type, state);",
];

/// Opens (creating if needed) the database in `data_dir` and brings its
/// schema up to date.
pub fn open(data_dir: &Path) -> Result<Connection, DbError> {
    open_file(&data_dir.join(DB_FILE))
}

/// [`open`] for the database file at `path` (a backup's copy).
pub fn open_file(path: &Path) -> Result<Connection, DbError> {
    let path = path.to_path_buf();
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
    // and a memory map (address space, not memory: the kernel's page cache
    // backs it), and fewer, larger checkpoints. The savepoint each change
    // runs in keeps its sub-journal in memory, not in a temporary file.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "mmap_size", 4_294_967_296_i64)?;
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
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
    if version > 0 && version < MIGRATIONS.len() {
        // Schema 9 rewrites every attribute row: minutes for a million objects.
        tracing::info!(
            "upgrading the database schema from version {version} to {}; a large database takes a few minutes",
            MIGRATIONS.len()
        );
    }
    for sql in MIGRATIONS.iter().skip(version) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ManagedObject;
    use crate::policy::Scope;
    use crate::store::objects::{advance_states, ScopedObjects};
    use crate::store::{value_bytes, Objects};
    use kmip_codec::enums::{ObjectType, State};
    use kmip_codec::messages::{AttributeValue, DateTime};

    #[test]
    fn a_schema_7_database_is_upgraded_with_its_objects_and_their_dates_intact() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            for sql in MIGRATIONS.iter().take(7) {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 7).unwrap();
            conn.execute_batch(
                "INSERT INTO scopes (name, created) VALUES ('s', 0);
                 INSERT INTO objects (uid, scope, object_type, created, state) VALUES
                    ('due', 's', 2, 0, 1), ('later', 's', 2, 0, 2), ('never', 's', 2, 0, 2);",
            )
            .unwrap();
            let date = |t| value_bytes(&AttributeValue::ActivationDate(DateTime(t)));
            for (uid, name, value) in [
                ("due", "Activation Date", date(100)),
                ("later", "Deactivation Date", date(4_000_000_000)),
                (
                    "never",
                    "Object Group",
                    value_bytes(&AttributeValue::ObjectGroup("g".into())),
                ),
            ] {
                conn.execute(
                    "INSERT INTO attributes (uid, name, idx, value) VALUES (?1, ?2, 0, ?3)",
                    rusqlite::params![uid, name, value],
                )
                .unwrap();
            }
        }
        let conn = open(dir.path()).unwrap();
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len());
        assert_eq!(advance_states(&conn, 1_000).unwrap(), 1, "the due object moves");
        let due: Vec<(String, Option<i64>)> = conn
            .prepare("SELECT uid, due FROM objects ORDER BY uid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            due,
            [
                ("due".to_owned(), None),
                ("later".to_owned(), Some(4_000_000_000)),
                ("never".to_owned(), None)
            ]
        );
        let scope = Scope::new("s").unwrap();
        let objects = ScopedObjects::new(&conn, &scope);
        let moved: ManagedObject = objects.load("due", None).unwrap().unwrap();
        assert_eq!(moved.state(), State::Active);
        assert_eq!(moved.object_type, ObjectType::SymmetricKey);
        assert_eq!(moved.dates().activation, Some(100));
        assert!(
            objects
                .load("never", None)
                .unwrap()
                .unwrap()
                .named("Object Group")
                .count()
                == 1
        );
    }
}
