//! The credential registry: scopes, roles and issued credentials, kept in
//! the database so that `kmip-server scope|role|credential ...` can change
//! them while the server runs.
//!
//! The server answers "who is this certificate?" from an in-memory map of
//! live credentials, and a connection keeps the answer while the map's
//! epoch ([`Registry::epoch`], one atomic read) stays the same: no lock and
//! no database read per request. The map is reloaded when the registry's
//! generation counter moved ([`Registry::refresh`]): at once when the CLI
//! that changed it pokes the running server ([`super::reload`]), and at
//! the latest within a second otherwise. So a revocation or a role change
//! made by the CLI takes effect at the very next request.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::config::KeyType;
use crate::policy::{Identity, OperationSet, RoleName, Scope};
use crate::store::sql::{Database, Row, Sql, Value};
use crate::store::{self, unix_now, DbError};

/// A scope as listed by the admin CLI.
#[derive(Debug, Serialize)]
pub struct ScopeInfo {
    /// The name.
    pub name: String,
    /// When it was created, POSIX seconds.
    pub created: i64,
    /// How many roles it has.
    pub roles: u64,
    /// How many objects it holds, destroyed ones left out (its quota's count).
    pub objects: u64,
    /// How many bytes they take (sealed material and attribute values).
    pub bytes: u64,
    /// Its own object quota (`None`: the server's `max_objects_per_scope`).
    pub max_objects: Option<u64>,
    /// Its own byte quota (`None`: the server's `max_bytes_per_scope`).
    pub max_bytes: Option<u64>,
}

/// A role as read by the admin CLI.
#[derive(Debug, Serialize)]
pub struct RoleInfo {
    /// Its scope.
    pub scope: String,
    /// Its name.
    pub name: String,
    /// The permitted operations, by permission name.
    pub operations: Vec<&'static str>,
    /// Key type of credentials generated for it.
    pub tls_client_key_type: String,
    /// Lifetime of credentials generated for it, seconds.
    pub tls_client_ttl_secs: u64,
}

/// A role's settings for new credentials.
#[derive(Clone, Copy, Debug)]
pub struct RoleSettings {
    /// What the role permits.
    pub operations: OperationSet,
    /// Key type of credentials generated for it.
    pub key_type: KeyType,
    /// Lifetime of credentials generated for it, seconds.
    pub ttl_secs: u64,
}

/// An issued credential.
#[derive(Debug, Serialize)]
pub struct CredentialInfo {
    /// Certificate serial, lower-case hex.
    pub serial: String,
    /// Its scope.
    pub scope: String,
    /// Its role.
    pub role: String,
    /// Certificate subject.
    pub subject: String,
    /// End of validity, POSIX seconds.
    pub not_after: i64,
    /// When it was issued, POSIX seconds.
    pub created: i64,
    /// When it was revoked, if it was.
    pub revoked: Option<i64>,
}

/// Default lifetime of client credentials: one year, because appliances
/// expect months or years (Vault's 24-hour default breaks them).
pub const DEFAULT_CLIENT_TTL_SECS: u64 = 365 * 86_400;

struct Live {
    data_version: i64,
    generation: i64,
    identities: HashMap<String, (Arc<Identity>, i64)>,
    /// Every revoked serial, so that a refusal says why without a read.
    revoked: std::collections::HashSet<String>,
}

/// Why the registry does not know a credential as live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It was revoked.
    Revoked,
    /// Its certificate's validity has ended.
    Expired,
    /// It was never registered (or its role is gone).
    Unknown,
}

/// A live credential as the registry knows it now.
pub struct Known {
    /// Who it is.
    pub identity: Arc<Identity>,
    /// End of validity, POSIX seconds.
    pub not_after: i64,
    /// The [`Registry::epoch`] it was read under.
    pub epoch: u64,
}

/// The registry, with its own database connection.
pub struct Registry {
    db: Mutex<Database>,
    live: Mutex<Option<Live>>,
    /// Advances with every reload of `live`.
    epoch: AtomicU64,
    /// The data directory, whose running server is poked after a change.
    data_dir: PathBuf,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the data inconsistent
    // (every change is a committed SQL transaction), so keep going.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn fail(message: String) -> DbError {
    DbError(message)
}

fn text(s: &str) -> Value {
    Value::from(s)
}

/// The channel a PostgreSQL registry change is announced on, so that every
/// node reloads at once (crate::store::postgres listens on it).
pub const CHANGED: &str = "kmip_registry";

