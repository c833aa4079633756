//! The server's SQLite database: schema, migrations and the connection
//! settings that make an acknowledged write durable.
//!
//! WAL mode with `synchronous=FULL`: a commit is on disk before it returns,
//! and readers never block the writer. The schema is versioned with
//! `PRAGMA user_version`; each migration runs once, in a transaction.
//! The credential registry (scopes, roles, credentials) lives here too, so
//! that the admin CLI can change it while the server runs.
//!
//! Operations see only the [`ObjectStore`] and [`Objects`] traits;
//! [`Store`] is their SQLite implementation, and a second backend would
//! implement the same two traits.

mod cache;
pub mod journal;
pub mod objects;
mod writer;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::Error;
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::policy::Scope;
use objects::{LocateFilter, ScopedObjects, Snapshot};

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
    // Keep the working set in memory rather than re-reading pages through
    // read(2) (measured with perf under Create load): a 64 MiB page cache
    // and a memory map, and fewer, larger checkpoints.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
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

/// The objects of one scope, as an operation sees them inside a store
/// transaction. [`objects::ScopedObjects`] is the SQLite implementation.
pub trait Objects {
    /// An object of this scope, with its material unsealed if a sealer is given.
    fn load(&self, uid: &str, sealer: Option<&Sealer>) -> Result<Option<ManagedObject>, DbError>;
    /// Stores a new object: its material, already sealed, and its attributes.
    fn create(&self, stored: &ManagedObject, sealed: Option<Vec<u8>>) -> Result<(), DbError>;
    /// Saves an object's changed attributes and state.
    fn update(&self, stored: &ManagedObject) -> Result<(), DbError>;
    /// Removes an object entirely (Import with Replace Existing).
    fn delete(&self, uid: &str) -> Result<(), DbError>;
    /// Erases an object's key material, keeping its metadata (Destroy).
    fn erase_material(&self, uid: &str) -> Result<(), DbError>;
    /// An object's stored form as it is now, `None` if it does not exist.
    fn snapshot(&self, uid: &str) -> Result<Option<Snapshot>, DbError>;
    /// Puts an object back as a [`Objects::snapshot`] found it (`None`:
    /// removes it).
    fn restore(&self, uid: &str, snapshot: Option<&Snapshot>) -> Result<(), DbError>;
    /// The Object Type of `uid`, if it exists in this scope.
    fn object_type(&self, uid: &str) -> Result<Option<u32>, DbError>;
    /// Whether any scope holds `uid` (identifiers are unique server-wide).
    fn uid_taken(&self, uid: &str) -> Result<bool, DbError>;
    /// The objects of this scope matching `filter`, newest first.
    fn locate(&self, filter: &LocateFilter) -> Result<Vec<String>, DbError>;
}

/// A change run in one committed transaction on one scope's objects.
pub type Change = Box<dyn FnOnce(&dyn Objects) -> Result<(), DbError> + Send>;

/// What the operations need from an object store, so that a second
/// backend can follow the SQLite one ([`Store`]). Every call is confined
/// to one scope; a write returns only once it is durable.
pub trait ObjectStore: Send + Sync {
    /// The sealer for key material.
    fn sealer(&self) -> &Sealer;
    /// An object of `scope`, with its material unsealed if asked.
    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<ManagedObject>, DbError>;
    /// The objects of `scope` matching `filter`, newest first.
    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError>;
    /// Runs `change` in one transaction and returns once it is durable;
    /// an error rolls the whole change back.
    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError>;
    /// Moves objects whose Activation or Deactivation Date has passed.
    fn advance_states(&self, now: i64) -> Result<usize, DbError>;
    /// Forgets every cached object (another process changed the store).
    fn forget_cached(&self);
}

impl dyn ObjectStore + '_ {
    /// [`ObjectStore::transact`] for a change that returns a value or
    /// refuses: a refusal rolls the change back and is returned as it is,
    /// a store failure becomes [`Error::Storage`].
    pub fn write<T: Send + 'static>(
        &self,
        scope: &Scope,
        change: impl FnOnce(&dyn Objects) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let committed = self.transact(
            scope,
            Box::new(move |objects| {
                let out = change(objects);
                let refused = out.is_err();
                // The receiver lives until transact returns.
                let _ = tx.send(out);
                if refused {
                    return Err(DbError("the change was refused".into()));
                }
                Ok(())
            }),
        );
        match (rx.try_recv(), committed) {
            (Ok(Err(refusal)), _) => Err(refusal),
            (Ok(Ok(value)), Ok(())) => Ok(value),
            (_, Err(e)) => Err(e.into()),
            (Err(_), Ok(())) => Err(DbError("the store's writer returned no result".into()).into()),
        }
    }

    /// Seals a new object's material (bound to its UID and scope) and
    /// stores it; returns once it is durable.
    pub fn create(&self, scope: &Scope, stored: ManagedObject) -> Result<(), Error> {
        self.create_all(scope, vec![stored])
    }

    /// Takes a new object's material out and seals it, bound to its UID and
    /// scope, for [`Objects::create`].
    pub fn seal(&self, scope: &Scope, stored: &mut ManagedObject) -> Result<Option<Vec<u8>>, DbError> {
        stored
            .object
            .take()
            .map(|object| {
                self.sealer()
                    .seal(&stored.uid, scope.as_str(), &objects::object_bytes(&object))
                    .map_err(|e| DbError(e.to_string()))
            })
            .transpose()
    }

    /// [`Self::create`] for several objects in one transaction (a key pair).
    pub fn create_all(&self, scope: &Scope, all: Vec<ManagedObject>) -> Result<(), Error> {
        let mut sealed_all = Vec::with_capacity(all.len());
        for mut stored in all {
            let sealed = self.seal(scope, &mut stored)?;
            sealed_all.push((stored, sealed));
        }
        self.write(scope, move |objects| {
            for (stored, sealed) in sealed_all {
                objects.create(&stored, sealed)?;
            }
            Ok(())
        })
    }
}

