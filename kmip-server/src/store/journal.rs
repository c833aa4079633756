//! Batch Error Continuation Option Undo (KMIP 1.4 §6.13): "if any operation
//! in the request fails, then the server SHALL undo all the previous
//! operations". A [`Journal`] stands in for the store during such a batch:
//! before a change first touches an object it keeps that object's stored
//! form (its material still sealed), and [`Journal::undo`] puts every
//! touched object back — new ones removed — in one committed transaction.
//! Only the store is undone: random bytes handed out, seeds mixed in and
//! operations in parts opened stay as they are.

use std::sync::{Arc, Mutex};

use super::{Change, DbError, ObjectStore, Objects, Watched};
use super::{LocateFilter, Snapshot};
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::policy::Scope;

type Before = Vec<(Scope, String, Option<Snapshot>)>;

/// A store that remembers how to undo what a batch changed.
pub struct Journal<'s> {
    inner: &'s dyn ObjectStore,
    before: Arc<Mutex<Before>>,
}

impl<'s> Journal<'s> {
    /// Journals changes made through it to `inner`.
    pub fn new(inner: &'s dyn ObjectStore) -> Self {
        Journal {
            inner,
            before: Arc::default(),
        }
    }

    /// Puts back every object the batch changed, newest change first.
    pub fn undo(&self) -> Result<(), DbError> {
        let mut before = std::mem::take(&mut *self.before.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        while let Some((scope, ..)) = before.last() {
            let scope = scope.clone();
            let (mine, rest): (Before, Before) = before.into_iter().partition(|(s, ..)| *s == scope);
            before = rest;
            self.inner.transact(
                &scope,
                Box::new(move |objects| {
                    for (_, uid, snapshot) in mine.iter().rev() {
                        objects.restore(uid, snapshot.as_ref())?;
                    }
                    Ok(())
                }),
            )?;
        }
        Ok(())
    }
}

/// Keeps the first before-image of each object a change writes.
fn remember(
    before: &Mutex<Before>,
    scope: &Scope,
    objects: &dyn Objects,
    uid: &str,
    existing: bool,
) -> Result<(), DbError> {
    let mut before = before.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if before.iter().any(|(s, u, _)| s == scope && u == uid) {
        return Ok(());
    }
    let snapshot = if existing { objects.snapshot(uid)? } else { None };
    before.push((scope.clone(), uid.to_owned(), snapshot));
    Ok(())
}

impl ObjectStore for Journal<'_> {
    fn sealer(&self) -> &Sealer {
        self.inner.sealer()
    }
    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<ManagedObject>, DbError> {
        self.inner.load(scope, uid, material)
    }
    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        self.inner.locate(scope, filter)
    }
    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError> {
        let (before, scope_owned) = (Arc::clone(&self.before), scope.clone());
        self.inner.transact(
            scope,
            Box::new(move |objects| {
                let keep =
                    |o: &dyn Objects, uid: &str, existing: bool| remember(&before, &scope_owned, o, uid, existing);
                change(&Watched {
                    inner: objects,
                    before_write: &keep,
                })
            }),
        )
    }
    fn purge_erased(&self) -> Result<(), DbError> {
        self.inner.purge_erased()
    }

    fn forget_cached(&self) {
        self.inner.forget_cached();
    }

    fn advance_states(&self, now: i64) -> Result<usize, DbError> {
        self.inner.advance_states(now)
    }
}
