//! The audit events of reads and denials, group-committed (`db::group`): a read's answer waits
//! until its event is committed, so there is no 200 without its event and nothing answered is
//! lost on a crash, as when each read committed its own event. A batch is one statement
//! ([`STATEMENT`]: one INSERT of a JSON array of events, all or none) and one commit. The
//! live-user check stays folded into each event's row (joined to its live user), so each
//! request still learns whether its user was live when its event was written. Writes keep their
//! event inside their own transaction (`audit::audited`).

use crate::db::group::{write_rows, Row, Statement};
use crate::db::{new_id, now};
use crate::db::{AnyConnection, Db};
use crate::domain::actor::Liveness;
use crate::domain::audit::{Action, AuditContext, Outcome};

/// Inserts the events of a JSON array (`audit::event_row`), each only if its user is live:
/// exists, active, same practice and role, for a client the same client record, and the login
/// not ended (a refresh token of its family not revoked) (the rule of
/// `auth::actor::live_user`, here joined to every row at once). Answers the ids written.
///
/// Each row probes `users` by primary key: on PostgreSQL a LATERAL subquery with LIMIT 1 (a plain
/// join is planned for the 100 rows PostgreSQL assumes of any set-returning function, as a hash
/// join over a sequential scan of `users`: 3,100 vs 7,400 single-event statements/s, pgbench on
/// the benchmark's database); on SQLite a CROSS JOIN, which keeps the events as the outer loop.
pub static STATEMENT: Statement = Statement {
    postgres: (
        "INSERT INTO audit_events (id, practice_id, at, actor_id, actor_role, action, resource_type, resource_id, \
         outcome, request_id, ip) SELECT e.id, e.practice_id, e.at, e.actor_id, e.actor_role, e.action, \
         e.resource_type, e.resource_id, e.outcome, e.request_id, e.ip FROM json_to_recordset(CAST(",
        " AS json)) AS e(id text, practice_id text, at timestamp, actor_id text, actor_role text, action text, \
         resource_type text, resource_id text, outcome text, request_id text, ip text, live_user text, \
         live_practice text, live_role text, live_client text, live_family text) \
         CROSS JOIN LATERAL (SELECT 1 FROM users u WHERE u.id = e.live_user AND u.practice_id = e.live_practice \
         AND u.role = e.live_role AND u.active AND (e.live_client IS NULL OR u.client_id = e.live_client) \
         AND EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = e.live_family AND r.user_id = e.live_user \
         AND r.revoked_at IS NULL) LIMIT 1) u \
         RETURNING id",
    ),
    sqlite: (
        "INSERT INTO audit_events (id, practice_id, at, actor_id, actor_role, action, resource_type, resource_id, \
         outcome, request_id, ip) SELECT json_extract(e.value, '$.id'), json_extract(e.value, '$.practice_id'), \
         json_extract(e.value, '$.at'), json_extract(e.value, '$.actor_id'), json_extract(e.value, '$.actor_role'), \
         json_extract(e.value, '$.action'), json_extract(e.value, '$.resource_type'), \
         json_extract(e.value, '$.resource_id'), json_extract(e.value, '$.outcome'), \
         json_extract(e.value, '$.request_id'), json_extract(e.value, '$.ip') FROM json_each(",
        ") AS e CROSS JOIN users u ON u.id = json_extract(e.value, '$.live_user') \
         AND u.practice_id = json_extract(e.value, '$.live_practice') AND u.role = json_extract(e.value, '$.live_role') \
         AND u.active AND (json_extract(e.value, '$.live_client') IS NULL \
         OR u.client_id = json_extract(e.value, '$.live_client')) \
         AND EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = json_extract(e.value, '$.live_family') \
         AND r.user_id = u.id AND r.revoked_at IS NULL) RETURNING id",
    ),
};
use crate::domain::ResourceKind;
use crate::problem::AppError;

/// An event as one element of `audit_batch::STATEMENT`'s JSON array (borrowed: no copies on the
/// read path).
#[derive(serde::Serialize)]
struct EventJson<'a> {
    id: &'a str,
    practice_id: Option<&'a str>,
    at: String,
    actor_id: Option<&'a str>,
    actor_role: Option<&'a str>,
    action: &'a str,
    resource_type: &'a str,
    resource_id: Option<&'a str>,
    outcome: &'a str,
    request_id: &'a str,
    ip: Option<&'a str>,
    live_user: &'a str,
    live_practice: &'a str,
    live_role: &'a str,
    live_client: Option<&'a str>,
    live_family: &'a str,
}

/// The event as a row of `audit_batch::STATEMENT`: its columns, and the facts of its live-user
/// check. `None` when the actor cannot be live at all (nothing to ask the database).
pub(crate) fn event_row(
    ctx: &AuditContext,
    live: &Liveness,
    (action, resource_type, resource_id): (Action, ResourceKind, Option<&str>),
    outcome: Outcome,
) -> Result<Option<Row>, AppError> {
    let Some(live) = live.parts() else { return Ok(None) };
    let key = new_id();
    let row = EventJson {
        id: &key,
        practice_id: ctx.practice_id.as_deref(),
        at: crate::db::timestamp_text(now()),
        actor_id: ctx.actor_id.as_deref(),
        actor_role: ctx.actor_role.as_deref(),
        action: action.as_str(),
        resource_type: resource_type.as_str(),
        resource_id,
        outcome: outcome.as_str(),
        request_id: &ctx.request_id,
        ip: ctx.ip.as_deref(),
        live_user: live.user,
        live_practice: live.practice,
        live_role: live.role,
        live_client: live.client,
        live_family: live.family,
    };
    let json = serde_json::to_string(&row).map_err(AppError::internal)?;
    Ok(Some(Row { key, json }))
}

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
    fn row(&self) -> Result<Option<Row>, AppError> {
        event_row(&self.ctx, &self.live, (self.action, self.kind, self.resource_id.as_deref()), self.outcome)
    }
}

/// Queues `event` with the instance's writer and waits until it is committed: `true` when it
/// was written, `false` when its user is no longer live (nothing written for it).
pub async fn record(db: &Db, event: Event) -> Result<bool, AppError> {
    match event.row()? {
        Some(row) => db.group_commit().submit(row).await,
        None => Ok(false),
    }
}

/// Writes `events` in one statement, as the writer does: all or none. For each event, whether
/// it was written (its user was live).
pub fn write_batch(conn: &mut AnyConnection, events: &[&Event]) -> Result<Vec<bool>, AppError> {
    let rows = events.iter().map(|e| e.row()).collect::<Result<Vec<Option<Row>>, AppError>>()?;
    let present: Vec<bool> = rows.iter().map(Option::is_some).collect();
    let mut written = write_rows(conn, &STATEMENT, &rows.into_iter().flatten().collect::<Vec<_>>())?.into_iter();
    Ok(present.into_iter().map(|p| p && written.next().unwrap_or(false)).collect())
}
