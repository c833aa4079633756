//! Recently used objects, unsealed, so that a hot key is not read from
//! SQLite and unsealed on every Encrypt or Get.
//!
//! Entries are keyed by scope and Unique Identifier and hold the object as
//! loaded, with its material (in the codec's zeroize-on-drop buffers) when
//! it was read for it, or without when only its attributes were asked for
//! (Get Attributes): such an entry serves attribute reads only, and a key
//! is never unsealed just to be cached. Any
//! committed change to an object removes its entry before the changing
//! request is answered, and the time-driven state sweep empties the cache,
//! so a later request never sees an older state. A read that raced a write
//! does not put what it read back: every removal advances a generation,
//! and a read inserts only if the generation it started under is current.
//!
//! Locate answers are kept the same way, for as long as no change at all
//! has been committed (any change may add, remove or alter a match): a
//! client that locates the same key by Name again and again is answered
//! from memory until something changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::object::ManagedObject;
use crate::policy::Scope;
use crate::store::LocateFilter;

/// The most objects kept; when full the cache starts again empty (simple,
/// and a workload with more hot keys than this gains little from caching).
pub const CAPACITY: usize = 16_384;

/// Locate answers kept at most; when full they start again empty.
pub const LOCATED_CAPACITY: usize = 1024;

/// Longest Locate answer kept (a long list is a scan, not a lookup).
pub const LOCATED_MAX_IDS: usize = 64;

/// Entries by scope, then by Unique Identifier, so a lookup borrows both.
#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<Scope, HashMap<String, Entry>>,
    len: usize,
    /// Locate answers of the current generation, by scope then filter, so
    /// a lookup borrows both.
    located: HashMap<Scope, HashMap<LocateFilter, Vec<String>>>,
    located_len: usize,
}

/// A cached object, and whether it was read with its material.
struct Entry {
    object: Arc<ManagedObject>,
    material: bool,
}

/// The cache of unsealed objects.
#[derive(Default)]
pub struct Cache {
    inner: Mutex<Inner>,
}

