//! Managed objects in PostgreSQL, always read and written through a scope,
//! as in SQLite ([`crate::store::sqlite::objects`]): the same rows
//! ([`crate::store::rows`]), the scope in every `WHERE` clause.
//!
//! Inside a change an object is read `FOR UPDATE`: two nodes changing one
//! object take turns on its row, so neither writes over what the other
//! just changed.

use std::cell::RefCell;

use kmip_codec::enums::State;
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue};
use postgres::types::ToSql;

use super::Session;
use crate::keys::Sealer;
use crate::object::lifecycle::{self, Dates};
use crate::object::ManagedObject;
use crate::policy::Scope;
use crate::store::locate::{query, Arg, Dialect, Query};
use crate::store::rows::{dates_of, stored_indices, Snapshot, Stored};
use crate::store::{unix_now, value_bytes, DbError, LocateFilter, Objects, Usage};

/// The objects of one scope, on one session: in a change's transaction
/// (`locking`), or a read outside one.
pub struct ScopedObjects<'c> {
    session: RefCell<&'c mut Session>,
    scope: &'c Scope,
    locking: bool,
}

/// An object's attribute rows, column by column, as `unnest` takes them.
struct Rows {
    names: Vec<String>,
    indices: Vec<i32>,
    values: Vec<Vec<u8>>,
    /// Their bytes, which the object's row keeps for the scope's quota.
    bytes: i64,
}

impl Rows {
    fn new(names: Vec<String>, indices: Vec<i32>, values: Vec<Vec<u8>>) -> Rows {
        let bytes = values.iter().fold(0i64, |n, v| {
            n.saturating_add(i64::try_from(v.len()).unwrap_or(i64::MAX))
        });
        Rows {
            names,
            indices,
            values,
            bytes,
        }
    }

    /// The rows of an object's attributes (the State is a column).
    fn of(stored: &ManagedObject) -> Rows {
        let kept: Vec<&Attribute> = stored
            .attributes
            .iter()
            .filter(|a| !a.is(AttributeName::State))
            .collect();
        Rows::new(
            kept.iter().map(|a| a.name.clone()).collect(),
            stored_indices(&kept),
            kept.iter().map(|a| value_bytes(&a.value)).collect(),
        )
    }
}

fn int(v: u32) -> i64 {
    i64::from(v)
}

fn small(v: i64) -> Result<u32, DbError> {
    u32::try_from(v).map_err(|_| DbError(format!("a stored enumeration value {v} is out of range")))
}

impl<'c> ScopedObjects<'c> {
    /// Objects as seen from `scope`; `locking` inside a change.
    pub fn new(session: &'c mut Session, scope: &'c Scope, locking: bool) -> Self {
        ScopedObjects {
            session: RefCell::new(session),
            scope,
            locking,
        }
    }

    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, DbError> {
        self.session.borrow_mut().execute_params(sql, params)
    }

    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<postgres::Row>, DbError> {
        self.session.borrow_mut().query_params(sql, params)
    }

    /// Inserts the attribute rows of `uid`, each instance under the index
    /// [`stored_indices`] gives it, in one statement (a round trip per row
    /// was most of a Create).
    fn insert_attributes(&self, uid: &str, rows: &Rows) -> Result<(), DbError> {
        self.execute(
            "INSERT INTO attributes (uid, name, idx, value) \
             SELECT $1, * FROM unnest($2::TEXT[], $3::INTEGER[], $4::BYTEA[])",
            &[&uid, &rows.names, &rows.indices, &rows.values],
        )?;
        Ok(())
    }

    fn update_row(&self, uid: &str, state: State, attribute_bytes: i64, dates: Dates) -> Result<(), DbError> {
        let n = self.execute(
            "UPDATE objects SET state = $3, attribute_bytes = $4, due = $5 WHERE uid = $1 AND scope = $2",
            &[
                &uid,
                &self.scope.as_str(),
                &int(state.0),
                &attribute_bytes,
                &lifecycle::due(state, dates),
            ],
        )?;
        if n != 1 {
            return Err(DbError(format!("object {uid} vanished")));
        }
        Ok(())
    }

    /// Deletes every object of this scope, its attributes with it.
    pub fn delete_all(&self) -> Result<u64, DbError> {
        self.execute("DELETE FROM objects WHERE scope = $1", &[&self.scope.as_str()])
    }
}

