//! The registry and the objects copied from one store's database to
//! another's, either way between SQLite and PostgreSQL, through the one SQL
//! interface both have ([`crate::store::sql`]).
//!
//! This is how a PostgreSQL store gets into a backup (the backup holds the
//! SQLite database a single server's does, made from the cluster's tables
//! as of one moment), and how a backup gets into a PostgreSQL store; so
//! one format restores into either backend, and a backup moves a single
//! server onto PostgreSQL or a cluster onto one server. Objects keep their
//! order of creation (Locate answers newest first), in batches that bound
//! the memory a million objects take. What the target's triggers keep
//! (scope usage, change notifications) they make again as rows arrive.

use crate::store::sql::{Sql, Value};
use crate::store::DbError;

/// The registry's tables, parents first, with the columns both schemas share.
const REGISTRY: &[(&str, &str)] = &[
    ("scopes", "name, created, max_objects, max_bytes"),
    ("roles", "scope, name, operations, tls_key_type, tls_ttl_secs, created"),
    (
        "credentials",
        "serial, scope, role, subject, not_after, created, revoked",
    ),
];

const OBJECT_COLUMNS: &str = "uid, scope, object_type, created, state, sealed, attribute_bytes, due";
const ATTRIBUTE_COLUMNS: &str = "uid, name, idx, value";

/// Objects read at a time.
const BATCH: usize = 500;

/// Most parameters in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// How many objects were copied.
pub fn copy(from: &mut dyn Sql, to: &mut dyn Sql) -> Result<u64, DbError> {
    for (table, columns) in REGISTRY {
        let rows = from.query(&format!("SELECT {columns} FROM {table}"), &[])?;
        insert(to, table, columns, &rows)?;
    }
    let generation = from.query("SELECT value FROM registry_generation", &[])?;
    if let Some(value) = generation.first().and_then(|r| r.first()) {
        to.execute("UPDATE registry_generation SET value = ?1", std::slice::from_ref(value))?;
    }
    // The order of creation: SQLite's rowid, PostgreSQL's seq.
    let order = match from.is_postgres() {
        true => "seq",
        false => "rowid",
    };
    let (mut after, mut copied) = (Value::Int(-1), 0u64);
    loop {
        let rows = from.query(
            &format!("SELECT {order}, {OBJECT_COLUMNS} FROM objects WHERE {order} > ?1 ORDER BY {order} LIMIT ?2"),
            &[after.clone(), Value::Int(BATCH as i64)],
        )?;
        let Some(last) = rows.last().and_then(|r| r.first()) else {
            break;
        };
        after = last.clone();
        let objects: Vec<Vec<Value>> = rows.iter().map(|r| r.iter().skip(1).cloned().collect()).collect();
        insert(to, "objects", OBJECT_COLUMNS, &objects)?;
        let uids: Vec<Value> = objects.iter().filter_map(|r| r.first().cloned()).collect();
        let marks = (1..=uids.len()).map(|n| format!("?{n}")).collect::<Vec<_>>().join(", ");
        let attributes = from.query(
            &format!("SELECT {ATTRIBUTE_COLUMNS} FROM attributes WHERE uid IN ({marks}) ORDER BY uid, name, idx"),
            &uids,
        )?;
        insert(to, "attributes", ATTRIBUTE_COLUMNS, &attributes)?;
        copied = copied.saturating_add(objects.len() as u64);
    }
    Ok(copied)
}

/// Inserts `rows` into `table`, as many rows per statement as the
/// parameter limit allows.
fn insert(to: &mut dyn Sql, table: &str, columns: &str, rows: &[Vec<Value>]) -> Result<(), DbError> {
    let width = columns.split(',').count().max(1);
    for chunk in rows.chunks(MAX_PARAMETERS.checked_div(width).unwrap_or(1).max(1)) {
        let mut n = 0usize;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|_| {
                let marks: Vec<String> = (0..width)
                    .map(|_| {
                        n = n.saturating_add(1);
                        format!("?{n}")
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let values: Vec<Value> = chunk.iter().flatten().cloned().collect();
        to.execute(
            &format!("INSERT INTO {table} ({columns}) VALUES {}", tuples.join(", ")),
            &values,
        )?;
    }
    Ok(())
}
