//! The PostgreSQL backend, for several server nodes sharing one database:
//! [`Store`] implements [`ObjectStore`] as the SQLite one does (writer
//! threads with group commit, pooled readers, the cache of unsealed
//! objects), over the schema in [`schema`].
//!
//! A node has [`WRITERS`] writers, each on its own connection, handed
//! changes in turn: a change is a few round trips to the database, so one
//! writer waits on the network more than on commits (one writer gave 1,141
//! durable Creates/s where SQLite's one gives 9,340; see README). Each
//! writer counts scope usage on a row of its own (`node#n`), so writers
//! never wait on one another's counters; two changes to one object take
//! turns on its row (`FOR UPDATE`).
//!
//! Every session runs with `synchronous_commit = on`, whatever the
//! database's default: a node answers a write only once PostgreSQL has
//! flushed its commit (and, with synchronous standbys configured, once they
//! have too). Replication and failover are PostgreSQL's own.
//!
//! **Cache coherence across nodes.** Every change of an object's row
//! sends, from a trigger in its own transaction, a `NOTIFY kmip_objects`
//! naming the object; PostgreSQL delivers it only once the change commits. Every node listens
//! on a connection of its own and drops what it is told of from its cache;
//! the node that made the change has already dropped it before answering.
//! So another node may serve its cached copy for as long as the
//! notification takes to arrive (well under a millisecond on one host,
//! a network round trip between hosts: the stated bound on staleness). A
//! node whose listening connection is down, or has not heard from the
//! database for [`HEARD_WITHIN`] (3 s: the listener checks its connection
//! after each quiet second), serves nothing from its cache until it is
//! back: it listens again, then forgets everything, then uses the cache
//! again; notifications it may have missed cannot matter. That is the
//! bound on staleness when the network between a node and the database
//! fails: 3 s.
//!
//! **Blocking client.** `postgres` runs each call on a small runtime of
//! its own, which may not be entered from an async worker: every path to
//! a [`Session`] runs on the blocking pool, a writer thread, the listener,
//! the detectors' thread or the admin CLI (setup too: `crate::start`), and
//! a session dropped on a worker closes on a thread of its own.
//!
//! **Once per cluster.** The time-driven state sweep takes a transaction's
//! advisory lock; a node that cannot have it this second leaves the sweep
//! to the node that has.

pub mod objects;
pub mod schema;
pub mod tls;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};

use super::{cache, writer, Change, DbError, ObjectStore, Objects, Quota, Watched};
use crate::keys::Sealer;
use crate::object::ManagedObject;
use crate::observe::metrics::{Census, StoreMetrics};
use crate::policy::Scope;
use crate::store::LocateFilter;
use objects::ScopedObjects;
pub use tls::Connector;

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => DbError(format!("PostgreSQL: {}", db.message())),
            None => DbError(format!("PostgreSQL: {e}")),
        }
    }
}

/// The channel the nodes tell each other of changed objects on (the
/// schema's `kmip_notify_change` trigger sends on it).
const CHANNEL: &str = "kmip_objects";

/// The channel registry changes are announced on.
const REGISTRY: &str = crate::auth::registry::CHANGED;

/// The advisory lock key of the time sweep ("kmsw" in ASCII).
const SWEEP_LOCK: i64 = 0x6b6d_7377;

/// Writer connections per node.
pub const WRITERS: usize = 4;

/// Prepared statements kept per session; more (a client inventing Locate
/// shapes) and the session starts again empty.
const STATEMENTS: usize = 256;

/// One connection of this node's, with its prepared statements.
pub struct Session {
    connector: Connector,
    node: String,
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

impl Session {
    /// A new connection for node `node`, with the session settings every
    /// connection of the server's has.
    pub fn connect(connector: &Connector, node: &str) -> Result<Session, DbError> {
        let mut session = Session {
            connector: connector.clone(),
            node: node.to_owned(),
            client: None,
            statements: HashMap::new(),
        };
        session.reconnect()?;
        Ok(session)
    }

    fn reconnect(&mut self) -> Result<(), DbError> {
        self.client = None;
        self.statements.clear();
        let mut client = self.connector.connect()?;
        client.batch_execute("SET synchronous_commit = on")?;
        client.execute("SELECT set_config('kmip.node', $1, false)", &[&self.node])?;
        self.client = Some(client);
        Ok(())
    }

    /// The connection; never a new one, so that the statements of one
    /// transaction cannot end up on two.
    pub(crate) fn client(&mut self) -> Result<&mut Client, DbError> {
        self.client
            .as_mut()
            .ok_or_else(|| DbError("PostgreSQL: the connection was lost".into()))
    }

