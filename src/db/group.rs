//! Group commit: small writes of concurrent requests (the audit events of reads and denials)
//! run by a few writers per instance (one on SQLite), many to one transaction and one commit,
//! instead of one commit (one WAL flush) each. A batch is one statement: a multi-row INSERT whose
//! rows each carry their own condition ([`Row`], [`write_rows`]).
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

use super::{write_tx, AnyConnection, MultiBackend, Pool};
use crate::problem::AppError;

/// The most writes one batch carries.
pub const MAX_BATCH: usize = 128;

/// Writes waiting for the writer; beyond this, callers wait to queue (backpressure).
const QUEUE: usize = 4096;

/// One conditional row: a `SELECT` of the values to insert, in the table's [`Table`] column
/// order, that yields the row when its condition holds and nothing otherwise; `key` is its
/// first column, unique, to tell which rows were written.
pub struct Row {
    pub key: String,
    pub select: Box<dyn QueryFragment<MultiBackend> + Send>,
}

/// Where rows go: the table, its columns in the order of each row's `SELECT`, the first being
/// the key.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

/// `INSERT INTO <table> (..) <row> UNION ALL <row> .. RETURNING <key>`: any number of rows in
/// one statement (all or none), each written only if its own condition holds. Its SQL depends
/// only on the number of rows, so each size is one prepared statement per connection.
struct InsertRows<'a> {
    into: &'a Table,
    rows: &'a [Row],
}

impl QueryFragment<MultiBackend> for InsertRows<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("INSERT INTO ");
        out.push_identifier(self.into.name)?;
        out.push_sql(" (");
        for (i, column) in self.into.columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_identifier(column)?;
        }
        out.push_sql(") ");
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            row.select.walk_ast(out.reborrow())?;
        }
        out.push_sql(" RETURNING ");
        out.push_identifier(self.into.columns[0])
    }
}

impl QueryId for InsertRows<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for InsertRows<'_> {
    type SqlType = diesel::sql_types::Text;
}

impl RunQueryDsl<AnyConnection> for InsertRows<'_> {}

/// Writes `rows` into `into` in one statement: all or none. For each row, whether it was
/// written (its condition held). Inside a transaction it is part of it; outside, on
/// PostgreSQL it is its own transaction (no BEGIN and COMMIT round trips), on SQLite it takes
/// the write lock first (`write_tx`: a deferred write could fail on a busy lock at once).
pub fn write_rows(conn: &mut AnyConnection, into: &Table, rows: &[Row]) -> Result<Vec<bool>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let insert = InsertRows { into, rows };
    let written: Vec<String> = match conn {
        AnyConnection::Sqlite(_) => write_tx(conn, |c| insert.load::<String>(c))?,
        AnyConnection::Postgresql(_) => insert.load::<String>(conn)?,
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
    /// takes from the queue into `into`, one statement a batch ([`write_rows`]). They share one queue: a free writer takes what is
    /// queued, so while one batch waits for its commit (its WAL flush) another can be written,
    /// and PostgreSQL flushes concurrent commits together. SQLite has one write lock, so one
    /// writer there.
    pub fn start(pool: Pool, writers: usize, into: &'static Table) -> std::io::Result<GroupCommit> {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..writers.max(1) {
            let (pool, rx) = (pool.clone(), rx.clone());
            std::thread::Builder::new().name(format!("mend-group-commit-{n}")).spawn(move || run(pool, rx, into))?;
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

fn run(pool: Pool, rx: Queue, into: &Table) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while next_batch(&rx, &mut batch).is_some() {
        let (items, replies): (Vec<Row>, Vec<_>) = batch.drain(..).map(|p| (p.item, p.reply)).unzip();
        let n = items.len();
        let result = match pool.get() {
            Ok(mut conn) => {
                let result = write_rows(&mut conn, into, &items);
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
