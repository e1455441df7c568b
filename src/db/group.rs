//! Group commit: small writes of concurrent requests (the audit events of reads and denials)
//! run by a few writers per instance (one on SQLite), many to one transaction and one commit,
//! instead of one commit (one WAL flush) each. What a write is, and how a batch of them becomes
//! one statement, is the caller's (`audit_batch`); this module only queues, batches and answers.
//!
//! A caller's `submit` returns only after its write is committed. Batches come from concurrency
//! alone: the writer takes what is queued when it is free (at most [`MAX_BATCH`]), so a lone
//! request is not delayed, and while one batch commits the next one fills. When any write of a
//! batch fails, the batch rolls back as a whole and every caller in it gets an error (503): none
//! is told its write is committed.

use tokio::sync::{mpsc, oneshot};

use super::{AnyConnection, Pool};
use crate::problem::AppError;

/// The most writes one batch carries.
pub const MAX_BATCH: usize = 128;

/// Writes waiting for the writer; beyond this, callers wait to queue (backpressure).
const QUEUE: usize = 4096;

/// Writes a batch of items all or none (one statement, or one transaction): for each item,
/// `true` when it wrote, `false` when its own condition matched nothing.
pub type WriteAll<T> = fn(&mut AnyConnection, &[T]) -> Result<Vec<bool>, AppError>;

struct Pending<T> {
    item: T,
    reply: oneshot::Sender<Result<bool, AppError>>,
}

/// The handle callers use; clones share the writers, which end with the last clone.
pub struct GroupCommit<T> {
    queue: mpsc::Sender<Pending<T>>,
}

impl<T> Clone for GroupCommit<T> {
    fn clone(&self) -> Self {
        GroupCommit { queue: self.queue.clone() }
    }
}

impl<T: Send + 'static> GroupCommit<T> {
    /// Starts the `writers` writer threads of one instance (at least one), each writing what it
    /// takes from the queue with `write`. They share one queue: a free writer takes what is
    /// queued, so while one batch waits for its commit (its WAL flush) another can be written,
    /// and PostgreSQL flushes concurrent commits together. SQLite has one write lock, so one
    /// writer there.
    pub fn start(pool: Pool, writers: usize, write: WriteAll<T>) -> std::io::Result<GroupCommit<T>> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..writers.max(1) {
            let (pool, rx) = (pool.clone(), rx.clone());
            std::thread::Builder::new().name(format!("mend-group-commit-{n}")).spawn(move || run(pool, rx, write))?;
        }
        Ok(GroupCommit { queue })
    }

    /// Queues `item` and waits until its batch is committed.
    pub async fn submit(&self, item: T) -> Result<bool, AppError> {
        let (reply, answer) = oneshot::channel();
        if self.queue.send(Pending { item, reply }).await.is_err() {
            return Err(AppError::database_unavailable());
        }
        answer.await.unwrap_or_else(|_| Err(AppError::database_unavailable()))
    }
}

type Queue<T> = std::sync::Arc<std::sync::Mutex<mpsc::Receiver<Pending<T>>>>;

/// Takes the next batch: waits for one write, then takes what else is queued (at most
/// [`MAX_BATCH`]). `None` when the queue is closed (the instance is gone) or poisoned.
fn next_batch<T>(rx: &Queue<T>, batch: &mut Vec<Pending<T>>) -> Option<()> {
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

fn run<T>(pool: Pool, rx: Queue<T>, write: WriteAll<T>) {
    let mut batch: Vec<Pending<T>> = Vec::with_capacity(MAX_BATCH);
    while next_batch(&rx, &mut batch).is_some() {
        let (items, replies): (Vec<T>, Vec<_>) = batch.drain(..).map(|p| (p.item, p.reply)).unzip();
        let n = items.len();
        let result = match pool.get() {
            Ok(mut conn) => {
                let result = write(&mut conn, &items);
                if let Err(AppError::Unavailable { .. }) = &result {
                    conn.mark_lost();
                }
                result
            }
            Err(_) => Err(AppError::database_unavailable()),
        };
        match result {
            Ok(written) if written.len() == n => {
                for (reply, written) in replies.into_iter().zip(written) {
                    let _ = reply.send(Ok(written));
                }
            }
            result => {
                let e = result
                    .err()
                    .unwrap_or_else(|| AppError::internal("a batch answered for the wrong number of writes"));
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
