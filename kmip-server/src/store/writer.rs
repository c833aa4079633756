//! The single writer with group commit.
//!
//! Every change goes to one thread that owns the write connection. It takes
//! whatever changes are waiting, runs each inside its own savepoint (a
//! failing change is rolled back alone), commits them together with one
//! `fsync`, and only then answers each caller. So a caller hears "done"
//! only for what is durably on disk (`synchronous=FULL`), and many
//! concurrent requests share one disk flush.

use std::any::Any;
use std::sync::mpsc::{channel, Receiver, Sender};

use rusqlite::Connection;

use super::DbError;

type Output = Result<Box<dyn Any + Send>, DbError>;

struct Job {
    run: Box<dyn FnOnce(&Connection) -> Output + Send>,
    reply: Sender<Output>,
}

/// Most changes committed together.
const MAX_GROUP: usize = 512;

/// Hands changes to the writer thread.
pub struct Writer {
    jobs: Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub fn start(conn: Connection) -> Result<Writer, DbError> {
        let (jobs, rx) = channel();
        std::thread::Builder::new()
            .name("kmip-store-writer".into())
            .spawn(move || run(&conn, &rx))
            .map_err(|e| DbError(format!("cannot start the store writer: {e}")))?;
        Ok(Writer { jobs })
    }

    /// Runs `change` in the next group and returns its result once the
    /// group is committed (or the error that kept it from being).
    pub fn write<T: Send + 'static>(
        &self,
        change: impl FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let (reply, answer) = channel();
        let job = Job {
            run: Box::new(move |c| change(c).map(|v| Box::new(v) as Box<dyn Any + Send>)),
            reply,
        };
        self.jobs
            .send(job)
            .map_err(|_| DbError("the store writer has stopped".into()))?;
        let out = answer
            .recv()
            .map_err(|_| DbError("the store writer has stopped".into()))??;
        out.downcast::<T>()
            .map(|b| *b)
            .map_err(|_| DbError("the store writer returned the wrong type".into()))
    }
}

fn run(conn: &Connection, rx: &Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            for job in group {
                let _ = job.reply.send(Err(DbError(format!("cannot begin a transaction: {e}"))));
            }
            continue;
        }
        let mut results = Vec::with_capacity(group.len());
        for job in group {
            let out = match conn.prepare_cached("SAVEPOINT change").and_then(|mut s| s.execute([])) {
                Err(e) => Err(DbError(format!("savepoint: {e}"))),
                Ok(_) => {
                    let out = (job.run)(conn);
                    let end = if out.is_ok() {
                        "RELEASE change"
                    } else {
                        "ROLLBACK TO change; RELEASE change"
                    };
                    match conn.execute_batch(end) {
                        Ok(()) => out,
                        Err(e) => Err(DbError(format!("savepoint: {e}"))),
                    }
                }
            };
            results.push((job.reply, out));
        }
        match conn.execute_batch("COMMIT") {
            Ok(()) => {
                for (reply, out) in results {
                    let _ = reply.send(out);
                }
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                for (reply, _) in results {
                    let _ = reply.send(Err(DbError(format!("commit failed, nothing was stored: {e}"))));
                }
            }
        }
    }
}
