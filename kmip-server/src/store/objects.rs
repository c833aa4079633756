//! Object rows, always read and written through a scope.
//!
//! Every query names the caller's scope in its `WHERE` clause, so an object
//! of another scope is simply not found: the caller cannot tell it from a
//! missing one. The object operations (Create, Register, Get, ...) fill this
//! out with their issue; today it holds what scope deletion and the
//! isolation tests need.

use rusqlite::{params, Connection, OptionalExtension};

use super::{unix_now, DbError};
use crate::policy::Scope;

/// The objects of one scope.
pub struct ScopedObjects<'c> {
    conn: &'c Connection,
    scope: &'c Scope,
}

impl<'c> ScopedObjects<'c> {
    /// Objects as seen from `scope`.
    pub fn new(conn: &'c Connection, scope: &'c Scope) -> Self {
        ScopedObjects { conn, scope }
    }

    /// Records an object of this scope.
    pub fn insert(&self, uid: &str, object_type: u32) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO objects (uid, scope, object_type, created) VALUES (?1, ?2, ?3, ?4)",
            params![uid, self.scope.as_str(), object_type, unix_now()],
        )?;
        Ok(())
    }

    /// The Object Type of `uid`, if it exists in this scope.
    pub fn object_type(&self, uid: &str) -> Result<Option<u32>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT object_type FROM objects WHERE uid = ?1 AND scope = ?2",
                params![uid, self.scope.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The number of objects in this scope.
    pub fn count(&self) -> Result<u64, DbError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM objects WHERE scope = ?1",
            params![self.scope.as_str()],
            |r| r.get(0),
        )?)
    }
}
