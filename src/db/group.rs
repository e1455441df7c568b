//! Group commit: small writes of concurrent requests (the audit events of reads and denials)
//! run by a few writers per instance (one on SQLite), many to one transaction and one commit,
//! instead of one commit (one WAL flush) each.
//!
//! A caller's `submit` returns only after its write is committed. Batches come from concurrency
//! alone: the writer takes what is queued when it is free (at most [`MAX_BATCH`]), so a lone
//! request is not delayed, and while one batch commits the next one fills. When any write of a
//! batch fails, the batch rolls back as a whole and every caller in it gets an error (503): none
//! is told its write is committed.

use tokio::sync::{mpsc, oneshot};

use super::{write_tx, AnyConnection, Pool};
use crate::problem::AppError;

/// The most writes one transaction carries.
pub const MAX_BATCH: usize = 128;

/// Writes waiting for the writer; beyond this, callers wait to queue (backpressure).
const QUEUE: usize = 4096;

/// One small write: `Ok(true)` when it wrote, `Ok(false)` when its own condition matched nothing.
pub type Job = Box<dyn FnOnce(&mut AnyConnection) -> Result<bool, AppError> + Send>;

struct Pending {
    job: Job,
    reply: oneshot::Sender<Result<bool, AppError>>,
}

/// The handle callers use; clones share the writers, which end with the last clone.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the `writers` writer threads of one instance (at least one). They share one queue:
    /// a free writer takes what is queued, so while one batch waits for its commit (its WAL
    /// flush) another can be written, and PostgreSQL flushes concurrent commits together. SQLite
    /// has one write lock, so one writer there.
    pub fn start(pool: Pool, writers: usize) -> std::io::Result<GroupCommit> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..writers.max(1) {
            let (pool, rx) = (pool.clone(), rx.clone());
            std::thread::Builder::new().name(format!("mend-group-commit-{n}")).spawn(move || run(pool, rx))?;
        }
        Ok(GroupCommit { queue })
    }

    /// Queues `job` and waits until its batch is committed.
    pub async fn submit(&self, job: Job) -> Result<bool, AppError> {
        let (reply, answer) = oneshot::channel();
        if self.queue.send(Pending { job, reply }).await.is_err() {
            return Err(AppError::database_unavailable());
        }
        answer.await.unwrap_or_else(|_| Err(AppError::database_unavailable()))
    }
}

/// Takes the next batch: waits for one write, then takes what else is queued (at most
/// [`MAX_BATCH`]). `None` when the queue is closed (the instance is gone) or poisoned.
fn next_batch(rx: &std::sync::Mutex<mpsc::Receiver<Pending>>, batch: &mut Vec<Pending>) -> Option<()> {
    let mut rx = rx.lock().ok()?;
    batch.push(rx.blocking_recv()?);
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
    Some(())
}

fn run(pool: Pool, rx: std::sync::Arc<std::sync::Mutex<mpsc::Receiver<Pending>>>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while next_batch(&rx, &mut batch).is_some() {
        let (jobs, replies): (Vec<Job>, Vec<_>) = batch.drain(..).map(|p| (p.job, p.reply)).unzip();
        let n = jobs.len();
        let result = match pool.get() {
            Ok(mut conn) => {
                let result = run_batch(&mut conn, jobs);
                if let Err(AppError::Unavailable { .. }) = &result {
                    conn.mark_lost();
                }
                result
            }
            Err(_) => Err(AppError::database_unavailable()),
        };
        match result {
            Ok(written) => {
                for (reply, written) in replies.into_iter().zip(written) {
                    let _ = reply.send(Ok(written));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, writes = n, "group commit failed; its requests fail");
                for reply in replies {
                    let _ = reply.send(Err(match &e {
                        AppError::Unavailable { .. } => AppError::database_unavailable(),
                        _ => AppError::Unavailable {
                            retry_after: 1,
                            detail: "The audit trail could not be written; try again.",
                        },
                    }));
                }
            }
        }
    }
}

/// Runs `jobs` in one write transaction: all or none.
pub fn run_batch(conn: &mut AnyConnection, jobs: Vec<Job>) -> Result<Vec<bool>, AppError> {
    write_tx(conn, |c| jobs.into_iter().map(|job| job(c)).collect())
}