    pub(crate) fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let prepared = self.client()?.prepare(sql)?;
        if self.statements.len() >= STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }

    /// Runs a statement with typed parameters; returns the rows it changed.
    pub fn execute_params(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        Ok(self.client()?.execute(&statement, params)?)
    }

    /// Runs a query with typed parameters; returns its rows.
    pub fn query_params(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, DbError> {
        let statement = self.statement(sql)?;
        Ok(self.client()?.query(&statement, params)?)
    }

    /// A read session whose connection died is opened again before use.
    pub(crate) fn usable(&mut self) -> Result<&mut Session, DbError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.reconnect()?;
        }
        Ok(self)
    }
}

impl Drop for Session {
    /// The client owns a small runtime of its own, which may not be dropped
    /// on an async worker (a store or registry dropped with the server):
    /// there, it is dropped on a thread of its own.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::Builder::new()
                    .name("kmip-store-close".into())
                    .spawn(move || drop(client));
            }
        }
    }
}

impl writer::Session for Session {
    const BEGIN: &'static str = "BEGIN";
    fn exec(&mut self, sql: &str) -> Result<(), DbError> {
        // A lost connection is replaced between groups only.
        if sql == Self::BEGIN {
            self.usable()?;
        }
        Ok(self.client()?.batch_execute(sql)?)
    }
}

/// Called when another node (or the admin CLI) changed the registry.
type RegistryHook = Box<dyn Fn() + Send + Sync>;

/// What the listener thread shares with the store.
struct Shared {
    cache: cache::Cache,
    /// The listener is connected and the cache may be used.
    coherent: AtomicBool,
    /// When the listener last heard from the database, milliseconds after
    /// `since`: a notification, or the answer to its check when quiet.
    heard: AtomicU64,
    since: Instant,
    /// Reloads the registry ([`Store::on_registry_change`]).
    on_registry: Mutex<Option<RegistryHook>>,
}

/// How long the listener may go without hearing from the database before
/// the cache is off: a connection that stalls (a network partition, not
/// yet a TCP error) cannot leave a node serving what another changed for
/// longer than this.
const HEARD_WITHIN: Duration = Duration::from_secs(3);

impl Shared {
    fn new() -> Shared {
        Shared {
            cache: cache::Cache::default(),
            coherent: AtomicBool::new(false),
            heard: AtomicU64::new(0),
            since: Instant::now(),
            on_registry: Mutex::new(None),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The listener heard from the database. After a silence long enough
    /// to have turned the cache off, what it holds is forgotten: a
    /// notification may have been lost in that silence.
    fn heard(&self) {
        let (now, limit) = (
            self.now_ms(),
            u64::try_from(HEARD_WITHIN.as_millis()).unwrap_or(u64::MAX),
        );
        let before = self.heard.swap(now, Ordering::AcqRel);
        if now.saturating_sub(before) >= limit {
            self.cache.clear();
        }
    }

    /// Whether the cache may serve: the listener is connected and heard
    /// from the database within [`HEARD_WITHIN`].
    fn coherent(&self) -> bool {
        let quiet = self.now_ms().saturating_sub(self.heard.load(Ordering::Acquire));
        self.coherent.load(Ordering::Acquire) && u128::from(quiet) < HEARD_WITHIN.as_millis()
    }

    fn registry_changed(&self) {
        if let Some(hook) = &*self.on_registry.lock().unwrap_or_else(PoisonError::into_inner) {
            hook();
        }
    }
}

/// The PostgreSQL object store of one node.
pub struct Store {
    /// The writers (never empty: the first is the one migrations ran on).
    writers: (writer::Writer<Session>, Vec<writer::Writer<Session>>),
    next_writer: std::sync::atomic::AtomicUsize,
    readers: Mutex<Vec<Session>>,
    connector: Connector,
    node: String,
    sealer: Sealer,
    shared: Arc<Shared>,
    quota: Quota,
    metrics: StoreMetrics,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store(postgres, node {})", self.node)
    }
}

/// How to reach the database at `url` (a `postgres://` URL or a key=value
/// string), over TLS verified against `ca` if given, with the server's own
/// settings: its name, and timeouts that tell a dead database from a slow
/// one.
pub fn connector(url: &str, ca: Option<&std::path::Path>) -> Result<Connector, DbError> {
    Connector::new(config(url)?, ca)
}

fn config(url: &str) -> Result<postgres::Config, DbError> {
    let mut config =
        postgres::Config::from_str(url).map_err(|e| DbError(format!("the PostgreSQL address is not valid: {e}")))?;
    config
        .application_name("kmip-server")
        .connect_timeout(Duration::from_secs(10))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(3)
        .tcp_user_timeout(Duration::from_secs(20));
    Ok(config)
}

impl Store {
    /// Opens the store in the database at `url` as node `node` (its name
    /// in the usage counters and health rows), bringing the schema up to
    /// date, with `quota` for the scopes that have none of their own.
    pub fn open(
        connector: &Connector,
        node: &str,
        sealer: Sealer,
        quota: Quota,
        metrics: StoreMetrics,
    ) -> Result<Store, DbError> {
        let mut session = Session::connect(connector, &format!("{node}#0"))?;
        schema::migrate(session.client()?)?;
        let mut writers = (writer::Writer::start(session, metrics.clone())?, Vec::new());
        for n in 1..WRITERS {
            let session = Session::connect(connector, &format!("{node}#{n}"))?;
            writers.1.push(writer::Writer::start(session, metrics.clone())?);
        }
        let shared = Arc::new(Shared::new());
        let (listening, weak) = (connector.clone(), Arc::downgrade(&shared));
        std::thread::Builder::new()
            .name("kmip-store-listen".into())
            .spawn(move || listen(&listening, &weak))
            .map_err(|e| DbError(format!("cannot start the store's listener: {e}")))?;
        Ok(Store {
            writers,
            next_writer: std::sync::atomic::AtomicUsize::new(0),
            readers: Mutex::new(Vec::new()),
            connector: connector.clone(),
            node: node.to_owned(),
            sealer,
            shared,
            quota,
            metrics,
        })
    }

