//! The audit events of reads and denials, group-committed (`db::group`): a read's answer waits
//! until its event is committed, so there is no 200 without its event and nothing answered is
//! lost on a crash, as when each read committed its own event. A batch is one statement
//! (`audit::InsertEvents`: one multi-row INSERT, all or none) and one commit. The live-user check
//! stays folded into each event's row (`SELECT <event> FROM users WHERE <live user>`), so each
//! request still learns whether its user was live when its event was written. Writes keep their
//! event inside their own transaction (`audit::audited`).

use std::collections::HashSet;

use diesel::RunQueryDsl;

use crate::audit::{event_row, Action, AuditContext, InsertEvents, Outcome};
use crate::auth::Liveness;
use crate::db::{new_id, write_tx, AnyConnection, Db};
use crate::domain::ResourceKind;
use crate::problem::AppError;

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

/// Queues `event` with the instance's writer and waits until it is committed: `true` when it
/// was written, `false` when its user is no longer live (nothing written for it).
pub async fn record(db: &Db, event: Event) -> Result<bool, AppError> {
    db.group_commit().submit(event).await
}

/// Writes `events` in one statement, as the writer does: all or none. For each event, whether
/// it was written (its user was live).
pub fn write_batch(conn: &mut AnyConnection, events: &[&Event]) -> Result<Vec<bool>, AppError> {
    let ids: Vec<String> = events.iter().map(|_| new_id()).collect();
    let rows: Vec<_> = events
        .iter()
        .zip(&ids)
        .filter_map(|(e, id)| {
            let target = (e.action, e.kind, e.resource_id.as_deref());
            event_row(id.clone(), &e.ctx, &e.live, target, e.outcome)
        })
        .collect();
    if rows.is_empty() {
        return Ok(vec![false; events.len()]);
    }
    let insert = InsertEvents(rows);
    let written: Vec<String> = match conn {
        // SQLite: take the write lock first (a deferred write could fail on a busy lock at once).
        AnyConnection::Sqlite(_) => write_tx(conn, |c| insert.load::<String>(c))?,
        // PostgreSQL: one statement is its own transaction; no BEGIN and COMMIT round trips.
        AnyConnection::Postgresql(_) => insert.load::<String>(conn)?,
    };
    let written: HashSet<String> = written.into_iter().collect();
    Ok(ids.iter().map(|id| written.contains(id)).collect())
}

/// The group-commit writer's batch: [`write_batch`] over what it took from the queue.
pub fn write_queued(conn: &mut AnyConnection, events: &[Event]) -> Result<Vec<bool>, AppError> {
    write_batch(conn, &events.iter().collect::<Vec<_>>())
}
