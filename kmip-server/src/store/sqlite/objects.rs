//! Managed objects in SQLite, always read and written through a scope.
//!
//! Every query names the caller's scope in its `WHERE` clause, so an object
//! of another scope is simply not found: the caller cannot tell it from a
//! missing one. The rows are those [`crate::store::rows`] describes.

use kmip_codec::enums::State;
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue};
use rusqlite::{params, Connection, OptionalExtension};

use crate::keys::Sealer;
use crate::object::lifecycle::{self, Dates};
use crate::object::ManagedObject;
use crate::policy::Scope;
use crate::store::rows::{dates_of, Stored};
pub use crate::store::rows::{object_bytes, stored_indices, Snapshot};
use crate::store::{unix_now, value_bytes, DbError, LocateFilter, Usage};

/// The objects of one scope.
pub struct ScopedObjects<'c> {
    pub(super) conn: &'c Connection,
    pub(super) scope: &'c Scope,
}

impl<'c> ScopedObjects<'c> {
    /// Objects as seen from `scope`.
    pub fn new(conn: &'c Connection, scope: &'c Scope) -> Self {
        ScopedObjects { conn, scope }
    }

    /// Records a bare object row (no material, no attributes).
    pub fn insert(&self, uid: &str, object_type: u32) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO objects (uid, scope, object_type, created) VALUES (?1, ?2, ?3, ?4)",
            params![uid, self.scope.as_str(), object_type, unix_now()],
        )?;
        Ok(())
    }

    /// The number of objects in this scope.
    pub fn count(&self) -> Result<u64, DbError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM objects WHERE scope = ?1",
            params![self.scope.as_str()],
            |r| r.get(0),
        )?)
    }

    /// Deletes every object of this scope, its attributes with it (scope
    /// delete --force). A running server forgets its cached objects when it
    /// sees the registry change that goes with this.
    pub fn delete_all(&self) -> Result<u64, DbError> {
        let n = self
            .conn
            .execute("DELETE FROM objects WHERE scope = ?1", params![self.scope.as_str()])?;
        Ok(n as u64)
    }

    /// Writes the attribute rows of an object, each instance under the
    /// index [`stored_indices`] gives it, after `replace` removes the old
    /// ones. Returns their bytes, which the caller keeps on the object's
    /// row for the scope's quota.
    fn write_attributes(&self, stored: &ManagedObject, replace: bool) -> Result<i64, DbError> {
        if replace {
            self.conn
                .prepare_cached("DELETE FROM attributes WHERE uid = ?1")?
                .execute(params![stored.uid])?;
        }
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO attributes (uid, name, idx, value) VALUES (?1, ?2, ?3, ?4)")?;
        let rows: Vec<&Attribute> = stored
            .attributes
            .iter()
            .filter(|a| !a.is(AttributeName::State))
            .collect();
        let mut bytes: i64 = 0;
        for (a, index) in rows.iter().zip(stored_indices(&rows)) {
            let value = value_bytes(&a.value);
            bytes = bytes.saturating_add(value.len() as i64);
            insert.execute(params![stored.uid, a.name, index, value])?;
        }
        Ok(bytes)
    }

    /// Sets the state, attribute bytes and time of the next date-driven
    /// move ([`lifecycle::due`]) of an existing object's row.
    fn update_row(&self, uid: &str, state: State, attribute_bytes: i64, dates: Dates) -> Result<(), DbError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE objects SET state = ?3, attribute_bytes = ?4, due = ?5 WHERE uid = ?1 AND scope = ?2",
            )?
            .execute(params![
                uid,
                self.scope.as_str(),
                state.0,
                attribute_bytes,
                lifecycle::due(state, dates)
            ])?;
        if n != 1 {
            return Err(DbError(format!("object {uid} vanished")));
        }
        Ok(())
    }
}

