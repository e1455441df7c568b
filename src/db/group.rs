//! Group commit: small writes of concurrent requests (the audit events of reads and denials)
//! run by one writer per instance, many to one transaction and one commit, instead of one commit
//! (one WAL flush) each.
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

/// The handle callers use; clones share one writer thread, which ends with the last clone.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the writer thread of one instance.
    pub fn start(pool: Pool) -> std::io::Result<GroupCommit> {
        let (queue, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new().name("mend-group-commit".into()).spawn(move || run(pool, rx))?;
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

fn run(pool: Pool, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
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
