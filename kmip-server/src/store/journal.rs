//! Batch Error Continuation Option Undo (KMIP 1.4 §6.13): "if any operation
//! in the request fails, then the server SHALL undo all the previous
//! operations". A [`Journal`] stands in for the store during such a batch:
//! before a change first touches an object it keeps that object's stored
//! form (its material still sealed), and after each change the form the
//! change left. [`Journal::undo`] puts every touched object back — new ones
//! removed — in one committed transaction, and only if each is still as
//! this batch left it: an object another client changed since is never
//! overwritten with an older version (the undo is refused as a whole and
//! the batch's changes stay). Only the store is undone: random bytes handed
//! out, seeds mixed in and operations in parts opened stay as they are.

use std::sync::{Arc, Mutex};

use super::{Change, DbError, ObjectStore, Objects, Watched};
use super::{LocateFilter, Snapshot};
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::policy::Scope;

/// Per touched object: its scope and UID, its form before the batch, and
/// the form the batch's last change to it left (`None`: absent).
struct Entry {
    scope: Scope,
    uid: String,
    before: Option<Snapshot>,
    after: Option<Snapshot>,
}

type Before = Vec<Entry>;

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

    /// Puts back every object the batch changed, newest change first, if
    /// none has changed since; otherwise changes nothing and says so.
    pub fn undo(&self) -> Result<(), DbError> {
        let mut entries = std::mem::take(&mut *self.before.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        while let Some(Entry { scope, .. }) = entries.last() {
            let scope = scope.clone();
            let (mine, rest): (Before, Before) = entries.into_iter().partition(|e| e.scope == scope);
            entries = rest;
            self.inner.transact(
                &scope,
                Box::new(move |objects| {
                    for e in mine.iter().rev() {
                        if objects.snapshot(&e.uid)? != e.after {
                            return Err(DbError(format!(
                                "object {} changed after this batch changed it; nothing was undone",
                                e.uid
                            )));
                        }
                        objects.restore(&e.uid, e.before.as_ref())?;
                    }
                    Ok(())
                }),
            )?;
        }
        Ok(())
    }
}

/// Notes the first write of a change to `uid`, with its before-image if
/// the batch has not touched it yet.
fn remember(
    journal: &Mutex<Before>,
    pending: &Mutex<Before>,
    scope: &Scope,
    objects: &dyn Objects,
    uid: &str,
    existing: bool,
) -> Result<(), DbError> {
    let mut pending = pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if pending.iter().any(|e| e.uid == uid) {
        return Ok(());
    }
    let known = journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .any(|e| e.scope == *scope && e.uid == uid);
    // A before-image only for the batch's first touch; later touches only
    // move the after-image.
    let before = if existing && !known {
        objects.snapshot(uid)?
    } else {
        None
    };
    pending.push(Entry {
        scope: scope.clone(),
        uid: uid.to_owned(),
        before,
        after: None,
    });
    Ok(())
}

impl ObjectStore for Journal<'_> {
    fn sealer(&self) -> &Sealer {
        self.inner.sealer()
    }
    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<std::sync::Arc<ManagedObject>>, DbError> {
        self.inner.load(scope, uid, material)
    }
    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        self.inner.locate(scope, filter)
    }
    fn quota(&self) -> super::Quota {
        self.inner.quota()
    }
    fn census(&self) -> Result<Vec<crate::observe::metrics::Census>, DbError> {
        self.inner.census()
    }
    fn check_writable(&self) -> Result<(), DbError> {
        self.inner.check_writable()
    }
    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError> {
        let (journal, scope_owned) = (Arc::clone(&self.before), scope.clone());
        self.inner.transact(
            scope,
            Box::new(move |objects| {
                let pending = Mutex::new(Vec::new());
                let keep = |o: &dyn Objects, uid: &str, existing: bool| {
                    remember(&journal, &pending, &scope_owned, o, uid, existing)
                };
                // A change that fails is rolled back: it leaves no entry.
                change(&Watched {
                    inner: objects,
                    before_write: &keep,
                })?;
                // The after-images, in the same transaction as the change.
                let pending = pending.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut journal = journal.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                for mut entry in pending {
                    let after = objects.snapshot(&entry.uid)?;
                    match journal
                        .iter_mut()
                        .find(|e| e.scope == entry.scope && e.uid == entry.uid)
                    {
                        Some(known) => known.after = after,
                        None => {
                            entry.after = after;
                            journal.push(entry);
                        }
                    }
                }
                Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use kmip_codec::enums::{ObjectType, State};
    use kmip_codec::messages::{AttributeName, AttributeValue, Name};

    fn name(n: &str) -> AttributeValue {
        AttributeValue::Name(Name {
            value: n.into(),
            name_type: kmip_codec::enums::NameType::UninterpretedTextString,
        })
    }

    fn named(store: &dyn ObjectStore, scope: &Scope) -> String {
        let k = store.load(scope, "k", false).unwrap().unwrap();
        let value = k.values(AttributeName::Name).next().map(|a| a.value.clone());
        match value {
            Some(AttributeValue::Name(n)) => n.value,
            other => panic!("{other:?}"),
        }
    }

    fn rename(store: &dyn ObjectStore, scope: &Scope, to: &'static str) {
        store
            .write(scope, move |objects| {
                let mut k = objects.load("k", None)?.unwrap();
                k.set(name(to));
                objects.update(&k)?;
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn undo_never_puts_an_older_version_over_another_clients_later_change() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::new("s").unwrap();
        crate::auth::registry::Registry::open(dir.path())
            .unwrap()
            .create_scope(&scope)
            .unwrap();
        let store = Store::open(
            dir.path(),
            Sealer::new(&[7u8; 32]).unwrap(),
            crate::config::Config::default().quota(),
            Default::default(),
        )
        .unwrap();
        let store: &dyn ObjectStore = &store;
        let mut k = ManagedObject::new("k".into(), ObjectType::SymmetricKey, State::Active);
        k.set(name("original"));
        store.create(&scope, k).unwrap();

        // A batch renames it; another client renames it after; the batch fails.
        let journal = Journal::new(store);
        rename(&journal, &scope, "by the batch");
        rename(store, &scope, "by another client");
        assert!(journal.undo().is_err(), "the undo is refused");
        assert_eq!(named(store, &scope), "by another client", "the later change stands");

        // Without a later change, the batch's change is undone.
        let journal = Journal::new(store);
        rename(&journal, &scope, "by a second batch");
        rename(&journal, &scope, "and again");
        journal.undo().unwrap();
        assert_eq!(named(store, &scope), "by another client");
    }
}
