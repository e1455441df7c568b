//! The audit events of reads and denials, group-committed (`db::group`): a read's answer waits
//! until its event is committed, so there is no 200 without its event and nothing answered is
//! lost on a crash, as when each read committed its own event. The live-user check stays folded
//! into each event's INSERT (`INSERT .. SELECT .. FROM users WHERE <live user>`), inside the
//! batch's transaction, so each request still learns whether its user was live when its event was
//! written. Writes keep their event inside their own transaction (`audit::audited`).

use crate::audit::{record_if_live, Action, AuditContext, Outcome};
use crate::auth::Liveness;
use crate::db::group::{run_batch, Job};
use crate::db::{AnyConnection, Db};
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
    fn job(self) -> Job {
        Box::new(move |c| {
            Ok(record_if_live(
                c,
                &self.ctx,
                &self.live,
                self.action,
                self.kind,
                self.resource_id.as_deref(),
                self.outcome,
            )?)
        })
    }
}

/// Queues `event` with the instance's writer and waits until it is committed: `true` when it
/// was written, `false` when its user is no longer live (nothing written for it).
pub async fn record(db: &Db, event: Event) -> Result<bool, AppError> {
    db.group_commit().submit(event.job()).await
}

/// Writes `events` in one transaction, as the writer does: all or none.
pub fn write_batch(conn: &mut AnyConnection, events: &[&Event]) -> Result<Vec<bool>, AppError> {
    run_batch(conn, events.iter().map(|e| (*e).clone().job()).collect())
}