    /// The writer for the next change, in turn.
    fn writer(&self) -> &writer::Writer<Session> {
        let (first, others) = &self.writers;
        let turn = self.next_writer.fetch_add(1, Ordering::Relaxed);
        match turn.checked_rem(others.len().saturating_add(1)) {
            Some(0) | None => first,
            Some(n) => others.get(n.saturating_sub(1)).unwrap_or(first),
        }
    }

    /// Runs a read on a pooled session.
    fn read<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, DbError>) -> Result<T, DbError> {
        let pooled = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut session = match pooled {
            Some(s) => s,
            None => Session::connect(&self.connector, &self.node)?,
        };
        let out = session.usable().and_then(f);
        self.readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(session);
        out
    }

    /// Whether the cache may be used ([`Shared::coherent`]).
    fn coherent(&self) -> bool {
        self.shared.coherent()
    }
}

impl ObjectStore for Store {
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    fn cached(&self, scope: &Scope, uid: &str, material: bool) -> Option<Arc<ManagedObject>> {
        if !self.coherent() {
            return None;
        }
        let hit = self.shared.cache.get(scope, uid, material).ok();
        if hit.is_some() {
            self.metrics.cache_hits.increment(1);
        }
        hit
    }

    fn load(&self, scope: &Scope, uid: &str, material: bool) -> Result<Option<Arc<ManagedObject>>, DbError> {
        let generation = match self.coherent().then(|| self.shared.cache.get(scope, uid, material)) {
            Some(Ok(hit)) => {
                self.metrics.cache_hits.increment(1);
                return Ok(Some(hit));
            }
            Some(Err(generation)) => Some(generation),
            None => None,
        };
        self.metrics.cache_misses.increment(1);
        let sealer = material.then_some(&self.sealer);
        let loaded = self
            .read(|s| ScopedObjects::new(s, scope, false).load(uid, sealer))?
            .map(Arc::new);
        if let (Some(stored), Some(generation)) = (&loaded, generation) {
            self.shared.cache.insert(scope, stored, material, generation);
        }
        Ok(loaded)
    }

    fn locate(&self, scope: &Scope, filter: &LocateFilter) -> Result<Vec<String>, DbError> {
        self.read(|s| ScopedObjects::new(s, scope, false).locate(filter))
    }

    fn transact(&self, scope: &Scope, change: Change) -> Result<(), DbError> {
        let touched = Arc::new(Mutex::new(Vec::new()));
        let (in_writer, for_writer) = (Arc::clone(&touched), scope.clone());
        let result = self.writer().run(Box::new(move |session| {
            let note = |_: &dyn Objects, uid: &str, _: bool| {
                in_writer
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(uid.to_owned());
                Ok(())
            };
            change(&Watched {
                inner: &ScopedObjects::new(session, &for_writer, true),
                before_write: &note,
            })
        }));
        // After the commit (or rollback), before the caller answers.
        let touched = touched.lock().unwrap_or_else(PoisonError::into_inner);
        self.shared.cache.remove(scope, touched.iter());
        result
    }

    fn advance_states(&self, now: i64) -> Result<usize, DbError> {
        let moved = self.writer().write(move |session| {
            let locked: bool = session
                .query_params("SELECT pg_try_advisory_xact_lock($1)", &[&SWEEP_LOCK])?
                .first()
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or(false);
            if !locked {
                return Ok(Vec::new());
            }
            objects::advance_states(session, now)
        })?;
        if !moved.is_empty() {
            self.shared.cache.clear();
        }
        Ok(moved.len())
    }