/// The SQLite object store: one writer thread with group commit, a pool
/// of reader connections, and the sealer for key material.
pub struct Store {
    writer: writer::Writer,
    data_dir: std::path::PathBuf,
    readers: std::sync::Mutex<Vec<rusqlite::Connection>>,
    sealer: Sealer,
    cache: cache::Cache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.data_dir.display())
    }
}

impl Store {
    /// Opens the store of a data directory.
    pub fn open(data_dir: &Path, sealer: Sealer) -> Result<Store, DbError> {
        Ok(Store {
            writer: writer::Writer::start(open(data_dir)?)?,
            data_dir: data_dir.to_path_buf(),
            readers: std::sync::Mutex::new(Vec::new()),
            sealer,
            cache: cache::Cache::default(),
        })
    }

    /// Runs a read on a pooled reader connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, DbError>) -> Result<T, DbError> {
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let conn = match pooled {
            Some(c) => c,
            None => open(&self.data_dir)?,
        };
        let out = f(&conn);
        self.readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(conn);
        out
    }
}

impl ObjectStore for Store {
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<ManagedObject>, DbError> {
        let generation = match self.cache.get(scope, uid) {
            Ok(mut hit) => {
                if !material {
                    hit.object = None;
                }
                return Ok(Some(hit));
            }
            Err(generation) => generation,
        };
        let sealer = material.then_some(&self.sealer);
        let loaded = self.read(|c| ScopedObjects::new(c, scope).load(uid, sealer))?;
        if let (Some(stored), true) = (&loaded, material) {
            self.cache.insert(scope, stored, generation);
        }
        Ok(loaded)
    }

    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        self.read(|c| ScopedObjects::new(c, scope).locate(filter))
    }

    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError> {
        let touched = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (in_writer, for_writer) = (std::sync::Arc::clone(&touched), scope.clone());
        let result = self.writer.write(move |c| {
            let note = |_: &dyn Objects, uid: &str, _: bool| {
                in_writer
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(uid.to_owned());
                Ok(())
            };
            change(&Watched {
                inner: &ScopedObjects::new(c, &for_writer),
                before_write: &note,
            })
        });
        // After the commit (or rollback), before the caller answers.
        let touched = touched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.cache.remove(scope, touched.iter());
        result
    }

    fn forget_cached(&self) {
        self.cache.clear();
    }

    fn advance_states(&self, now: i64) -> Result<usize, DbError> {
        let moved = self.writer.write(move |c| objects::advance_states(c, now))?;
        if moved > 0 {
            self.cache.clear();
        }
        Ok(moved)
    }
}

/// [`Objects`] that call `before_write` with each object a change is about
/// to create (`false`) or alter (`true`), then pass the call on: how the
/// cache learns what to forget and the Undo journal what to keep.
pub struct Watched<'a> {
    /// The objects watched.
    pub inner: &'a dyn Objects,
    /// Called before each write, with the objects and the object's UID.
    pub before_write: &'a BeforeWrite<'a>,
}

/// The hook of [`Watched`]: the objects, the UID, and whether it exists.
pub type BeforeWrite<'a> = dyn Fn(&dyn Objects, &str, bool) -> Result<(), DbError> + 'a;

impl Objects for Watched<'_> {
    fn load(&self, uid: &str, sealer: Option<&Sealer>) -> Result<Option<ManagedObject>, DbError> {
        self.inner.load(uid, sealer)
    }
    fn create(&self, stored: &ManagedObject, sealed: Option<Vec<u8>>) -> Result<(), DbError> {
        (self.before_write)(self.inner, &stored.uid, false)?;
        self.inner.create(stored, sealed)
    }
    fn update(&self, stored: &ManagedObject) -> Result<(), DbError> {
        (self.before_write)(self.inner, &stored.uid, true)?;
        self.inner.update(stored)
    }
    fn delete(&self, uid: &str) -> Result<(), DbError> {
        (self.before_write)(self.inner, uid, true)?;
        self.inner.delete(uid)
    }
    fn erase_material(&self, uid: &str) -> Result<(), DbError> {
        (self.before_write)(self.inner, uid, true)?;
        self.inner.erase_material(uid)
    }
    fn snapshot(&self, uid: &str) -> Result<Option<Snapshot>, DbError> {
        self.inner.snapshot(uid)
    }
    fn restore(&self, uid: &str, snapshot: Option<&Snapshot>) -> Result<(), DbError> {
        (self.before_write)(self.inner, uid, true)?;
        self.inner.restore(uid, snapshot)
    }
    fn object_type(&self, uid: &str) -> Result<Option<u32>, DbError> {
        self.inner.object_type(uid)
    }
    fn uid_taken(&self, uid: &str) -> Result<bool, DbError> {
        self.inner.uid_taken(uid)
    }
    fn locate(&self, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        self.inner.locate(filter)
    }
}

/// The current time, POSIX seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