impl super::Objects for ScopedObjects<'_> {
    /// Stores a new object: its material, already sealed, and its attributes.
    fn create(&self, stored: &ManagedObject, sealed: Option<Vec<u8>>) -> Result<(), DbError> {
        // The row first: the attribute rows reference it.
        self.conn
            .prepare_cached(
                "INSERT INTO objects (uid, scope, object_type, created, state, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                stored.uid,
                self.scope.as_str(),
                stored.object_type.0,
                unix_now(),
                stored.state().0,
                sealed
            ])?;
        let bytes = self.write_attributes(stored, false)?;
        self.update_row(&stored.uid, stored.state(), bytes, stored.dates())
    }

    /// Saves a changed object: state and attributes (material unchanged).
    fn update(&self, stored: &ManagedObject) -> Result<(), DbError> {
        let bytes = self.write_attributes(stored, true)?;
        self.update_row(&stored.uid, stored.state(), bytes, stored.dates())
    }

    /// Deletes an object of this scope, row and attributes (Import with
    /// Replace Existing).
    fn delete(&self, uid: &str) -> Result<(), DbError> {
        self.conn.execute(
            "DELETE FROM attributes WHERE uid = ?1 AND uid IN (SELECT uid FROM objects WHERE scope = ?2)",
            params![uid, self.scope.as_str()],
        )?;
        self.conn.execute(
            "DELETE FROM objects WHERE uid = ?1 AND scope = ?2",
            params![uid, self.scope.as_str()],
        )?;
        Ok(())
    }

    fn snapshot(&self, uid: &str) -> Result<Option<Snapshot>, DbError> {
        let row = self
            .conn
            .query_row(
                "SELECT object_type, created, state, sealed FROM objects WHERE uid = ?1 AND scope = ?2",
                params![uid, self.scope.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((object_type, created, state, sealed)) = row else {
            return Ok(None);
        };
        let attributes = self
            .conn
            .prepare_cached("SELECT name, idx, value FROM attributes WHERE uid = ?1 ORDER BY name, idx")?
            .query_map(params![uid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Some(Snapshot {
            object_type,
            created,
            state,
            sealed,
            attributes,
        }))
    }

    fn restore(&self, uid: &str, snapshot: Option<&Snapshot>) -> Result<(), DbError> {
        self.delete(uid)?;
        let Some(s) = snapshot else { return Ok(()) };
        self.conn.execute(
            "INSERT INTO objects (uid, scope, object_type, created, state, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![uid, self.scope.as_str(), s.object_type, s.created, s.state, s.sealed],
        )?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO attributes (uid, name, idx, value) VALUES (?1, ?2, ?3, ?4)")?;
        let mut bytes: i64 = 0;
        for (name, idx, value) in &s.attributes {
            insert.execute(params![uid, name, idx, value])?;
            bytes = bytes.saturating_add(value.len() as i64);
        }
        self.update_row(uid, State(s.state), bytes, stored_dates(self.conn, uid)?)
    }

    /// Erases an object's key material, keeping its metadata.
    fn erase_material(&self, uid: &str) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE objects SET sealed = NULL WHERE uid = ?1 AND scope = ?2",
            params![uid, self.scope.as_str()],
        )?;
        Ok(())
    }

    /// Loads `uid` if it exists in this scope; with `sealer`, also opens
    /// its material.
    fn load(&self, uid: &str, sealer: Option<&Sealer>) -> Result<Option<ManagedObject>, DbError> {
        let row = self
            .conn
            .query_row(
                "SELECT object_type, state, sealed FROM objects WHERE uid = ?1 AND scope = ?2",
                params![uid, self.scope.as_str()],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, Option<Vec<u8>>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((object_type, state, sealed)) = row else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, idx, value FROM attributes WHERE uid = ?1 ORDER BY name, idx")?;
        let rows = stmt.query_map(params![uid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let stored = Stored {
            uid,
            scope: self.scope,
            object_type,
            state,
            sealed,
        };
        Ok(Some(stored.assemble(sealer, rows.map(|r| r.map_err(DbError::from)))?))
    }

    /// The Object Type of `uid`, if it exists in this scope.
    fn object_type(&self, uid: &str) -> Result<Option<u32>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT object_type FROM objects WHERE uid = ?1 AND scope = ?2",
                params![uid, self.scope.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn locate(&self, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        super::locate::locate(self.conn, self.scope, filter)
    }

    fn usage(&self) -> Result<Usage, DbError> {
        Ok(self
            .conn
            .prepare_cached("SELECT object_count, stored_bytes, max_objects, max_bytes FROM scopes WHERE name = ?1")?
            .query_row(params![self.scope.as_str()], |r| {
                Ok(Usage {
                    objects: r.get(0)?,
                    bytes: r.get(1)?,
                    max_objects: r.get(2)?,
                    max_bytes: r.get(3)?,
                })
            })
            .optional()?
            .unwrap_or_default())
    }

    fn uid_taken(&self, uid: &str) -> Result<bool, DbError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM objects WHERE uid = ?1)",
            params![uid],
            |r| r.get(0),
        )?)
    }
}

