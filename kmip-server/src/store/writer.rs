//! The single writer with group commit, for either backend.
//!
//! Every change goes to one thread that owns the write connection. It takes
//! whatever changes are waiting, runs each inside its own savepoint (a
//! failing change is rolled back alone), commits them together with one
//! `fsync`, and only then answers each caller. So a caller hears "done"
//! only for what is durably on disk (SQLite's `synchronous=FULL`,
//! PostgreSQL's `synchronous_commit=on`), and many concurrent requests
//! share one disk flush.

use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};

use super::DbError;
use crate::observe::metrics::StoreMetrics;

/// A write connection: what the writer needs to frame a group.
pub trait Session: Send + 'static {
    /// The statement that opens a group's transaction.
    const BEGIN: &'static str;
    /// Runs one statement that returns no rows.
    fn exec(&mut self, sql: &str) -> Result<(), DbError>;
}

impl Session for rusqlite::Connection {
    // The write lock at once, not at the first write: no deadlock with
    // another process's writer, and the busy timeout applies.
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
    fn exec(&mut self, sql: &str) -> Result<(), DbError> {
        self.prepare_cached(sql)?.execute([])?;
        Ok(())
    }
}

/// A change, run by the writer thread inside its own savepoint. Its value,
/// if it has one, leaves through the closure's own channel ([`Writer::write`]).
pub type Change<C> = Box<dyn FnOnce(&mut C) -> Result<(), DbError> + Send>;

struct Job<C> {
    run: Change<C>,
    reply: Sender<Result<(), DbError>>,
}

/// Most changes committed together.
const MAX_GROUP: usize = 512;

/// Hands changes to the writer thread.
pub struct Writer<C> {
    jobs: Sender<Job<C>>,
}

impl<C: Session> Writer<C> {
    /// Starts the writer thread on `conn`, reporting each group's commit
    /// to `metrics`.
    pub fn start(mut conn: C, metrics: StoreMetrics) -> Result<Writer<C>, DbError> {
        let (jobs, rx) = channel();
        std::thread::Builder::new()
            .name("kmip-store-writer".into())
            .spawn(move || run(&mut conn, &rx, &metrics))
            .map_err(|e| DbError(format!("cannot start the store writer: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Runs `change` in the next group and returns once the group is
    /// committed (or with the error that kept it from being).
    pub fn run(&self, change: Change<C>) -> Result<(), DbError> {
        let (reply, answer) = channel();
        self.jobs
            .send(Job { run: change, reply })
            .map_err(|_| DbError("the store writer has stopped".into()))?;
        answer
            .recv()
            .map_err(|_| DbError("the store writer has stopped".into()))?
    }

    /// [`Writer::run`] for a change that returns a value.
    pub fn write<T: Send + 'static>(
        &self,
        change: impl FnOnce(&mut C) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let (value, out) = sync_channel(1);
        self.run(Box::new(move |c| {
            // The receiver lives until run returns.
            let _ = value.send(change(c)?);
            Ok(())
        }))?;
        out.try_recv()
            .map_err(|_| DbError("the store's writer returned no result".into()))
    }
}

fn run<C: Session>(conn: &mut C, rx: &Receiver<Job<C>>, metrics: &StoreMetrics) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let started = std::time::Instant::now();
        #[allow(clippy::cast_precision_loss)] // at most MAX_GROUP
        metrics.group_size.record(group.len() as f64);
        if let Err(e) = conn.exec(C::BEGIN) {
            for job in group {
                let _ = job.reply.send(Err(DbError(format!("cannot begin a transaction: {e}"))));
            }
            continue;
        }
        let mut results = Vec::with_capacity(group.len());
        for job in group {
            let out = match conn.exec("SAVEPOINT change") {
                Err(e) => Err(DbError(format!("savepoint: {e}"))),
                Ok(()) => {
                    let out = (job.run)(conn);
                    let end = match out.is_ok() {
                        true => conn.exec("RELEASE change"),
                        false => conn
                            .exec("ROLLBACK TO change")
                            .and_then(|()| conn.exec("RELEASE change")),
                    };
                    match end {
                        Ok(()) => out,
                        Err(e) => Err(DbError(format!("savepoint: {e}"))),
                    }
                }
            };
            results.push((job.reply, out));
        }
        let committed = conn.exec("COMMIT");
        metrics.commit_seconds.record(started.elapsed().as_secs_f64());
        match committed {
            Ok(()) => {
                for (reply, out) in results {
                    let _ = reply.send(out);
                }
            }
            Err(e) => {
                let _ = conn.exec("ROLLBACK");
                for (reply, _) in results {
                    let _ = reply.send(Err(DbError(format!("commit failed, nothing was stored: {e}"))));
                }
            }
        }
    }
}