impl Cache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached object (with its material if `material`), or the
    /// generation to pass to [`Cache::insert`] after reading it from the
    /// store. Shared, not copied: a Get or Encrypt takes the material and
    /// reads the attributes where they are.
    pub fn get(&self, scope: &Scope, uid: &str, material: bool) -> Result<Arc<ManagedObject>, u64> {
        let inner = self.lock();
        match inner.entries.get(scope).and_then(|objects| objects.get(uid)) {
            Some(e) if material => match e.material {
                true => Ok(Arc::clone(&e.object)),
                false => Err(inner.generation),
            },
            Some(e) if !e.material => Ok(Arc::clone(&e.object)),
            // Attributes only: the material is not handed out.
            Some(e) => Ok(Arc::new(ManagedObject {
                uid: e.object.uid.clone(),
                object_type: e.object.object_type,
                object: None,
                attributes: e.object.attributes.clone(),
            })),
            None => Err(inner.generation),
        }
    }

    /// Keeps an object read (with its material if `material`) under
    /// `generation`, unless a change happened since.
    pub fn insert(&self, scope: &Scope, stored: &Arc<ManagedObject>, material: bool, generation: u64) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.len >= CAPACITY {
            inner.entries.clear();
            inner.len = 0;
        }
        let objects = inner.entries.entry(scope.clone()).or_default();
        let entry = Entry {
            object: Arc::clone(stored),
            material,
        };
        if objects.insert(stored.uid.clone(), entry).is_none() {
            inner.len = inner.len.saturating_add(1);
        }
    }

    /// The kept answer of this Locate, or the generation to pass to
    /// [`Cache::keep_located`] after asking the store.
    pub fn located(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, u64> {
        let inner = self.lock();
        match inner.located.get(scope).and_then(|answers| answers.get(filter)) {
            Some(found) => Ok(found.clone()),
            None => Err(inner.generation),
        }
    }

    /// Keeps a Locate answer read under `generation`, unless a change
    /// happened since or the answer is long.
    pub fn keep_located(&self, scope: &Scope, filter: &LocateFilter, found: &[String], generation: u64) {
        let mut inner = self.lock();
        if inner.generation != generation || found.len() > LOCATED_MAX_IDS {
            return;
        }
        if inner.located_len >= LOCATED_CAPACITY {
            inner.located.clear();
            inner.located_len = 0;
        }
        let answers = inner.located.entry(scope.clone()).or_default();
        if answers.insert(filter.clone(), found.to_vec()).is_none() {
            inner.located_len = inner.located_len.saturating_add(1);
        }
    }

    /// Forgets objects a committed change touched, and every Locate answer.
    pub fn remove<'a>(&self, scope: &Scope, uids: impl IntoIterator<Item = &'a String>) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1); // compared for equality only
        if inner.located_len > 0 {
            inner.located.clear();
            inner.located_len = 0;
        }
        let Inner { entries, len, .. } = &mut *inner;
        if let Some(objects) = entries.get_mut(scope) {
            for uid in uids {
                if objects.remove(uid).is_some() {
                    *len = len.saturating_sub(1);
                }
            }
        }
    }

    /// Forgets everything (after the state sweep moved objects).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1); // compared for equality only
        inner.entries.clear();
        inner.len = 0;
        inner.located.clear();
        inner.located_len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmip_codec::enums::{ObjectType, State};

    fn object(uid: &str, state: State) -> Arc<ManagedObject> {
        Arc::new(ManagedObject::new(uid.into(), ObjectType::SymmetricKey, state))
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept_and_scopes_stay_apart() {
        let cache = Cache::default();
        let (a, b) = (Scope::new("a").unwrap(), Scope::new("b").unwrap());
        // A read starts, a change to the object commits, the read ends.
        let generation = cache.get(&a, "k", true).unwrap_err();
        cache.remove(&a, [&"k".to_owned()]);
        cache.insert(&a, &object("k", State::Active), true, generation);
        assert!(cache.get(&a, "k", true).is_err(), "the stale read was not kept");
        // A read with no change in between is kept, for its scope only.
        let generation = cache.get(&a, "k", true).unwrap_err();
        cache.insert(&a, &object("k", State::Deactivated), true, generation);
        assert_eq!(cache.get(&a, "k", true).unwrap().state(), State::Deactivated);
        assert!(cache.get(&b, "k", true).is_err());
        cache.remove(&a, [&"k".to_owned()]);
        assert!(cache.get(&a, "k", true).is_err());
        cache.insert(
            &a,
            &object("k", State::Active),
            true,
            cache.get(&a, "k", true).unwrap_err(),
        );
        cache.clear();
        assert!(cache.get(&a, "k", true).is_err());
    }

    #[test]
    fn a_locate_answer_is_kept_until_any_change_and_never_across_a_race() {
        let cache = Cache::default();
        let (a, b) = (Scope::new("a").unwrap(), Scope::new("b").unwrap());
        let filter = LocateFilter {
            attributes: vec![("Name".into(), vec![1, 2, 3])],
            ..LocateFilter::default()
        };
        let found = vec!["k".to_owned()];
        let generation = cache.located(&a, &filter).unwrap_err();
        cache.keep_located(&a, &filter, &found, generation);
        assert_eq!(cache.located(&a, &filter), Ok(found.clone()));
        assert!(cache.located(&b, &filter).is_err(), "per scope");
        let other = LocateFilter {
            maximum_items: Some(1),
            ..filter.clone()
        };
        assert!(cache.located(&a, &other).is_err(), "per filter");
        // A change anywhere (another scope, another object) forgets it.
        cache.remove(&b, [&"unrelated".to_owned()]);
        let generation = cache.located(&a, &filter).unwrap_err();
        // A Locate that raced a change is not kept.
        cache.remove(&a, []);
        cache.keep_located(&a, &filter, &found, generation);
        assert!(cache.located(&a, &filter).is_err());
        // Nor is a long answer.
        let generation = cache.located(&a, &filter).unwrap_err();
        let many: Vec<String> = (0..=LOCATED_MAX_IDS).map(|i| i.to_string()).collect();
        cache.keep_located(&a, &filter, &many, generation);
        assert!(cache.located(&a, &filter).is_err());
        cache.keep_located(&a, &filter, &found, generation);
        cache.clear();
        assert!(cache.located(&a, &filter).is_err(), "the time sweep forgets it too");
    }

    #[test]
    fn an_entry_read_without_material_serves_attribute_reads_only() {
        let cache = Cache::default();
        let a = Scope::new("a").unwrap();
        let generation = cache.get(&a, "k", false).unwrap_err();
        cache.insert(&a, &object("k", State::Active), false, generation);
        assert!(cache.get(&a, "k", false).is_ok());
        let generation = cache.get(&a, "k", true).expect_err("no material to give");
        let mut with_material = ManagedObject::new("k".into(), ObjectType::OpaqueObject, State::Active);
        with_material.object = Some(kmip_codec::messages::Object::OpaqueObject(
            kmip_codec::messages::OpaqueObject {
                opaque_data_type: kmip_codec::enums::OpaqueDataType(0x8000_0001),
                opaque_data_value: kmip_codec::messages::Bytes::new(b"secret".to_vec()),
            },
        ));
        cache.insert(&a, &Arc::new(with_material), true, generation);
        assert!(
            cache.get(&a, "k", true).unwrap().object.is_some(),
            "read again with it, it serves both"
        );
        assert!(
            cache.get(&a, "k", false).unwrap().object.is_none(),
            "an attribute read is not handed the material"
        );
    }
}
