//! Connection budgets: no one peer address and no one credential can hold
//! all of the server's connections, and a connection counts against the
//! server-wide limit only once its handshake is done (a flood of raw TCP
//! connections waits among the handshakes, with its own cap per peer).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

/// Live connections by key (a peer address, a credential serial).
pub struct Counts<K: Eq + Hash + Clone> {
    map: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K: Eq + Hash + Clone> Default for Counts<K> {
    fn default() -> Self {
        Counts {
            map: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl<K: Eq + Hash + Clone> Counts<K> {
    /// A slot for `key` if it holds fewer than `max`; given back on drop.
    pub fn take(&self, key: &K, max: usize) -> Option<Slot<K>> {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(key.clone()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n = n.saturating_add(1);
        Some(Slot {
            map: Arc::clone(&self.map),
            key: key.clone(),
        })
    }
}

/// One counted connection.
pub struct Slot<K: Eq + Hash + Clone> {
    map: Arc<Mutex<HashMap<K, usize>>>,
    key: K,
}

impl<K: Eq + Hash + Clone> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_at_most_its_share_and_gets_slots_back() {
        let counts = Counts::default();
        let a = [counts.take(&"a", 2), counts.take(&"a", 2)];
        assert!(a.iter().all(Option::is_some));
        assert!(counts.take(&"a", 2).is_none(), "a third is refused");
        assert!(counts.take(&"b", 2).is_some(), "others are not affected");
        drop(a);
        assert!(counts.take(&"a", 2).is_some(), "slots come back");
    }
}