/// An object's Activation and Deactivation Dates as stored.
fn stored_dates(conn: &Connection, uid: &str) -> Result<Dates, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, value FROM attributes WHERE uid = ?1 AND name IN ('Activation Date', 'Deactivation Date')",
    )?;
    let rows = stmt.query_map(params![uid], |r| Ok((r.get(0)?, r.get(1)?)))?;
    dates_of(rows.map(|r| r.map_err(DbError::from)))
}

/// Objects the time sweep looks at in one call, so that it never holds
/// the writer (and the Creates queued behind it) for long; the rest wait
/// for the next second.
const SWEEP_BATCH: i64 = 2_000;

/// Moves objects whose dates have passed (KMIP 1.4 §3.22,
/// [`lifecycle::by_dates`]) without a client asking. Each row keeps when
/// its next move is due (`objects.due`, indexed where set), so a sweep
/// reads only the objects due, not every date of every object. Returns
/// how many objects moved.
pub fn advance_states(conn: &Connection, now: i64) -> Result<usize, DbError> {
    let due: Vec<(String, u32)> = conn
        .prepare_cached("SELECT uid, state FROM objects WHERE due <= ?1 ORDER BY due LIMIT ?2")?
        .query_map(params![now, SWEEP_BATCH], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let changed = value_bytes(&AttributeValue::LastChangeDate(kmip_codec::messages::DateTime(now)));
    let mut moved: usize = 0;
    for (uid, state) in due {
        let dates = stored_dates(conn, &uid)?;
        let to = lifecycle::by_dates(State(state), dates, now);
        conn.prepare_cached("UPDATE objects SET state = ?2, due = ?3 WHERE uid = ?1")?
            .execute(params![uid, to.0, lifecycle::due(to, dates)])?;
        if to != State(state) {
            conn.prepare_cached("UPDATE attributes SET value = ?2 WHERE uid = ?1 AND name = ?3")?
                .execute(params![uid, changed, AttributeName::LastChangeDate.as_str()])?;
            moved = moved.saturating_add(1);
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Objects;
    use kmip_codec::enums::ObjectType;

    /// The counters the triggers keep, and the same measured from scratch.
    fn counted_and_recounted(conn: &Connection, scope: &Scope) -> (Usage, Usage) {
        let usage = ScopedObjects::new(conn, scope).usage().unwrap();
        let recount = conn
            .query_row(
                "SELECT (SELECT count(*) FROM objects WHERE scope = ?1 AND state < 5),
                        (SELECT coalesce(sum(coalesce(length(sealed), 0)), 0) FROM objects WHERE scope = ?1)
                      + (SELECT coalesce(sum(length(value)), 0) FROM attributes
                         WHERE uid IN (SELECT uid FROM objects WHERE scope = ?1))",
                params![scope.as_str()],
                |r| {
                    Ok(Usage {
                        objects: r.get(0)?,
                        bytes: r.get(1)?,
                        ..Usage::default()
                    })
                },
            )
            .unwrap();
        (
            Usage {
                max_objects: None,
                max_bytes: None,
                ..usage
            },
            recount,
        )
    }

    #[test]
    fn the_quota_counters_match_a_recount_after_every_kind_of_write() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(dir.path()).unwrap();
        let (scope, other) = (Scope::new("counted").unwrap(), Scope::new("other").unwrap());
        for s in [&scope, &other] {
            conn.execute("INSERT INTO scopes (name, created) VALUES (?1, 0)", params![s.as_str()])
                .unwrap();
        }
        let objects = ScopedObjects::new(&conn, &scope);
        let object = |uid: &str, groups: usize| {
            let mut stored = ManagedObject {
                uid: uid.into(),
                object_type: ObjectType::SecretData,
                object: None,
                attributes: vec![Attribute::new(AttributeValue::State(State::Active))],
            };
            for g in 0..groups {
                stored
                    .attributes
                    .push(Attribute::new(AttributeValue::ObjectGroup(format!("group {g}"))));
            }
            stored
        };
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut snapshots = Vec::new();
        for step in 0..400 {
            let uid = format!("uid-{}", next(12));
            let exists = objects.object_type(&uid).unwrap().is_some();
            match (next(7), exists) {
                (0 | 1, false) => {
                    let sealed = vec![0u8; next(300) as usize];
                    objects.create(&object(&uid, next(4) as usize), Some(sealed)).unwrap();
                }
                (2, true) => {
                    let mut changed = object(&uid, next(6) as usize);
                    changed.set_state(if next(2) == 0 {
                        State::Destroyed
                    } else {
                        State::Deactivated
                    });
                    objects.update(&changed).unwrap();
                }
                (3, true) => objects.erase_material(&uid).unwrap(),
                (4, true) => objects.delete(&uid).unwrap(),
                (5, _) => snapshots.push((uid.clone(), objects.snapshot(&uid).unwrap())),
                (6, _) => {
                    if let Some((uid, snapshot)) = snapshots.pop() {
                        objects.restore(&uid, snapshot.as_ref()).unwrap();
                    }
                }
                _ => {}
            }
            if step == 300 {
                ScopedObjects::new(&conn, &other)
                    .create(&object("elsewhere", 2), Some(vec![1; 50]))
                    .unwrap();
                objects.delete_all().unwrap();
            }
            let (counted, recounted) = counted_and_recounted(&conn, &scope);
            assert_eq!(counted, recounted, "after step {step}");
        }
        let (counted, recounted) = counted_and_recounted(&conn, &other);
        assert_eq!(
            (counted, counted.objects),
            (recounted, 1),
            "another scope's writes count there"
        );
    }

    fn group(index: Option<i32>) -> Attribute {
        Attribute {
            index,
            ..Attribute::new(AttributeValue::ObjectGroup("g".into()))
        }
    }

    #[test]
    fn any_indices_a_client_sends_are_stored_without_two_sharing_one() {
        // A small deterministic generator: many random sets of instances,
        // indices absent, repeated, negative, at the extremes.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2_000 {
            let n = (next() % 8) as usize;
            let attrs: Vec<Attribute> = (0..n)
                .map(|_| {
                    group(match next() % 6 {
                        0 => None,
                        1 => Some(0),
                        2 => Some(i32::MAX),
                        3 => Some(-1),
                        _ => Some((next() % 4) as i32),
                    })
                })
                .collect();
            let refs: Vec<&Attribute> = attrs.iter().collect();
            let stored = stored_indices(&refs);
            let mut seen = std::collections::HashSet::new();
            for (a, i) in attrs.iter().zip(&stored) {
                assert!(*i >= 0 && seen.insert(*i), "{attrs:?} -> {stored:?}");
                if let Some(given) = a.index.filter(|g| *g >= 0) {
                    let first = attrs.iter().position(|b| b.index == Some(given));
                    if first.is_some_and(|f| std::ptr::eq(&attrs[f], a)) {
                        assert_eq!(*i, given, "the first instance keeps the index it was given");
                    }
                }
            }
        }
    }
}
