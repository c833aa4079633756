//! Locate in SQL: the objects of one scope that have every attribute value
//! a filter lists. An indexed attribute (Name, Object Group, ...) drives
//! the query through its partial index; the rest are `EXISTS` clauses on
//! the stored TTLV, which compares like the values themselves.

use kmip_codec::enums::State;
use kmip_codec::messages::AttributeName;
use rusqlite::Connection;

use crate::policy::Scope;
use crate::store::{DbError, LocateFilter};

/// Attributes with an index of their own (schema version 3), by which a
/// Locate is driven; the name is written into the SQL from this list, never
/// from a request, so that SQLite can use the partial index.
pub const INDEXED: &[AttributeName] = &[
    AttributeName::Name,
    AttributeName::ObjectGroup,
    AttributeName::AlternativeName,
    AttributeName::ApplicationSpecificInformation,
    AttributeName::Link,
];

/// A Locate's statement and its parameters; `driven` when an indexed
/// attribute drives it (its rows then come once per matching value, not
/// once per object, and are counted in Rust).
struct Query {
    sql: String,
    args: Vec<Box<dyn rusqlite::ToSql>>,
    driven: bool,
}

/// The on-line objects of `scope` matching `filter`, newest first.
/// Destroyed objects (metadata only, no material) are not on-line.
pub fn locate(conn: &Connection, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
    let Some(Query { sql, args, driven }) = query(scope, filter) else {
        return Ok(vec![]);
    };
    // The text depends only on the filter's shape (its values are
    // parameters), so a client repeating a Locate reuses the statement
    // (and its plan, see `schema::open`): parsing and planning it was a
    // third of a Locate by Name.
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter().map(|b| b.as_ref())), |r| {
        r.get::<_, String>(0)
    })?;
    if !driven {
        return Ok(rows.collect::<Result<_, _>>()?);
    }
    // Offset and maximum count objects, not rows.
    let mut found: Vec<String> = Vec::new();
    let mut skipped = 0usize;
    let mut previous: Option<String> = None;
    for uid in rows {
        let uid = uid?;
        if previous.as_ref() == Some(&uid) {
            continue;
        }
        previous = Some(uid.clone());
        if skipped < filter.offset_items {
            skipped = skipped.saturating_add(1);
            continue;
        }
        if filter.maximum_items.is_some_and(|m| found.len() >= m) {
            break;
        }
        found.push(uid);
    }
    Ok(found)
}

/// The statement for `filter`; `None` when nothing can match.
fn query(scope: &Scope, filter: &LocateFilter) -> Option<Query> {
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(scope.as_str().to_owned())];
    // An indexed attribute drives the query through its partial index,
    // so a Locate by Name reads the matching rows, not the scope.
    let driver = filter
        .attributes
        .iter()
        .find_map(|(name, value)| INDEXED.iter().find(|n| n.as_str() == name).map(|n| (n.as_str(), value)));
    let mut sql = match driver {
        Some((name, value)) => {
            args.push(Box::new(value.clone()));
            // No DISTINCT (a temporary B-tree per query): an object with
            // the value twice gives adjacent rows, skipped below. CROSS
            // JOIN keeps the index the outer loop: left to choose, SQLite
            // walked the scope's objects newest first to spare the sort.
            format!(
                "SELECT o.uid FROM attributes d CROSS JOIN objects o ON o.uid = d.uid \
                 WHERE d.name = '{name}' AND d.value = ?2 AND o.scope = ?1"
            )
        }
        None => String::from("SELECT o.uid FROM objects o WHERE o.scope = ?1"),
    };
    let filters = filter
        .attributes
        .iter()
        .filter(|(name, value)| driver.is_none_or(|(n, v)| n != name || v != value));
    for (column, value) in [("o.object_type", filter.object_type), ("o.state", filter.state)] {
        if let Some(v) = value {
            args.push(Box::new(v));
            sql.push_str(&format!(" AND {column} = ?{}", args.len()));
        }
    }
    if let Some(uid) = &filter.uid {
        args.push(Box::new(uid.clone()));
        sql.push_str(&format!(" AND o.uid = ?{}", args.len()));
    }
    for (name, value) in filters {
        args.push(Box::new(name.clone()));
        let n = args.len();
        args.push(Box::new(value.clone()));
        let v = args.len();
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = ?{n} AND a.value = ?{v})"
        ));
    }
    for (name, low, high) in &filter.ranges {
        args.push(Box::new(name.clone()));
        let n = args.len();
        args.push(Box::new(low.clone()));
        let l = args.len();
        args.push(Box::new(high.clone()));
        let h = args.len();
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM attributes r WHERE r.uid = o.uid AND r.name = ?{n} \
             AND r.value >= ?{l} AND r.value <= ?{h})"
        ));
    }
    // Destroyed objects are not on-line storage, unless asked for by State.
    if filter.state.is_none() {
        sql.push_str(&format!(
            " AND o.state NOT IN ({}, {})",
            State::Destroyed.0,
            State::DestroyedCompromised.0
        ));
    }
    use kmip_codec::enums::StorageStatusMask as M;
    let archived = format!(
        "EXISTS (SELECT 1 FROM attributes x WHERE x.uid = o.uid AND x.name = '{}')",
        AttributeName::ArchiveDate.as_str()
    );
    match (
        filter.storage.contains(M::OnLineStorage),
        filter.storage.contains(M::ArchivalStorage),
    ) {
        (true, true) => {}
        (true, false) => sql.push_str(&format!(" AND NOT {archived}")),
        (false, true) => sql.push_str(&format!(" AND {archived}")),
        (false, false) => return None,
    }
    sql.push_str(" ORDER BY o.rowid DESC");
    if driver.is_none() {
        // One row per object: SQLite can stop at the limit itself.
        sql.push_str(" LIMIT ?");
        sql.push_str(&args.len().saturating_add(1).to_string());
        sql.push_str(" OFFSET ?");
        sql.push_str(&args.len().saturating_add(2).to_string());
        args.push(Box::new(filter.maximum_items.map_or(-1, |m| m as i64)));
        args.push(Box::new(filter.offset_items as i64));
    }
    Some(Query {
        sql,
        args,
        driven: driver.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let q = query(&scope, &filter).unwrap();
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", q.sql))
                .unwrap()
                .query_map(rusqlite::params_from_iter(q.args.iter().map(|b| b.as_ref())), |r| {
                    r.get::<_, String>(3)
                })
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
