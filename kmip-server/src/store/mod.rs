//! The object store. Operations see only the [`ObjectStore`] and
//! [`Objects`] traits; [`sqlite::Store`] is their SQLite implementation
//! (the credential registry lives in the same database, so that the admin
//! CLI can change it while the server runs), and a second backend would
//! implement the same two traits. `cache` keeps unsealed objects,
//! [`journal`] the before-images a batch Undo puts back, and [`inline`]
//! is the cache-only view requests are first tried on.

mod cache;
pub mod inline;
pub mod journal;
pub mod locate;
pub mod postgres;
pub mod rows;
pub mod sql;
pub mod sqlite;
pub mod writer;

use std::sync::Arc;

use crate::error::Error;
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::policy::Scope;
use kmip_codec::messages::AttributeValue;
use kmip_codec::ttlv::Writer;
pub use sqlite::objects::{self, Snapshot};
pub use sqlite::schema::{open, DB_FILE};
pub use sqlite::Store;

/// Why the database could not be used.
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

/// For the setup and admin paths, whose errors are messages.
impl From<DbError> for String {
    fn from(e: DbError) -> Self {
        e.0
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(format!("database: {e}"))
    }
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
    /// What this scope holds now, in this transaction, and its own quota.
    fn usage(&self) -> Result<Usage, DbError>;
}

/// What a scope holds (objects, and bytes of sealed material and attribute
/// values), and the limits an operator set for it (`None`: the server's
/// [`Quota`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Objects stored.
    pub objects: u64,
    /// Bytes stored.
    pub bytes: u64,
    /// This scope's own object limit.
    pub max_objects: Option<u64>,
    /// This scope's own byte limit.
    pub max_bytes: Option<u64>,
}

/// The limits of every scope that has none of its own (configuration
/// `max_objects_per_scope`, `max_bytes_per_scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Most objects.
    pub max_objects: u64,
    /// Most bytes.
    pub max_bytes: u64,
}

impl Quota {
    /// Refuses a change that took `scope` from `before` to `after` past a
    /// limit. A change that does not grow a measure is admitted even over
    /// the limit (a lowered quota never blocks Destroy or Revoke).
    pub fn admits(&self, scope: &Scope, before: &Usage, after: &Usage) -> Result<(), Error> {
        let measures = [
            (
                "objects",
                before.objects,
                after.objects,
                after.max_objects.unwrap_or(self.max_objects),
            ),
            (
                "bytes",
                before.bytes,
                after.bytes,
                after.max_bytes.unwrap_or(self.max_bytes),
            ),
        ];
        for (what, was, is, limit) in measures {
            if is > limit && is > was {
                return Err(Error::QuotaExceeded(format!(
                    "scope \"{scope}\" would hold {is} {what}, over its quota of {limit}: \
                     destroy objects it no longer needs, or ask the operator to raise the quota"
                )));
            }
        }
        Ok(())
    }
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
    /// Shared with the cache: a caller that changes it takes its own copy.
    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<Arc<ManagedObject>>, DbError>;
    /// The object if the cache holds it (never a disk read); `None` for a
    /// store without a cache.
    fn cached(&self, _scope: &Scope, _uid: &str, _material: bool) -> Option<Arc<ManagedObject>> {
        None
    }
    /// The objects of `scope` matching `filter`, newest first.
    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError>;
    /// [`ObjectStore::locate`] if it takes little work (an indexed query
    /// over a few rows, in memory); `None` when it would take more, or for
    /// a store that cannot tell.
    fn located_quickly(&self, _scope: &Scope, _filter: &LocateFilter) -> Option<Result<Vec<String>, DbError>> {
        None
    }
    /// Runs `change` in one transaction and returns once it is durable;
    /// an error rolls the whole change back.
    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError>;
    /// Moves objects whose Activation or Deactivation Date has passed.
    fn advance_states(&self, now: i64) -> Result<usize, DbError>;
    /// Forgets every cached object (another process changed the store).
    fn forget_cached(&self);
    /// Has `hook` called when another node changes the registry; SQLite
    /// has no other nodes (the admin CLI pokes the server directly).
    fn on_registry_change(&self, _hook: Box<dyn Fn() + Send + Sync>) {}
    /// The limits of scopes that have none of their own.
    fn quota(&self) -> Quota;
    /// How many objects each scope holds, by type and state (for metrics).
    fn census(&self) -> Result<Vec<crate::observe::metrics::Census>, DbError>;
    /// Commits a small write, durably: what `/readyz` asks of the database.
    fn check_writable(&self) -> Result<(), DbError>;
    /// Makes erased material unrecoverable from the store's files (after
    /// Destroy): the SQLite backend checkpoints and truncates its WAL, the
    /// last place old pages stay.
    fn purge_erased(&self) -> Result<(), DbError>;
}

impl dyn ObjectStore + '_ {
    /// [`ObjectStore::transact`] for a change that returns a value or
    /// refuses: a refusal rolls the change back and is returned as it is,
    /// a store failure becomes [`Error::Storage`]. A change that would take
    /// the scope past its quota is refused too, in the same transaction.
    pub fn write<T: Send + 'static>(
        &self,
        scope: &Scope,
        change: impl FnOnce(&dyn Objects) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let (quota, in_writer) = (self.quota(), scope.clone());
        let committed = self.transact(
            scope,
            Box::new(move |objects| {
                let before = objects.usage()?;
                let out = change(objects).and_then(|value| {
                    quota.admits(&in_writer, &before, &objects.usage()?)?;
                    Ok(value)
                });
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

    /// `create` for several objects in one transaction (a key pair).
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
    fn usage(&self) -> Result<Usage, DbError> {
        self.inner.usage()
    }
}

/// The TTLV of an attribute value, as stored and compared.
pub fn value_bytes(value: &AttributeValue) -> Vec<u8> {
    let mut w = Writer::new();
    value.encode(&mut w);
    w.into_bytes()
}

/// A filter for [`Objects::locate`]: objects having every attribute
/// value listed (exact match of the value's TTLV).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct LocateFilter {
    /// Object Type, State and Unique Identifier, which are columns.
    pub object_type: Option<u32>,
    /// Lifecycle state.
    pub state: Option<u32>,
    /// Unique Identifier.
    pub uid: Option<String>,
    /// (attribute name, value TTLV) pairs that must all be present.
    pub attributes: Vec<(String, Vec<u8>)>,
    /// (date attribute name, earliest, latest) ranges, as TTLV, inclusive.
    /// Date-Time TTLV compares like the times for dates after 1970.
    pub ranges: Vec<(String, Vec<u8>, Vec<u8>)>,
    /// At most this many results.
    pub maximum_items: Option<usize>,
    /// Skip this many results first.
    pub offset_items: usize,
    /// On-line objects, archived ones, or both.
    pub storage: kmip_codec::enums::StorageStatusMask,
}

/// The current time, POSIX seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