impl Registry {
    /// Opens the registry in a data directory's database.
    pub fn open(data_dir: &std::path::Path) -> Result<Registry, DbError> {
        Ok(Registry::on(Database::Sqlite(store::open(data_dir)?), data_dir))
    }

    /// The registry in `db`, for the server whose data directory is `data_dir`.
    pub fn on(db: Database, data_dir: &std::path::Path) -> Registry {
        Registry {
            db: Mutex::new(db),
            live: Mutex::new(None),
            epoch: AtomicU64::new(0),
            data_dir: data_dir.to_owned(),
        }
    }

    /// Runs `f` in a write transaction, bumps the generation (and, on
    /// PostgreSQL, tells every node), and tells a server running on the
    /// data directory to reload before returning.
    fn change<T>(&self, f: impl FnOnce(&mut dyn Sql) -> Result<T, DbError>) -> Result<T, DbError> {
        let out = lock(&self.db).transaction(|c| {
            let out = f(c)?;
            c.execute("UPDATE registry_generation SET value = value + 1", &[])?;
            if c.is_postgres() {
                c.execute("SELECT pg_notify(?1, '')", &[text(CHANGED)])?;
            }
            Ok(out)
        })?;
        if let Err(e) = super::reload::poke(&self.data_dir) {
            tracing::warn!(
                "the change is saved, but the running server did not confirm it ({e}); \
                 it takes effect there within {:?}",
                super::reload::INTERVAL
            );
        }
        Ok(out)
    }

    /// Runs a read on the registry's connection.
    fn read<T>(&self, f: impl FnOnce(&mut dyn Sql) -> Result<T, DbError>) -> Result<T, DbError> {
        f(lock(&self.db).sql()?)
    }

    /// Advances with every reload: an identity read under an older epoch
    /// must be looked up again.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Reloads the live credentials if the registry changed since they were
    /// read (by this process or another). Returns whether it reloaded.
    pub fn refresh(&self) -> Result<bool, DbError> {
        let mut db = lock(&self.db);
        let mut live = lock(&self.live);
        let c = db.sql()?;
        // SQLite's data_version moves with any commit by another
        // connection, so the generation is read only when something was
        // written. PostgreSQL has no such counter: the generation is read.
        let data_version = match c.is_postgres() {
            true => 0,
            false => first(c.query("PRAGMA data_version", &[])?)?.int()?,
        };
        if !c.is_postgres() && live.as_ref().is_some_and(|l| l.data_version == data_version) {
            return Ok(false);
        }
        let generation = first(c.query("SELECT value FROM registry_generation", &[])?)?.int()?;
        if let Some(l) = live.as_mut().filter(|l| l.generation == generation) {
            l.data_version = data_version;
            return Ok(false);
        }
        let revoked = c
            .query("SELECT serial FROM credentials WHERE revoked IS NOT NULL", &[])?
            .iter()
            .map(|r| col(r, 0)?.text())
            .collect::<Result<_, _>>()?;
        *live = Some(Live {
            data_version,
            generation,
            identities: load_identities(c)?,
            revoked,
        });
        self.epoch.fetch_add(1, Ordering::AcqRel);
        Ok(true)
    }

    /// A live credential (registered, not revoked, not expired, with its
    /// role as it was at the last [`Registry::refresh`]).
    pub fn identify(&self, serial: &str) -> Result<Option<Known>, DbError> {
        if lock(&self.live).is_none() {
            self.refresh()?;
        }
        let live = lock(&self.live);
        // Read under the lock that reloads take, so the epoch matches the map.
        let epoch = self.epoch();
        Ok(live
            .as_ref()
            .and_then(|l| l.identities.get(serial))
            .filter(|(_, not_after)| *not_after > unix_now())
            .map(|(identity, not_after)| Known {
                identity: Arc::clone(identity),
                not_after: *not_after,
                epoch,
            }))
    }

    /// Why [`Registry::identify`] did not know `serial`, from memory (no
    /// database read on the connection's path).
    pub fn refusal(&self, serial: &str) -> Refusal {
        let live = lock(&self.live);
        match live.as_ref() {
            Some(l) if l.revoked.contains(serial) => Refusal::Revoked,
            Some(l) if l.identities.contains_key(serial) => Refusal::Expired,
            _ => Refusal::Unknown,
        }
    }