    fn forget_cached(&self) {
        self.shared.cache.clear();
    }

    /// Called whenever the registry changes anywhere in the cluster (a
    /// `NOTIFY` on [`crate::auth::registry::CHANGED`]), and whenever the
    /// listener connects again after missing notifications: how a
    /// revocation on one node reaches the others at once.
    fn on_registry_change(&self, hook: RegistryHook) {
        *self.shared.on_registry.lock().unwrap_or_else(PoisonError::into_inner) = Some(hook);
    }

    fn quota(&self) -> Quota {
        self.quota
    }

    fn census(&self) -> Result<Vec<Census>, DbError> {
        self.read(|s| {
            s.query_params(
                "SELECT scope, object_type, state, count(*) FROM objects GROUP BY scope, object_type, state",
                &[],
            )?
            .iter()
            .map(|r| {
                let small = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
                Ok(Census {
                    scope: r.try_get(0)?,
                    object_type: small(r.try_get(1)?),
                    state: small(r.try_get(2)?),
                    count: r.try_get(3)?,
                })
            })
            .collect()
        })
    }

    fn check_writable(&self) -> Result<(), DbError> {
        let node = self.node.clone();
        self.writer().run(Box::new(move |s| {
            s.execute_params(
                "INSERT INTO health (node, checked) VALUES ($1, $2) \
                 ON CONFLICT (node) DO UPDATE SET checked = EXCLUDED.checked",
                &[&node, &crate::store::unix_now()],
            )?;
            Ok(())
        }))
    }

    /// PostgreSQL keeps an erased row's old version (its material still
    /// sealed) until VACUUM reclaims the space and later writes reuse it;
    /// nothing a node can do makes that sooner, short of a `VACUUM FULL`
    /// the operator schedules. The material is sealed under the sealing key
    /// either way (README, "Several nodes on PostgreSQL").
    fn purge_erased(&self) -> Result<(), DbError> {
        Ok(())
    }
}

/// How long the listener waits for a notification before it checks its
/// connection (and whether its store still exists).
const LISTEN_IDLE: Duration = Duration::from_secs(1);

/// The listener thread: connects, listens, forgets what it is told of;
/// while it is not connected the store's cache is off. Returns once the
/// store is gone.
fn listen(connector: &Connector, shared: &Weak<Shared>) {
    loop {
        let lost = match connector.connect() {
            Ok(mut client) => match client.batch_execute(&format!("LISTEN {CHANNEL}; LISTEN {REGISTRY}")) {
                Ok(()) => {
                    let Some(store) = shared.upgrade() else { return };
                    // Listening from here on: what changed before is forgotten.
                    store.cache.clear();
                    store.heard();
                    store.coherent.store(true, Ordering::Release);
                    store.registry_changed();
                    drop(store);
                    match serve(&mut client, shared) {
                        Ok(()) => return,
                        Err(e) => DbError::from(e),
                    }
                }
                Err(e) => DbError::from(e),
            },
            Err(e) => e,
        };
        let Some(store) = shared.upgrade() else { return };
        store.coherent.store(false, Ordering::Release);
        store.cache.clear();
        drop(store);
        tracing::warn!(
            "the store's PostgreSQL listener is disconnected ({lost}); the object cache is off until it is back"
        );
        std::thread::sleep(LISTEN_IDLE);
    }
}

/// Serves notifications until the connection fails (`Err`) or the store
/// is gone (`Ok`).
fn serve(client: &mut Client, shared: &Weak<Shared>) -> Result<(), postgres::Error> {
    loop {
        let mut notifications = client.notifications();
        let mut received = notifications.timeout_iter(LISTEN_IDLE);
        while let Some(notification) = received.next()? {
            let Some(store) = shared.upgrade() else {
                return Ok(());
            };
            store.heard();
            if notification.channel() == REGISTRY {
                store.registry_changed();
                continue;
            }
            match notification.payload().split_once('/') {
                Some((scope, uid)) => match Scope::new(scope) {
                    Ok(scope) => store.cache.remove(&scope, [&uid.to_owned()]),
                    Err(_) => store.cache.clear(),
                },
                None => store.cache.clear(),
            }
        }
        drop(received);
        drop(notifications);
        if shared.strong_count() == 0 {
            return Ok(());
        }
        // Quiet for a second: make sure the connection is still there.
        client.simple_query("SELECT 1")?;
        if let Some(store) = shared.upgrade() {
            store.heard();
        }
    }
}
