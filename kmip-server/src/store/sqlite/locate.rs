//! Locate on SQLite: the statement [`crate::store::locate::query`] writes,
//! run on one connection.

use rusqlite::Connection;

use crate::policy::Scope;
use crate::store::locate::{query, Arg, Dialect, Query};
use crate::store::{DbError, LocateFilter};

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Text(s) => s.to_sql(),
            Arg::Blob(b) => b.to_sql(),
            Arg::Int(i) => i.to_sql(),
        }
    }
}

/// The on-line objects of `scope` matching `filter`, newest first.
/// Destroyed objects (metadata only, no material) are not on-line.
pub fn locate(conn: &Connection, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
    let Some(q) = query(Dialect::Sqlite, scope, filter) else {
        return Ok(vec![]);
    };
    // The text depends only on the filter's shape (its values are
    // parameters), so a client repeating a Locate reuses the statement
    // (and its plan, see `schema::open`): parsing and planning it was a
    // third of a Locate by Name.
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&q.args), |r| r.get::<_, String>(0))?;
    Query::collect(&q, filter, rows.map(|r| r.map_err(DbError::from)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::locate::INDEXED;

    #[test]
    fn a_locate_by_an_indexed_attribute_reads_its_index_first() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(dir.path()).unwrap();
        let scope = Scope::new("s").unwrap();
        for name in INDEXED {
            let filter = LocateFilter {
                attributes: vec![(name.as_str().to_owned(), vec![0])],
                storage: kmip_codec::enums::StorageStatusMask::OnLineStorage,
                ..LocateFilter::default()
            };
            let q = query(Dialect::Sqlite, &scope, &filter).unwrap();
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql))
                .unwrap()
                .query_map(rusqlite::params_from_iter(&q.args), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.first()
                    .is_some_and(|step| step.starts_with("SEARCH d USING COVERING INDEX attributes_")),
                "{name:?}: {plan:?}"
            );
        }
    }
}