    /// Creates a scope.
    pub fn create_scope(&self, scope: &Scope) -> Result<(), DbError> {
        self.change(|c| {
            let n = c.execute(
                "INSERT INTO scopes (name, created) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[text(scope.as_str()), unix_now().into()],
            )?;
            if n == 0 {
                return Err(fail(format!("scope \"{scope}\" already exists")));
            }
            Ok(())
        })
    }

    /// Creates a scope unless it exists.
    pub fn ensure_scope(&self, scope: &Scope) -> Result<(), DbError> {
        self.change(|c| {
            c.execute(
                "INSERT INTO scopes (name, created) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[text(scope.as_str()), unix_now().into()],
            )?;
            Ok(())
        })
    }

    /// Lists scopes with their role and object counts.
    pub fn list_scopes(&self) -> Result<Vec<ScopeInfo>, DbError> {
        self.read(|c| {
            // PostgreSQL counts per node (store::postgres::schema).
            let sql = match c.is_postgres() {
                true => {
                    "SELECT s.name, s.created, (SELECT count(*) FROM roles r WHERE r.scope = s.name),
                        (SELECT coalesce(sum(u.objects), 0)::BIGINT FROM scope_usage u WHERE u.scope = s.name),
                        (SELECT coalesce(sum(u.bytes), 0)::BIGINT FROM scope_usage u WHERE u.scope = s.name),
                        s.max_objects, s.max_bytes
                     FROM scopes s ORDER BY s.name"
                }
                false => {
                    "SELECT s.name, s.created, (SELECT count(*) FROM roles r WHERE r.scope = s.name),
                        s.object_count, s.stored_bytes, s.max_objects, s.max_bytes
                     FROM scopes s ORDER BY s.name"
                }
            };
            let count = |v: &Value| v.int().map(|i| u64::try_from(i).unwrap_or(0));
            let limit = |v: &Value| Ok::<_, DbError>(v.opt_int()?.map(|i| u64::try_from(i).unwrap_or(0)));
            c.query(sql, &[])?
                .iter()
                .map(|r| {
                    Ok(ScopeInfo {
                        name: col(r, 0)?.text()?,
                        created: col(r, 1)?.int()?,
                        roles: count(col(r, 2)?)?,
                        objects: count(col(r, 3)?)?,
                        bytes: count(col(r, 4)?)?,
                        max_objects: limit(col(r, 5)?)?,
                        max_bytes: limit(col(r, 6)?)?,
                    })
                })
                .collect()
        })
    }

    /// Sets a scope's own quota (`None`: the server's default). Lowering it
    /// below what the scope holds refuses only changes that would grow it.
    pub fn set_quota(&self, scope: &Scope, max_objects: Option<u64>, max_bytes: Option<u64>) -> Result<(), DbError> {
        self.change(|c| {
            require_scope(c, scope)?;
            c.execute(
                "UPDATE scopes SET max_objects = ?2, max_bytes = ?3 WHERE name = ?1",
                &[text(scope.as_str()), max_objects.into(), max_bytes.into()],
            )?;
            Ok(())
        })
    }

    /// Deletes a scope with its roles, revoking their credentials. A scope
    /// that holds objects is refused unless `force`, which destroys them
    /// (their attributes with them: ON DELETE CASCADE). Returns the number
    /// of objects destroyed.
    pub fn delete_scope(&self, scope: &Scope, force: bool) -> Result<u64, DbError> {
        self.change(|c| {
            require_scope(c, scope)?;
            let name = [text(scope.as_str())];
            let objects = first(c.query("SELECT count(*) FROM objects WHERE scope = ?1", &name)?)?.int()?;
            let objects = u64::try_from(objects).unwrap_or(0);
            if objects > 0 && !force {
                return Err(fail(format!(
                    "scope \"{scope}\" still holds {objects} objects; delete with --force to destroy them with it"
                )));
            }
            c.execute("DELETE FROM objects WHERE scope = ?1", &name)?;
            c.execute(
                "UPDATE credentials SET revoked = ?2 WHERE scope = ?1 AND revoked IS NULL",
                &[text(scope.as_str()), unix_now().into()],
            )?;
            c.execute("DELETE FROM roles WHERE scope = ?1", &name)?;
            c.execute("DELETE FROM scopes WHERE name = ?1", &name)?;
            Ok(objects)
        })
    }

