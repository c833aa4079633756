//! The registry, the objects and the lifecycle tables copied from one
//! store's database to another's, either way between SQLite and PostgreSQL, through the one SQL
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

/// The registry's tables and the lifecycle policies and sinks, parents
/// first, with the columns both schemas share: few rows, read at once.
const REGISTRY: &[(&str, &str)] = &[
    ("scopes", "name, created, max_objects, max_bytes"),
    ("roles", "scope, name, operations, tls_key_type, tls_ttl_secs, created"),
    (
        "credentials",
        "serial, scope, role, subject, not_after, created, revoked",
    ),
    (
        "lifecycle_policies",
        "scope, name, match_group, match_name_prefix, rotate_every, deactivate_after, archive_after, \
         destroy_after, notify_before, created",
    ),
    ("notify_sinks", "id, url, secret_file, events, ca_file, created"),
];

/// The event outbox and its deliveries, in the order they were recorded
/// (a webhook receives them in that order), read a batch at a time.
const OUTBOX: &[(&str, &str)] = &[
    ("lifecycle_events", "id, time, event, scope, policy, uid, due, detail"),
    (
        "notify_deliveries",
        "event, sink, attempts, next_attempt, delivered, last_error",
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
    let mut copied = 0u64;
    pages(from, "objects", OBJECT_COLUMNS, |from, objects| {
        insert(to, "objects", OBJECT_COLUMNS, &objects)?;
        let uids: Vec<Value> = objects.iter().filter_map(|r| r.first().cloned()).collect();
        let marks = (1..=uids.len()).map(|n| format!("?{n}")).collect::<Vec<_>>().join(", ");
        let attributes = from.query(
            &format!("SELECT {ATTRIBUTE_COLUMNS} FROM attributes WHERE uid IN ({marks}) ORDER BY uid, name, idx"),
            &uids,
        )?;
        insert(to, "attributes", ATTRIBUTE_COLUMNS, &attributes)?;
        copied = copied.saturating_add(objects.len() as u64);
        Ok(())
    })?;
    for (table, columns) in OUTBOX {
        pages(from, table, columns, |_, rows| insert(to, table, columns, &rows))?;
    }
    if to.is_postgres() {
        // Sink numbers were copied as they were: new sinks come after them.
        to.execute(
            "SELECT setval(pg_get_serial_sequence('notify_sinks', 'id'), coalesce(max(id), 0) + 1, false) \
             FROM notify_sinks",
            &[],
        )?;
    }
    Ok(copied)
}

/// The rows of `table` in the order they were written (SQLite's rowid,
/// PostgreSQL's seq), `BATCH` at a time, handed to `each` with the source.
fn pages(
    from: &mut dyn Sql,
    table: &str,
    columns: &str,
    mut each: impl FnMut(&mut dyn Sql, Vec<Vec<Value>>) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let order = match from.is_postgres() {
        true => "seq",
        false => "rowid",
    };
    let mut after = Value::Int(-1);
    loop {
        let rows = from.query(
            &format!("SELECT {order}, {columns} FROM {table} WHERE {order} > ?1 ORDER BY {order} LIMIT ?2"),
            &[after.clone(), Value::Int(BATCH as i64)],
        )?;
        let Some(last) = rows.last().and_then(|r| r.first()) else {
            return Ok(());
        };
        after = last.clone();
        each(
            &mut *from,
            rows.into_iter().map(|r| r.into_iter().skip(1).collect()).collect(),
        )?;
    }
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
