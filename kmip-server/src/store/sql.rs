//! One small SQL interface over both backends, for the tables beside the
//! objects (the credential registry): each statement is written once, with
//! SQLite's `?N` parameters, which the PostgreSQL side rewrites as `$N`.
//! Values cross as [`Value`]s, so neither side's typing leaks into callers.

use postgres::types::{ToSql, Type};

use super::postgres::Session;
use super::{DbError, Objects};
use crate::policy::Scope;

/// A parameter or column value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (a boolean is 0 or 1).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// The integer, or an error naming what was there instead.
    pub fn int(&self) -> Result<i64, DbError> {
        match self {
            Value::Int(i) => Ok(*i),
            other => Err(DbError(format!("database: expected an integer, found {other:?}"))),
        }
    }

    /// The integer, `None` for NULL.
    pub fn opt_int(&self) -> Result<Option<i64>, DbError> {
        match self {
            Value::Null => Ok(None),
            other => other.int().map(Some),
        }
    }

    /// The text.
    pub fn text(&self) -> Result<String, DbError> {
        match self {
            Value::Text(s) => Ok(s.clone()),
            other => Err(DbError(format!("database: expected text, found {other:?}"))),
        }
    }

    /// The bytes, `None` for NULL.
    pub fn opt_blob(&self) -> Result<Option<Vec<u8>>, DbError> {
        match self {
            Value::Null => Ok(None),
            Value::Blob(b) => Ok(Some(b.clone())),
            other => Err(DbError(format!("database: expected bytes, found {other:?}"))),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<Option<u64>> for Value {
    fn from(i: Option<u64>) -> Self {
        i.map_or(Value::Null, |i| Value::Int(i64::try_from(i).unwrap_or(i64::MAX)))
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Blob(b)
    }
}

/// A row: its columns in order.
pub type Row = Vec<Value>;

/// Statements on one connection, inside or outside a transaction.
pub trait Sql {
    /// Which backend, for the few statements written twice.
    fn is_postgres(&self) -> bool;
    /// Runs a statement; returns the rows it changed.
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError>;
    /// Runs a query; returns its rows.
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError>;
    /// The first row of a query, if any.
    fn query_opt(&mut self, sql: &str, args: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }
    /// The first column of the first row of a count or similar query.
    fn query_int(&mut self, sql: &str, args: &[Value]) -> Result<i64, DbError> {
        self.query_opt(sql, args)?
            .and_then(|r| r.into_iter().next())
            .ok_or_else(|| DbError("database: a query that returns one row returned none".into()))?
            .int()
    }
    /// The objects of `scope` on this connection, for reading outside the
    /// store's writers (the lifecycle worker, the admin CLI).
    fn objects<'a>(&'a mut self, scope: &'a Scope) -> Box<dyn Objects + 'a>;
}

/// Runs `f` in a transaction on `c`: committed if it succeeds, rolled
/// back if not.
pub fn transaction<T>(c: &mut dyn Sql, f: impl FnOnce(&mut dyn Sql) -> Result<T, DbError>) -> Result<T, DbError> {
    transaction_from(c, "BEGIN", f)
}

fn transaction_from<T>(
    c: &mut dyn Sql,
    begin: &str,
    f: impl FnOnce(&mut dyn Sql) -> Result<T, DbError>,
) -> Result<T, DbError> {
    c.execute(begin, &[])?;
    match f(&mut *c).and_then(|out| c.execute("COMMIT", &[]).map(|_| out)) {
        Ok(out) => Ok(out),
        Err(e) => {
            let _ = c.execute("ROLLBACK", &[]);
            Err(e)
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl Sql for rusqlite::Connection {
    fn is_postgres(&self) -> bool {
        false
    }
    fn objects<'a>(&'a mut self, scope: &'a Scope) -> Box<dyn Objects + 'a> {
        Box::new(crate::store::sqlite::objects::ScopedObjects::new(self, scope))
    }
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError> {
        let n = self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(args))?;
        Ok(n as u64)
    }
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            (0..columns)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                        rusqlite::types::ValueRef::Real(f) => Value::Text(f.to_string()),
                        rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                        rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                    })
                })
                .collect()
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// `?N` parameters as PostgreSQL's `$N` (no statement here has a `?` in a
/// string literal).
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

/// A value as a parameter of the type PostgreSQL inferred for it.
fn parameter(value: &Value, ty: &Type) -> Result<Box<dyn ToSql + Sync>, DbError> {
    let mismatch = || DbError(format!("database: {value:?} cannot be a parameter of type {ty}"));
    Ok(match (value, ty) {
        (Value::Null, &Type::INT8) => Box::new(None::<i64>),
        (Value::Null, &Type::INT4) => Box::new(None::<i32>),
        (Value::Null, &Type::BYTEA) => Box::new(None::<Vec<u8>>),
        (Value::Null, _) => Box::new(None::<String>),
        (Value::Int(i), &Type::INT4) => Box::new(i32::try_from(*i).map_err(|_| mismatch())?),
        (Value::Int(i), &Type::BOOL) => Box::new(*i != 0),
        (Value::Int(i), _) => Box::new(*i),
        (Value::Text(s), _) => Box::new(s.clone()),
        (Value::Blob(b), _) => Box::new(b.clone()),
    })
}

/// A PostgreSQL column as a [`Value`].
fn column(row: &postgres::Row, i: usize) -> Result<Value, DbError> {
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    Ok(match ty {
        Some(Type::INT8) => row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::Int),
        Some(Type::INT4) => row
            .try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Int(i64::from(v))),
        Some(Type::BOOL) => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |v| Value::Int(i64::from(v))),
        Some(Type::BYTEA) => row.try_get::<_, Option<Vec<u8>>>(i)?.map_or(Value::Null, Value::Blob),
        _ => row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::Text),
    })
}

