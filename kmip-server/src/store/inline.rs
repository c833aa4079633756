//! A view of the store for answering on a connection's async worker:
//! reads that the cache of unsealed objects can serve, nothing else.
//!
//! Most requests of a busy server are reads of hot keys (Get, Get
//! Attributes, Encrypt with a cached key). Handing each to the blocking
//! pool and back costs more than the request itself, so such a request is
//! first tried here. Whatever would wait — a cache miss (a disk read), a
//! Locate past a small budget of query work, any write (a commit is an
//! fsync), a private key's
//! material (RSA signing and decryption take milliseconds) — is refused and
//! [`Inline::blocked`] turns true; the caller then discards that attempt,
//! which changed nothing, and runs the request on the blocking pool.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{Change, DbError, LocateFilter, ObjectStore, Quota};
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::policy::Scope;
use kmip_codec::enums::ObjectType;

/// The refusal of the view: not a failure, and not logged as one.
pub const HANDED_ON: &str = "this needs the blocking pool";

/// The cache-only view of a store.
pub struct Inline<'s> {
    inner: &'s dyn ObjectStore,
    blocked: AtomicBool,
}

impl<'s> Inline<'s> {
    /// A view of `inner`.
    pub fn new(inner: &'s dyn ObjectStore) -> Self {
        Inline {
            inner,
            blocked: AtomicBool::new(false),
        }
    }

    /// Whether the attempt needed something only the blocking pool may do.
    pub fn blocked(&self) -> bool {
        self.blocked.load(Ordering::Relaxed)
    }

    fn refuse(&self) -> DbError {
        self.blocked.store(true, Ordering::Relaxed);
        DbError(HANDED_ON.into())
    }
}

impl ObjectStore for Inline<'_> {
    fn sealer(&self) -> &Sealer {
        self.inner.sealer()
    }
    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<std::sync::Arc<ManagedObject>>, DbError> {
        match self.inner.cached(scope, uid, material) {
            // A private key's material is for Sign and Decrypt, which take
            // milliseconds with RSA: not on a worker other connections share.
            Some(hit) if material && hit.object_type == ObjectType::PrivateKey => Err(self.refuse()),
            Some(hit) => Ok(Some(hit)),
            None => Err(self.refuse()),
        }
    }
    fn cached(&self, scope: &Scope, uid: &str, material: bool) -> Option<std::sync::Arc<ManagedObject>> {
        self.inner.cached(scope, uid, material)
    }
    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        self.inner
            .located_quickly(scope, filter)
            .unwrap_or_else(|| Err(self.refuse()))
    }
    fn transact(&self, _: &Scope, _: Change) -> Result<(), DbError> {
        Err(self.refuse())
    }
    fn advance_states(&self, _: i64) -> Result<usize, DbError> {
        Err(self.refuse())
    }
    fn forget_cached(&self) {
        self.inner.forget_cached();
    }
    fn quota(&self) -> Quota {
        self.inner.quota()
    }
    fn census(&self) -> Result<Vec<crate::observe::metrics::Census>, DbError> {
        Err(self.refuse())
    }
    fn check_writable(&self) -> Result<(), DbError> {
        Err(self.refuse())
    }
    fn purge_erased(&self) -> Result<(), DbError> {
        Err(self.refuse())
    }
}
