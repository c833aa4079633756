//! Parsed RSA and EC keys, kept between requests: parsing a private key
//! (AWS-LC checks it and precomputes its Montgomery and blinding values)
//! costs more than an RSA signature itself (measured with perf under the
//! RSA-2048 sign benchmark). An entry is found by scope and Unique
//! Identifier and used only while the key material it was parsed from is
//! the same (compared by SHA-256), so a replaced key is parsed afresh;
//! Destroy forgets the entry at once. At most [`CAPACITY`] keys are kept.

use crate::crypto::pkey::PKey;
use crate::error::Error;
use crate::policy::Scope;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most parsed keys kept; when full the cache starts again empty.
pub const CAPACITY: usize = 4096;

type Entry = ([u8; 32], Arc<PKey>);
type Map = HashMap<Scope, HashMap<String, Entry>>;

/// The parsed-key cache, by scope then Unique Identifier (lookups borrow).
#[derive(Default)]
pub struct ParsedKeys {
    map: Mutex<(Map, usize)>,
}

fn fingerprint(material: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, material);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

impl ParsedKeys {
    /// The key parsed from `material`, from the cache or by `parse`.
    pub fn get(
        &self,
        scope: &Scope,
        uid: &str,
        material: &[u8],
        parse: impl FnOnce() -> Result<PKey, Error>,
    ) -> Result<Arc<PKey>, Error> {
        let print = fingerprint(material);
        if let Some((p, parsed)) = self.lock().0.get(scope).and_then(|keys| keys.get(uid)) {
            if *p == print {
                return Ok(Arc::clone(parsed));
            }
        }
        let parsed = Arc::new(parse()?);
        let mut guard = self.lock();
        let (map, len) = &mut *guard;
        if *len >= CAPACITY {
            map.clear();
            *len = 0;
        }
        let keys = map.entry(scope.clone()).or_default();
        if keys.insert(uid.to_owned(), (print, Arc::clone(&parsed))).is_none() {
            *len = len.saturating_add(1);
        }
        Ok(parsed)
    }

    /// Forgets an object's parsed key (Destroy).
    pub fn forget(&self, scope: &Scope, uid: &str) {
        let mut guard = self.lock();
        let (map, len) = &mut *guard;
        if map.get_mut(scope).and_then(|keys| keys.remove(uid)).is_some() {
            *len = len.saturating_sub(1);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Map, usize)> {
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::pkey::{generate, Kind};

    #[test]
    fn a_key_is_parsed_once_while_its_material_stays_the_same() {
        let keys = ParsedKeys::default();
        let scope = Scope::new("s").unwrap();
        let a = generate(Kind::Ec, 256).unwrap().private_pkcs8_der().unwrap();
        let b = generate(Kind::Ec, 256).unwrap().private_pkcs8_der().unwrap();
        let parses = std::cell::Cell::new(0);
        let get = |material: &[u8]| {
            keys.get(&scope, "k", material, || {
                parses.set(parses.get() + 1);
                PKey::private_from_der(material).map_err(Error::crypto)
            })
            .unwrap()
        };
        get(&a);
        get(&a);
        assert_eq!(parses.get(), 1, "cached");
        get(&b);
        assert_eq!(
            parses.get(),
            2,
            "other material under the same identifier is parsed afresh"
        );
        keys.forget(&scope, "k");
        get(&b);
        assert_eq!(parses.get(), 3, "forgotten");
        keys.get(&Scope::new("t").unwrap(), "k", &b, || {
            parses.set(parses.get() + 1);
            PKey::private_from_der(&b).map_err(Error::crypto)
        })
        .unwrap();
        assert_eq!(parses.get(), 4, "scopes do not share entries");
    }
}
