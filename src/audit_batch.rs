//! The audit events of reads and denials, group-committed (`db::group`): a read's answer waits
//! until its event is committed, so there is no 200 without its event and nothing answered is
//! lost on a crash, as when each read committed its own event. A batch is one statement
//! (`db::group::write_rows`: one multi-row INSERT, all or none) and one commit. The live-user check
//! stays folded into each event's row (`SELECT <event> FROM users WHERE <live user>`), so each
//! request still learns whether its user was live when its event was written. Writes keep their
//! event inside their own transaction (`audit::audited`).

use crate::audit::{event_row, Action, AuditContext, Outcome};
use crate::auth::Liveness;
use crate::db::group::{write_rows, Row};
use crate::db::{AnyConnection, Db, AUDIT_EVENTS};
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

impl Event {
    fn row(&self) -> Option<Row> {
        event_row(&self.ctx, &self.live, (self.action, self.kind, self.resource_id.as_deref()), self.outcome)
    }
}

/// Queues `event` with the instance's writer and waits until it is committed: `true` when it
/// was written, `false` when its user is no longer live (nothing written for it).
pub async fn record(db: &Db, event: Event) -> Result<bool, AppError> {
    match event.row() {
        Some(row) => db.group_commit().submit(row).await,
        None => Ok(false),
    }
}

/// Writes `events` in one statement, as the writer does: all or none. For each event, whether
/// it was written (its user was live).
pub fn write_batch(conn: &mut AnyConnection, events: &[&Event]) -> Result<Vec<bool>, AppError> {
    let rows: Vec<Option<Row>> = events.iter().map(|e| e.row()).collect();
    let present: Vec<bool> = rows.iter().map(Option::is_some).collect();
    let mut written = write_rows(conn, &AUDIT_EVENTS, &rows.into_iter().flatten().collect::<Vec<_>>())?.into_iter();
    Ok(present.into_iter().map(|p| p && written.next().unwrap_or(false)).collect())
}
