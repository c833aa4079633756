//! The SQLite backend: [`Store`] implements [`ObjectStore`] with one
//! writer thread and group commit (`writer.rs`), a pool of reader
//! connections, the unsealed-object cache, and scope-confined SQL
//! ([`objects`], [`locate`]) over the schema in [`schema`].

pub mod locate;
pub mod objects;
pub mod schema;

use std::path::Path;

use rusqlite::Connection;

use super::{cache, writer};
use super::{Change, DbError, ObjectStore, Objects, Quota, Watched};
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::observe::metrics::{Census, StoreMetrics};
use crate::policy::Scope;
use crate::store::LocateFilter;
use objects::ScopedObjects;
use schema::open;

/// The SQLite object store: one writer thread with group commit, a pool
/// of reader connections, and the sealer for key material.
pub struct Store {
    writer: writer::Writer<Connection>,
    data_dir: std::path::PathBuf,
    readers: std::sync::Mutex<Vec<rusqlite::Connection>>,
    sealer: Sealer,
    cache: cache::Cache,
    quota: Quota,
    metrics: StoreMetrics,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.data_dir.display())
    }
}

impl Store {
    /// Opens the store of a data directory, with `quota` for the scopes
    /// that have none of their own, reporting to `metrics`.
    pub fn open(data_dir: &Path, sealer: Sealer, quota: Quota, metrics: StoreMetrics) -> Result<Store, DbError> {
        Ok(Store {
            writer: writer::Writer::start(open(data_dir)?, metrics.clone())?,
            data_dir: data_dir.to_path_buf(),
            readers: std::sync::Mutex::new(Vec::new()),
            sealer,
            cache: cache::Cache::default(),
            quota,
            metrics,
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

/// The query work a Locate may take on an async worker: some 10,000
/// SQLite instructions, tens of microseconds (a Locate by Name with a few
/// matches takes a few hundred).
const QUICK_LOCATE_STEPS: std::os::raw::c_int = 10_000;

impl ObjectStore for Store {
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    fn cached(&self, scope: &Scope, uid: &str, material: bool) -> Option<std::sync::Arc<ManagedObject>> {
        let hit = self.cache.get(scope, uid, material).ok();
        if hit.is_some() {
            self.metrics.cache_hits.increment(1);
        }
        hit
    }

    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<std::sync::Arc<ManagedObject>>, DbError> {
        let generation = match self.cache.get(scope, uid, material) {
            Ok(hit) => {
                self.metrics.cache_hits.increment(1);
                return Ok(Some(hit));
            }
            Err(generation) => generation,
        };
        self.metrics.cache_misses.increment(1);
        let sealer = material.then_some(&self.sealer);
        let loaded = self
            .read(|c| ScopedObjects::new(c, scope).load(uid, sealer))?
            .map(std::sync::Arc::new);
        if let Some(stored) = &loaded {
            self.cache.insert(scope, stored, material, generation);
        }
        Ok(loaded)
    }

    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        let generation = match self.cache.located(scope, filter) {
            Ok(found) => return Ok(found),
            Err(generation) => generation,
        };
        let found = self.read(|c| ScopedObjects::new(c, scope).locate(filter))?;
        self.cache.keep_located(scope, filter, &found, generation);
        Ok(found)
    }

    fn located_quickly(&self, scope: &Scope, filter: &LocateFilter) -> Option<Result<Vec<String>, DbError>> {
        let generation = match self.cache.located(scope, filter) {
            Ok(found) => return Some(Ok(found)),
            Err(generation) => generation,
        };
        // SQLite calls the handler every QUICK_LOCATE_STEPS virtual-machine
        // instructions; the first call interrupts the query, which is then
        // not quick and runs again on the blocking pool.
        let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&interrupted);
        let located = self.read(|c| {
            c.progress_handler(
                QUICK_LOCATE_STEPS,
                Some(move || {
                    flag.store(true, std::sync::atomic::Ordering::Relaxed);
                    true
                }),
            );
            let located = ScopedObjects::new(c, scope).locate(filter);
            c.progress_handler(0, None::<fn() -> bool>);
            located
        });
        match interrupted.load(std::sync::atomic::Ordering::Relaxed) {
            true => None,
            false => {
                if let Ok(found) = &located {
                    self.cache.keep_located(scope, filter, found, generation);
                }
                Some(located)
            }
        }
    }

    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError> {
        let touched = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (in_writer, for_writer) = (std::sync::Arc::clone(&touched), scope.clone());
        let result = self.writer.run(Box::new(move |c| {
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
        }));
        // After the commit (or rollback), before the caller answers.
        let touched = touched.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.cache.remove(scope, touched.iter());
        result
    }

    fn purge_erased(&self) -> Result<(), DbError> {
        self.read(|c| {
            let (busy, _, _): (i64, i64, i64) = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            if busy != 0 {
                // Readers held old pages; the next Destroy or the regular
                // checkpoint finishes the job.
                tracing::warn!("the WAL could not be truncated after a Destroy: readers were active");
            }
            Ok(())
        })
    }

    fn quota(&self) -> Quota {
        self.quota
    }

    fn census(&self) -> Result<Vec<Census>, DbError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT scope, object_type, state, count(*) FROM objects GROUP BY scope, object_type, state",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Census {
                    scope: r.get(0)?,
                    object_type: r.get(1)?,
                    state: r.get(2)?,
                    count: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn check_writable(&self) -> Result<(), DbError> {
        self.writer.run(Box::new(|c| {
            c.prepare_cached("INSERT OR REPLACE INTO health (id, checked) VALUES (1, ?1)")?
                .execute([crate::store::unix_now()])?;
            Ok(())
        }))
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