    /// Creates or replaces a role.
    pub fn write_role(&self, scope: &Scope, role: &RoleName, settings: RoleSettings) -> Result<(), DbError> {
        self.change(|c| {
            require_scope(c, scope)?;
            c.execute(
                "INSERT INTO roles (scope, name, operations, tls_key_type, tls_ttl_secs, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (scope, name) DO UPDATE SET
                   operations = excluded.operations, tls_key_type = excluded.tls_key_type,
                   tls_ttl_secs = excluded.tls_ttl_secs",
                &[
                    text(scope.as_str()),
                    text(role.as_str()),
                    settings.operations.names().join(",").into(),
                    text(settings.key_type.name()),
                    Some(settings.ttl_secs).into(),
                    unix_now().into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Reads a role.
    pub fn read_role(&self, scope: &Scope, role: &RoleName) -> Result<RoleInfo, DbError> {
        let row = self.read(|c| {
            c.query_opt(
                "SELECT operations, tls_key_type, tls_ttl_secs FROM roles WHERE scope = ?1 AND name = ?2",
                &[text(scope.as_str()), text(role.as_str())],
            )
        })?;
        let Some(r) = row else {
            return Err(fail(format!("role \"{role}\" does not exist in scope \"{scope}\"")));
        };
        Ok(RoleInfo {
            scope: scope.to_string(),
            name: role.to_string(),
            operations: OperationSet::parse(&col(&r, 0)?.text()?).unwrap_or_default().names(),
            tls_client_key_type: col(&r, 1)?.text()?,
            tls_client_ttl_secs: u64::try_from(col(&r, 2)?.int()?).unwrap_or(0),
        })
    }

    /// A role's settings for issuing credentials.
    pub fn role_settings(&self, scope: &Scope, role: &RoleName) -> Result<RoleSettings, DbError> {
        let info = self.read_role(scope, role)?;
        Ok(RoleSettings {
            operations: OperationSet::parse(&info.operations.join(",")).unwrap_or_default(),
            key_type: KeyType::parse(&info.tls_client_key_type, None).unwrap_or_default(),
            ttl_secs: info.tls_client_ttl_secs,
        })
    }

    /// Lists the roles of a scope.
    pub fn list_roles(&self, scope: &Scope) -> Result<Vec<String>, DbError> {
        self.read(|c| {
            require_scope(c, scope)?;
            c.query(
                "SELECT name FROM roles WHERE scope = ?1 ORDER BY name",
                &[text(scope.as_str())],
            )?
            .iter()
            .map(|r| col(r, 0)?.text())
            .collect()
        })
    }

    /// Deletes a role and revokes its credentials.
    pub fn delete_role(&self, scope: &Scope, role: &RoleName) -> Result<(), DbError> {
        self.change(|c| {
            let (scope_name, role_name) = (text(scope.as_str()), text(role.as_str()));
            let n = c.execute(
                "DELETE FROM roles WHERE scope = ?1 AND name = ?2",
                &[scope_name.clone(), role_name.clone()],
            )?;
            if n == 0 {
                return Err(fail(format!("role \"{role}\" does not exist in scope \"{scope}\"")));
            }
            c.execute(
                "UPDATE credentials SET revoked = ?3 WHERE scope = ?1 AND role = ?2 AND revoked IS NULL",
                &[scope_name, role_name, unix_now().into()],
            )?;
            Ok(())
        })
    }

    /// Records an issued credential.
    pub fn add_credential(
        &self,
        serial: &str,
        scope: &Scope,
        role: &RoleName,
        subject: &str,
        not_after: i64,
    ) -> Result<(), DbError> {
        self.change(|c| {
            c.execute(
                "INSERT INTO credentials (serial, scope, role, subject, not_after, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    text(serial),
                    text(scope.as_str()),
                    text(role.as_str()),
                    text(subject),
                    not_after.into(),
                    unix_now().into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Lists the credentials of a role.
    pub fn list_credentials(&self, scope: &Scope, role: &RoleName) -> Result<Vec<CredentialInfo>, DbError> {
        self.read(|c| {
            c.query(
                "SELECT serial, scope, role, subject, not_after, created, revoked FROM credentials
                 WHERE scope = ?1 AND role = ?2 ORDER BY created, serial",
                &[text(scope.as_str()), text(role.as_str())],
            )?
            .iter()
            .map(credential_row)
            .collect()
        })
    }

    /// Looks a credential up by serial.
    pub fn lookup(&self, serial: &str) -> Result<CredentialInfo, DbError> {
        self.read(|c| {
            c.query_opt(
                "SELECT serial, scope, role, subject, not_after, created, revoked FROM credentials WHERE serial = ?1",
                &[serial.to_ascii_lowercase().into()],
            )
        })?
        .as_ref()
        .map(credential_row)
        .transpose()?
        .ok_or_else(|| fail(format!("no credential has serial {serial}")))
    }

    /// Revokes a credential; open connections using it fail at their next request.
    pub fn revoke(&self, serial: &str) -> Result<(), DbError> {
        self.change(|c| {
            let n = c.execute(
                "UPDATE credentials SET revoked = ?2 WHERE serial = ?1 AND revoked IS NULL",
                &[serial.to_ascii_lowercase().into(), unix_now().into()],
            )?;
            if n == 0 {
                return Err(fail(format!("no unrevoked credential has serial {serial}")));
            }
            Ok(())
        })
    }

    /// Whether the registry lives in PostgreSQL (several nodes).
    pub fn is_postgres(&self) -> bool {
        matches!(*lock(&self.db), Database::Postgres(_))
    }

    /// Runs `f` on the registry's connection (the admin CLI's lifecycle
    /// policies and notification sinks, which live in the same database).
    pub fn with_sql<T>(&self, f: impl FnOnce(&mut dyn Sql) -> T) -> Result<T, String> {
        Ok(f(lock(&self.db).sql()?))
    }

    /// Runs `f` on the registry's SQLite connection (tests that look at
    /// rows directly); an error with a PostgreSQL registry.
    pub fn with_conn<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> T) -> Result<T, String> {
        match &*lock(&self.db) {
            Database::Sqlite(conn) => Ok(f(conn)),
            Database::Postgres(_) => Err("the registry is in PostgreSQL, not SQLite".into()),
        }
    }
}

/// The first column of the first row.
fn first(rows: Vec<Row>) -> Result<Value, DbError> {
    rows.into_iter()
        .next()
        .and_then(|r| r.into_iter().next())
        .ok_or_else(|| DbError("database: a query that returns one row returned none".into()))
}

/// Column `i` of a row.
fn col(row: &Row, i: usize) -> Result<&Value, DbError> {
    row.get(i)
        .ok_or_else(|| DbError(format!("database: a row has no column {i}")))
}

fn require_scope(c: &mut dyn Sql, scope: &Scope) -> Result<(), DbError> {
    let exists = first(c.query("SELECT count(*) FROM scopes WHERE name = ?1", &[text(scope.as_str())])?)?;
    if exists.int()? > 0 {
        Ok(())
    } else {
        Err(fail(format!("scope \"{scope}\" does not exist")))
    }
}

fn credential_row(r: &Row) -> Result<CredentialInfo, DbError> {
    Ok(CredentialInfo {
        serial: col(r, 0)?.text()?,
        scope: col(r, 1)?.text()?,
        role: col(r, 2)?.text()?,
        subject: col(r, 3)?.text()?,
        not_after: col(r, 4)?.int()?,
        created: col(r, 5)?.int()?,
        revoked: col(r, 6)?.opt_int()?,
    })
}

fn load_identities(c: &mut dyn Sql) -> Result<HashMap<String, (Arc<Identity>, i64)>, DbError> {
    let rows = c.query(
        "SELECT c.serial, c.subject, c.scope, c.role, r.operations, c.not_after
         FROM credentials c JOIN roles r ON r.scope = c.scope AND r.name = c.role
         WHERE c.revoked IS NULL",
        &[],
    )?;
    let mut map = HashMap::new();
    for row in &rows {
        let (serial, subject, scope, role, ops, not_after) = (
            col(row, 0)?.text()?,
            col(row, 1)?.text()?,
            col(row, 2)?.text()?,
            col(row, 3)?.text()?,
            col(row, 4)?.text()?,
            col(row, 5)?.int()?,
        );
        // Names were validated when written; a row that fails now is skipped
        // (it cannot authenticate) rather than taking the server down.
        let (Ok(scope), Ok(role), Ok(operations)) =
            (Scope::new(&scope), RoleName::new(&role), OperationSet::parse(&ops))
        else {
            tracing::warn!(
                serial,
                "credential row with an invalid scope, role or operation list is ignored"
            );
            continue;
        };
        let identity = Identity {
            serial: serial.clone(),
            subject,
            scope,
            role,
            operations,
        };
        map.insert(serial, (Arc::new(identity), not_after));
    }
    Ok(map)
}
