//! Group commit: small writes of concurrent requests (the audit events of reads and denials)
//! run by a few writers per instance (one on SQLite), many to one transaction and one commit,
//! instead of one commit (one WAL flush) each. A batch is one statement over a JSON array of its
//! rows, each with its own condition ([`Statement`], [`write_rows`]).
//!
//! A caller's `submit` returns only after its write is committed. Batches come from concurrency
//! alone: the writer takes what is queued when it is free (at most [`MAX_BATCH`]), so a lone
//! request is not delayed, and while one batch commits the next one fills. When any write of a
//! batch fails, the batch rolls back as a whole and every caller in it gets an error (503): none
//! is told its write is committed.

use std::collections::HashSet;

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};
use tokio::sync::{mpsc, oneshot};

use super::{write_tx, AnyConnection, Pool};
use crate::problem::AppError;

/// The most writes one batch carries.
pub const MAX_BATCH: usize = 128;

/// Writes waiting for the writer; beyond this, callers wait to queue (backpressure).
const QUEUE: usize = 4096;

/// One write of a batch: a JSON object (its fields are the statement's business) with a
/// unique string `key`, by which the statement's answer tells whether it was written.
pub struct Row {
    pub key: String,
    pub json: String,
}

/// The statement that writes a batch, for each store: SQL before and after its one parameter,
/// the batch's rows as one JSON array (text). It writes the rows whose own condition holds, all
/// or none, and returns the `key` of each row written. Its text is fixed whatever the batch's
/// size, so it is one prepared statement per connection (a statement per batch size, as a
/// multi-row VALUES or UNION would be, fills every connection's plan cache).
pub struct Statement {
    pub postgres: (&'static str, &'static str),
    pub sqlite: (&'static str, &'static str),
}

/// A [`Statement`] with its rows, for one backend.
struct Batch<'a> {
    sql: (&'static str, &'static str),
    rows: &'a String,
}

impl<DB> QueryFragment<DB> for Batch<'_>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.sql.0);
        out.push_bind_param::<diesel::sql_types::Text, String>(self.rows)?;
        out.push_sql(self.sql.1);
        Ok(())
    }
}

impl QueryId for Batch<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Batch<'_> {
    type SqlType = diesel::sql_types::Text;
}

impl<C> RunQueryDsl<C> for Batch<'_> {}

/// Writes `rows` with `statement` in one statement: all or none. For each row, whether it was
/// written (its condition held). Inside a transaction it is part of it; outside, on
/// PostgreSQL it is its own transaction (no BEGIN and COMMIT round trips), on SQLite it takes
/// the write lock first (`write_tx`: a deferred write could fail on a busy lock at once).
pub fn write_rows(conn: &mut AnyConnection, statement: &Statement, rows: &[Row]) -> Result<Vec<bool>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut json = String::with_capacity(rows.iter().map(|r| r.json.len() + 1).sum::<usize>() + 2);
    json.push('[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&row.json);
    }
    json.push(']');
    let written: Vec<String> = match conn {
        AnyConnection::Sqlite(_) => write_tx(conn, |c| match c {
            AnyConnection::Sqlite(c) => Batch { sql: statement.sqlite, rows: &json }.load::<String>(c),
            AnyConnection::Postgresql(c) => Batch { sql: statement.postgres, rows: &json }.load::<String>(c),
        })?,
        AnyConnection::Postgresql(c) => Batch { sql: statement.postgres, rows: &json }.load::<String>(c)?,
    };
    let written: HashSet<String> = written.into_iter().collect();
    Ok(rows.iter().map(|r| written.contains(&r.key)).collect())
}

struct Pending {
    item: Row,
    reply: oneshot::Sender<Result<bool, AppError>>,
}

/// The handle callers use; clones share the writers, which end with the last clone.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the `writers` writer threads of one instance (at least one), each writing what it
    /// takes from the queue with `statement`, one statement a batch ([`write_rows`]). They share
    /// one queue: a free writer takes what is queued, so while one batch waits for its commit (its WAL flush) another can be written,
    /// and PostgreSQL flushes concurrent commits together. SQLite has one write lock, so one
    /// writer there.
    pub fn start(pool: Pool, writers: usize, statement: &'static Statement) -> std::io::Result<GroupCommit> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..writers.max(1) {
            let (pool, rx) = (pool.clone(), rx.clone());
            std::thread::Builder::new()
                .name(format!("mend-group-commit-{n}"))
                .spawn(move || run(pool, rx, statement))?;
        }
        Ok(GroupCommit { queue })
    }

    /// Queues `row` and waits until its batch is committed: whether it was written.
    pub async fn submit(&self, item: Row) -> Result<bool, AppError> {
        let (reply, answer) = oneshot::channel();
        if self.queue.send(Pending { item, reply }).await.is_err() {
            return Err(AppError::database_unavailable());
        }
        answer.await.unwrap_or_else(|_| Err(AppError::database_unavailable()))
    }
}

type Queue = std::sync::Arc<std::sync::Mutex<mpsc::Receiver<Pending>>>;

/// Takes the next batch: waits for one write, then takes what else is queued (at most
/// [`MAX_BATCH`]). `None` when the queue is closed (the instance is gone) or poisoned.
fn next_batch(rx: &Queue, batch: &mut Vec<Pending>) -> Option<()> {
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

fn run(pool: Pool, rx: Queue, statement: &Statement) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while next_batch(&rx, &mut batch).is_some() {
        let (items, replies): (Vec<Row>, Vec<_>) = batch.drain(..).map(|p| (p.item, p.reply)).unzip();
        let n = items.len();
        let result = match pool.get() {
            Ok(mut conn) => {
                let result = write_rows(&mut conn, statement, &items);
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