impl Session {
    fn bind(
        &mut self,
        sql: &str,
        args: &[Value],
    ) -> Result<(postgres::Statement, Vec<Box<dyn ToSql + Sync>>), DbError> {
        let statement = self.statement(&dollars(sql))?;
        let params = args
            .iter()
            .zip(statement.params())
            .map(|(v, ty)| parameter(v, ty))
            .collect::<Result<_, _>>()?;
        Ok((statement, params))
    }
}

impl Sql for Session {
    fn is_postgres(&self) -> bool {
        true
    }
    fn objects<'a>(&'a mut self, scope: &'a Scope) -> Box<dyn Objects + 'a> {
        Box::new(crate::store::postgres::objects::ScopedObjects::new(self, scope, false))
    }
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64, DbError> {
        let (statement, params) = self.bind(sql, args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(AsRef::as_ref).collect();
        Ok(self.client()?.execute(&statement, &refs)?)
    }
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, DbError> {
        let (statement, params) = self.bind(sql, args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(AsRef::as_ref).collect();
        self.client()?
            .query(&statement, &refs)?
            .iter()
            .map(|row| (0..row.len()).map(|i| column(row, i)).collect())
            .collect()
    }
}

/// A connection to either backend, for the registry.
pub enum Database {
    /// The data directory's SQLite database.
    Sqlite(rusqlite::Connection),
    /// A session on the cluster's PostgreSQL database.
    Postgres(Box<Session>),
}

impl Database {
    /// The connection as statements (a lost PostgreSQL connection is
    /// opened again first).
    pub fn sql(&mut self) -> Result<&mut dyn Sql, DbError> {
        Ok(match self {
            Database::Sqlite(c) => c,
            Database::Postgres(s) => s.usable()?,
        })
    }

    /// Runs `f` in a transaction that holds the write lock from its start
    /// (SQLite's `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock on the
    /// registry), so that two writers of the registry take turns.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut dyn Sql) -> Result<T, DbError>) -> Result<T, DbError> {
        let sql = self.sql()?;
        match sql.is_postgres() {
            false => transaction_from(sql, "BEGIN IMMEDIATE", f),
            true => transaction(sql, |c| {
                c.execute("SELECT pg_advisory_xact_lock(?1)", &[Value::Int(REGISTRY_LOCK)])?;
                f(c)
            }),
        }
    }
}

/// The advisory lock key of registry changes ("kmrg" in ASCII).
const REGISTRY_LOCK: i64 = 0x6b6d_7267;