impl Objects for ScopedObjects<'_> {
    fn create(&self, stored: &ManagedObject, sealed: Option<Vec<u8>>) -> Result<(), DbError> {
        let rows = Rows::of(stored);
        let state = stored.state();
        self.execute(
            "INSERT INTO objects (uid, scope, object_type, created, state, sealed, attribute_bytes, due) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &stored.uid,
                &self.scope.as_str(),
                &int(stored.object_type.0),
                &unix_now(),
                &int(state.0),
                &sealed,
                &rows.bytes,
                &lifecycle::due(state, stored.dates()),
            ],
        )?;
        self.insert_attributes(&stored.uid, &rows)
    }

    fn update(&self, stored: &ManagedObject) -> Result<(), DbError> {
        let rows = Rows::of(stored);
        self.execute("DELETE FROM attributes WHERE uid = $1", &[&stored.uid])?;
        self.insert_attributes(&stored.uid, &rows)?;
        self.update_row(&stored.uid, stored.state(), rows.bytes, stored.dates())
    }

    fn delete(&self, uid: &str) -> Result<(), DbError> {
        // The attribute rows go with the object row (ON DELETE CASCADE).
        self.execute(
            "DELETE FROM objects WHERE uid = $1 AND scope = $2",
            &[&uid, &self.scope.as_str()],
        )?;
        Ok(())
    }

    fn erase_material(&self, uid: &str) -> Result<(), DbError> {
        self.execute(
            "UPDATE objects SET sealed = NULL WHERE uid = $1 AND scope = $2",
            &[&uid, &self.scope.as_str()],
        )?;
        Ok(())
    }

    fn snapshot(&self, uid: &str) -> Result<Option<Snapshot>, DbError> {
        let rows = self.query(
            "SELECT object_type, created, state, sealed FROM objects WHERE uid = $1 AND scope = $2 FOR UPDATE",
            &[&uid, &self.scope.as_str()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let attributes = self
            .query(
                "SELECT name, idx, value FROM attributes WHERE uid = $1 ORDER BY name, idx",
                &[&uid],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, DbError>>()?;
        Ok(Some(Snapshot {
            object_type: small(row.try_get(0)?)?,
            created: row.try_get(1)?,
            state: small(row.try_get(2)?)?,
            sealed: row.try_get(3)?,
            attributes,
        }))
    }

    fn restore(&self, uid: &str, snapshot: Option<&Snapshot>) -> Result<(), DbError> {
        self.delete(uid)?;
        let Some(s) = snapshot else { return Ok(()) };
        self.execute(
            "INSERT INTO objects (uid, scope, object_type, created, state, sealed) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &uid,
                &self.scope.as_str(),
                &int(s.object_type),
                &s.created,
                &int(s.state),
                &s.sealed,
            ],
        )?;
        let rows = Rows::new(
            s.attributes.iter().map(|(n, _, _)| n.clone()).collect(),
            s.attributes.iter().map(|(_, i, _)| *i).collect(),
            s.attributes.iter().map(|(_, _, v)| v.clone()).collect(),
        );
        self.insert_attributes(uid, &rows)?;
        let dates = stored_dates(&mut self.session.borrow_mut(), uid)?;
        self.update_row(uid, State(s.state), rows.bytes, dates)
    }

    fn load(&self, uid: &str, sealer: Option<&Sealer>) -> Result<Option<ManagedObject>, DbError> {
        // One statement, so a read outside a transaction sees the row and
        // its attributes as of one moment.
        let sql = match self.locking {
            true => {
                "SELECT o.object_type, o.state, o.sealed, a.name, a.idx, a.value \
                 FROM objects o LEFT JOIN attributes a ON a.uid = o.uid \
                 WHERE o.uid = $1 AND o.scope = $2 ORDER BY a.name, a.idx FOR UPDATE OF o"
            }
            false => {
                "SELECT o.object_type, o.state, o.sealed, a.name, a.idx, a.value \
                 FROM objects o LEFT JOIN attributes a ON a.uid = o.uid \
                 WHERE o.uid = $1 AND o.scope = $2 ORDER BY a.name, a.idx"
            }
        };
        let rows = self.query(sql, &[&uid, &self.scope.as_str()])?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let stored = Stored {
            uid,
            scope: self.scope,
            object_type: small(first.try_get(0)?)?,
            state: small(first.try_get(1)?)?,
            sealed: first.try_get(2)?,
        };
        let attributes = rows.iter().filter_map(|r| match r.try_get::<_, Option<String>>(3) {
            Ok(None) => None, // an object without attributes: the join's one empty row
            Ok(Some(name)) => Some((|| Ok((name, r.try_get(4)?, r.try_get(5)?)))()),
            Err(e) => Some(Err(e.into())),
        });
        Ok(Some(stored.assemble(sealer, attributes)?))
    }

    fn object_type(&self, uid: &str) -> Result<Option<u32>, DbError> {
        self.query(
            "SELECT object_type FROM objects WHERE uid = $1 AND scope = $2",
            &[&uid, &self.scope.as_str()],
        )?
        .first()
        .map(|r| small(r.try_get(0)?))
        .transpose()
    }

    fn uid_taken(&self, uid: &str) -> Result<bool, DbError> {
        Ok(self
            .query("SELECT EXISTS (SELECT 1 FROM objects WHERE uid = $1)", &[&uid])?
            .first()
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or(false))
    }

    fn locate(&self, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        let Some(q) = query(Dialect::Postgres, self.scope, filter) else {
            return Ok(vec![]);
        };
        let args: Vec<Box<dyn ToSql + Sync>> = q
            .args
            .iter()
            .map(|a| -> Box<dyn ToSql + Sync> {
                match a {
                    Arg::Text(s) => Box::new(s.clone()),
                    Arg::Blob(b) => Box::new(b.clone()),
                    Arg::Int(i) => Box::new(*i),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(AsRef::as_ref).collect();
        let rows = self.query(&q.sql, &refs)?;
        Query::collect(&q, filter, rows.iter().map(|r| Ok(r.try_get(0)?)))
    }

    fn usage(&self) -> Result<Usage, DbError> {
        let rows = self.query(
            "SELECT coalesce(sum(u.objects), 0)::BIGINT, coalesce(sum(u.bytes), 0)::BIGINT, s.max_objects, s.max_bytes \
             FROM scopes s LEFT JOIN scope_usage u ON u.scope = s.name WHERE s.name = $1 \
             GROUP BY s.name, s.max_objects, s.max_bytes",
            &[&self.scope.as_str()],
        )?;
        let Some(r) = rows.first() else {
            return Ok(Usage::default());
        };
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(Usage {
            objects: count(r.try_get(0)?),
            bytes: count(r.try_get(1)?),
            max_objects: r.try_get::<_, Option<i64>>(2)?.map(count),
            max_bytes: r.try_get::<_, Option<i64>>(3)?.map(count),
        })
    }
}

/// An object's Activation and Deactivation Dates as stored.
fn stored_dates(session: &mut Session, uid: &str) -> Result<Dates, DbError> {
    let rows = session.query_params(
        "SELECT name, value FROM attributes WHERE uid = $1 AND name IN ('Activation Date', 'Deactivation Date')",
        &[&uid],
    )?;
    dates_of(rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))))
}

/// Objects the time sweep looks at in one call (as in SQLite).
const SWEEP_BATCH: i64 = 2_000;

/// Moves objects whose dates have passed ([`lifecycle::by_dates`]), as
/// SQLite's sweep does; returns the UIDs (and scopes) of those that moved.
pub fn advance_states(session: &mut Session, now: i64) -> Result<Vec<(String, String)>, DbError> {
    let due = session.query_params(
        "SELECT uid, state, scope FROM objects WHERE due <= $1 ORDER BY due LIMIT $2 FOR UPDATE SKIP LOCKED",
        &[&now, &SWEEP_BATCH],
    )?;
    let changed = value_bytes(&AttributeValue::LastChangeDate(kmip_codec::messages::DateTime(now)));
    let mut moved = Vec::new();
    for row in due {
        let (uid, state, scope): (String, i64, String) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let state = State(small(state)?);
        let dates = stored_dates(session, &uid)?;
        let to = lifecycle::by_dates(state, dates, now);
        session.execute_params(
            "UPDATE objects SET state = $2, due = $3 WHERE uid = $1",
            &[&uid, &int(to.0), &lifecycle::due(to, dates)],
        )?;
        if to != state {
            session.execute_params(
                "UPDATE attributes SET value = $2 WHERE uid = $1 AND name = $3",
                &[&uid, &changed, &AttributeName::LastChangeDate.as_str()],
            )?;
            moved.push((scope, uid));
        }
    }
    Ok(moved)
}
