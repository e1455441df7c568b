//! Group commit of audit events: the events of reads and denials from concurrent requests are
//! written by one writer per instance, many to one transaction and one commit, instead of one
//! commit (one WAL flush) per read.
//!
//! The guarantee is the one a read had when it wrote its own event: a request's answer waits
//! until its event is committed, so there is no 200 without its event, and nothing answered is
//! lost on a crash. The live-user check stays folded into each event's INSERT
//! (`INSERT .. SELECT .. FROM users WHERE <live user>`), inside the batch's transaction, so each
//! request still learns whether its user was live when its event was written. Batches come from
//! concurrency alone: the writer takes what is queued when it is free (at most [`MAX_BATCH`]), so
//! a lone request is not delayed, and while one batch commits the next one fills. When a batch
//! fails, it rolls back as a whole and every request in it fails (503 when the database is
//! unreachable): none is answered 200. Writes keep their event inside their own transaction.

use tokio::sync::{mpsc, oneshot};

use crate::audit::{record_if_live, Action, AuditContext, Outcome};
use crate::auth::Liveness;
use crate::db::{write_tx, AnyConnection, Pool};
use crate::domain::ResourceKind;
use crate::problem::AppError;

/// The most events one transaction carries.
pub const MAX_BATCH: usize = 128;

/// Events waiting for the writer; beyond this, requests wait to queue (backpressure).
const QUEUE: usize = 4096;

/// One event, and the facts its live-user check needs.
#[derive(Clone, Debug)]
pub struct Event {
    pub ctx: AuditContext,
    pub live: Liveness,
    pub action: Action,
    pub kind: ResourceKind,
    pub resource_id: Option<String>,
    pub outcome: Outcome,
}

struct Pending {
    event: Event,
    reply: oneshot::Sender<Result<bool, AppError>>,
}

/// The handle requests use; clones share one writer thread, which ends with the last clone.
#[derive(Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

impl AuditWriter {
    /// Starts the writer thread of one instance.
    pub fn start(pool: Pool) -> std::io::Result<AuditWriter> {
        let (queue, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new().name("mend-audit".into()).spawn(move || run(pool, rx))?;
        Ok(AuditWriter { queue })
    }

    /// Queues `event` and waits until it is committed: `true` when it was written, `false` when
    /// its user is no longer live (nothing written for it).
    pub async fn record(&self, event: Event) -> Result<bool, AppError> {
        let (reply, answer) = oneshot::channel();
        if self.queue.send(Pending { event, reply }).await.is_err() {
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
        let events: Vec<&Event> = batch.iter().map(|p| &p.event).collect();
        let result = match pool.get() {
            Ok(mut conn) => {
                let result = write_batch(&mut conn, &events);
                if let Err(AppError::Unavailable { .. }) = &result {
                    conn.mark_lost();
                }
                result
            }
            Err(_) => Err(AppError::database_unavailable()),
        };
        match result {
            Ok(written) => {
                for (pending, written) in batch.drain(..).zip(written) {
                    let _ = pending.reply.send(Ok(written));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, events = batch.len(), "audit batch failed; its requests fail");
                for pending in batch.drain(..) {
                    let _ = pending.reply.send(Err(match &e {
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

/// Writes `events` in one transaction: all or none. Each is `true` when written (its user was
/// live), `false` when its live-user check matched no user.
pub fn write_batch(conn: &mut AnyConnection, events: &[&Event]) -> Result<Vec<bool>, AppError> {
    write_tx(conn, |c| {
        let mut written = Vec::with_capacity(events.len());
        for e in events {
            written.push(record_if_live(c, &e.ctx, &e.live, e.action, e.kind, e.resource_id.as_deref(), e.outcome)?);
        }
        Ok(written)
    })
}
