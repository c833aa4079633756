//! Locate in SQL, for either backend: the objects of one scope that have
//! every attribute value a filter lists. An indexed attribute (Name,
//! Object Group, ...) drives the query through its partial index; the
//! rest are `EXISTS` clauses on the stored TTLV, which compares like the
//! values themselves. The two backends differ only in what [`Dialect`]
//! names.

use kmip_codec::enums::State;
use kmip_codec::messages::AttributeName;

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

/// The SQL the two backends write differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `?N` parameters, `rowid` creation order, `CROSS JOIN` to fix the join order.
    Sqlite,
    /// `$N` parameters, the `seq` column for creation order.
    Postgres,
}

/// A parameter of a Locate's statement.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A scope, name or UID.
    Text(String),
    /// An attribute value's TTLV.
    Blob(Vec<u8>),
    /// A type, state, limit or offset.
    Int(i64),
}

/// A Locate's statement and its parameters; `driven` when an indexed
/// attribute drives it (its rows then come once per matching value, not
/// once per object, and are counted by [`Query::collect`]).
pub struct Query {
    /// The statement, its text depending only on the filter's shape.
    pub sql: String,
    /// Its parameters, in order.
    pub args: Vec<Arg>,
    driven: bool,
}

impl Query {
    /// The UIDs the statement's rows give, offset and limit applied.
    pub fn collect(
        &self,
        filter: &LocateFilter,
        rows: impl Iterator<Item = Result<String, DbError>>,
    ) -> Result<Vec<String>, DbError> {
        if !self.driven {
            return rows.collect();
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
}

/// The statement for `filter` in `dialect`; `None` when nothing can match.
pub fn query(dialect: Dialect, scope: &Scope, filter: &LocateFilter) -> Option<Query> {
    let mut args = vec![Arg::Text(scope.as_str().to_owned())];
    // The placeholder of the parameter just pushed.
    let last = |args: &Vec<Arg>| match dialect {
        Dialect::Sqlite => format!("?{}", args.len()),
        Dialect::Postgres => format!("${}", args.len()),
    };
    // An indexed attribute drives the query through its partial index,
    // so a Locate by Name reads the matching rows, not the scope.
    let driver = filter
        .attributes
        .iter()
        .find_map(|(name, value)| INDEXED.iter().find(|n| n.as_str() == name).map(|n| (n.as_str(), value)));
    let mut sql = match driver {
        Some((name, value)) => {
            args.push(Arg::Blob(value.clone()));
            // No DISTINCT (a temporary B-tree per query): an object with
            // the value twice gives adjacent rows, skipped in collect. The
            // index is the outer loop: left to choose, SQLite walked the
            // scope's objects newest first to spare the sort, so it gets a
            // CROSS JOIN (which PostgreSQL's syntax has without ON).
            let join = match dialect {
                Dialect::Sqlite => "CROSS JOIN",
                Dialect::Postgres => "JOIN",
            };
            format!(
                "SELECT o.uid FROM attributes d {join} objects o ON o.uid = d.uid \
                 WHERE d.name = '{name}' AND d.value = {} AND o.scope = {}",
                last(&args),
                match dialect {
                    Dialect::Sqlite => "?1",
                    Dialect::Postgres => "$1",
                }
            )
        }
        None => format!("SELECT o.uid FROM objects o WHERE o.scope = {}", last(&args)),
    };
    let filters = filter
        .attributes
        .iter()
        .filter(|(name, value)| driver.is_none_or(|(n, v)| n != name || v != value));
    for (column, value) in [("o.object_type", filter.object_type), ("o.state", filter.state)] {
        if let Some(v) = value {
            args.push(Arg::Int(i64::from(v)));
            sql.push_str(&format!(" AND {column} = {}", last(&args)));
        }
    }
    if let Some(uid) = &filter.uid {
        args.push(Arg::Text(uid.clone()));
        sql.push_str(&format!(" AND o.uid = {}", last(&args)));
    }
    for (name, value) in filters {
        args.push(Arg::Text(name.clone()));
        let n = last(&args);
        args.push(Arg::Blob(value.clone()));
        let v = last(&args);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM attributes a WHERE a.uid = o.uid AND a.name = {n} AND a.value = {v})"
        ));
    }
    for (name, low, high) in &filter.ranges {
        args.push(Arg::Text(name.clone()));
        let n = last(&args);
        args.push(Arg::Blob(low.clone()));
        let l = last(&args);
        args.push(Arg::Blob(high.clone()));
        let h = last(&args);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM attributes r WHERE r.uid = o.uid AND r.name = {n} \
             AND r.value >= {l} AND r.value <= {h})"
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
    sql.push_str(match dialect {
        Dialect::Sqlite => " ORDER BY o.rowid DESC",
        Dialect::Postgres => " ORDER BY o.seq DESC",
    });
    if driver.is_none() {
        // One row per object: the database can stop at the limit itself.
        let limit = match filter.maximum_items {
            Some(m) => {
                args.push(Arg::Int(i64::try_from(m).unwrap_or(i64::MAX)));
                last(&args)
            }
            None if dialect == Dialect::Sqlite => "-1".to_owned(),
            None => "ALL".to_owned(),
        };
        args.push(Arg::Int(i64::try_from(filter.offset_items).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT {limit} OFFSET {}", last(&args)));
    }
    Some(Query {
        sql,
        args,
        driven: driver.is_some(),
    })
}
