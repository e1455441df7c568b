//! The audit trail: one function writes every event.
//!
//! Events are written synchronously, in the same transaction as the write they describe, so a
//! committed change always has its event and nothing is lost on shutdown or crash. A denial is
//! written after the denied work has rolled back.

use diesel::prelude::*;

use crate::audit_batch::Event;
use crate::auth::actor::no_longer_live;
use crate::auth::{Actor, Liveness};
use crate::db::group::{write_rows, Row};
use crate::db::schema::audit_events;
use crate::db::{new_id, now, write_tx, AnyConnection};
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};

crate::vocabulary! {
    /// What an audited event did.
    pub enum Action {
        Read = "read",
        List = "list",
        Create = "create",
        Update = "update",
        Sign = "sign",
        Share = "share",
        Acknowledge = "acknowledge",
        Assign = "assign",
        Invite = "invite",
        Login = "login",
        Refresh = "refresh",
        Logout = "logout",
        Submit = "submit",
        Return = "return",
        Release = "release",
        Withdraw = "withdraw",
        Log = "log",
        Respond = "respond",
        Disclose = "disclose",
        Revoke = "revoke",
        Authorize = "authorize",
        Delete = "delete",
    }
}

impl Action {
    /// What a request of this method does, for a denial recorded before any handler ran:
    /// a GET that names one record reads it, other GETs list; POST creates, DELETE deletes,
    /// anything else updates.
    pub fn of_method(method: &actix_web::http::Method, names_one: bool) -> Action {
        use actix_web::http::Method;
        match *method {
            Method::GET if names_one => Action::Read,
            Method::GET => Action::List,
            Method::POST => Action::Create,
            Method::DELETE => Action::Delete,
            _ => Action::Update,
        }
    }

    /// Reads and lists: work that must not write anything but its audit event.
    pub fn is_read(self) -> bool {
        matches!(self, Action::Read | Action::List)
    }
}

crate::vocabulary! {
    /// Whether the attempt was allowed.
    pub enum Outcome { Success = "success", Denied = "denied" }
}

/// Who did it, from where, in which request.
#[derive(Clone, Debug)]
pub struct AuditContext {
    pub practice_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub request_id: String,
    pub ip: Option<String>,
}

/// Writes one event. Every event in Mend goes through here.
pub fn record(
    conn: &mut AnyConnection,
    ctx: &AuditContext,
    action: Action,
    resource_type: ResourceKind,
    resource_id: Option<&str>,
    outcome: Outcome,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(new_id()),
            audit_events::practice_id.eq(&ctx.practice_id),
            audit_events::at.eq(now()),
            audit_events::actor_id.eq(&ctx.actor_id),
            audit_events::actor_role.eq(&ctx.actor_role),
            audit_events::action.eq(action.as_str()),
            audit_events::resource_type.eq(resource_type),
            audit_events::resource_id.eq(resource_id),
            audit_events::outcome.eq(outcome.as_str()),
            audit_events::request_id.eq(&ctx.request_id),
            audit_events::ip.eq(&ctx.ip),
        ))
        .execute(conn)
        .map(|_| ())
}

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

/// Writes one event only if the actor is still live, in one statement (the batch statement,
/// `audit_batch::STATEMENT`, with one row). False when nothing was written: the token's user
/// is no longer live.
pub fn record_if_live(
    conn: &mut AnyConnection,
    ctx: &AuditContext,
    live: &Liveness,
    action: Action,
    resource_type: ResourceKind,
    resource_id: Option<&str>,
    outcome: Outcome,
) -> Result<bool, AppError> {
    let Some(row) = event_row(ctx, live, (action, resource_type, resource_id), outcome)? else {
        return Ok(false);
    };
    Ok(write_rows(conn, &crate::audit_batch::STATEMENT, &[row])? == [true])
}

/// A read or list for an authenticated caller: `work` in one database job (no transaction: a
/// read writes nothing of its own, so on SQLite it never waits for the write lock), then its
/// audit event through the instance's group-commit writer (`audit_batch`), which folds the
/// live-user check into the event's INSERT. Nothing is returned until the event is committed,
/// and nothing unless it was written for a live user: a deactivated user gets 401, not the data.
/// A `NotFound`/`Forbidden` from `work` is audited as denied the same way; any other error is
/// returned as 401 if the user is no longer live. `work` must not write.
pub async fn read<T: Send + 'static>(
    db: &crate::db::Db,
    actor: Actor,
    action: Action,
    resource_type: ResourceKind,
    resource_id: Option<String>,
    work: impl FnOnce(&mut AnyConnection, &Actor) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    debug_assert!(action.is_read(), "audit::read is for reads and lists");
    let (ctx, live) = (actor.audit_context(), actor.live());
    let check = live.clone();
    let result = db
        .run(move |conn| {
            let result = work(conn, &actor);
            if let Err(e) = &result {
                if !matches!(e, AppError::NotFound | AppError::Forbidden(_) | AppError::Unavailable { .. }) {
                    crate::auth::actor::check_live(conn, &check)?;
                }
            }
            Ok(result)
        })
        .await?;
    let outcome = match &result {
        Ok(_) => Outcome::Success,
        Err(AppError::NotFound | AppError::Forbidden(_)) => Outcome::Denied,
        Err(_) => return result,
    };
    let event = Event { ctx, live, action, kind: resource_type, resource_id, outcome };
    if crate::audit_batch::record(db, event).await? {
        result
    } else {
        Err(no_longer_live())
    }
}

/// What an audited piece of work touches.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub action: Action,
    pub resource_type: ResourceKind,
    pub resource_id: Option<&'a str>,
}

impl<'a> Target<'a> {
    pub fn new(action: Action, resource_type: ResourceKind, resource_id: Option<&'a str>) -> Self {
        Target { action, resource_type, resource_id }
    }
}

/// Runs `work` in a write transaction and audits it (reads and lists use [`read`]): success in
/// the same transaction; a `NotFound` (the caller may not see the resource) or a `Forbidden`
/// (they see it but may not do this to it, e.g. sign another counselor's note) as a denial,
/// after the rollback.
///
/// The live-user check rides on the event's INSERT, as in [`read`] (one round trip fewer, and it
/// is inside the write's transaction): when the token's user is no longer live, nothing is
/// written, the work rolls back and the answer is 401. So call this from `Db::run`, not
/// `Db::run_as`.
pub fn audited<T>(
    conn: &mut AnyConnection,
    actor: &Actor,
    target: Target<'_>,
    work: impl FnOnce(&mut AnyConnection) -> AppResult<T>,
) -> AppResult<T> {
    audited_under(conn, actor, target, target, work)
}

/// Like [`audited`], for work that creates a child of a parent the caller must be able to see:
/// success is recorded on the new resource (`target`); a denial (the parent is not visible) on
/// the parent's id, the resource the caller asked for.
pub fn audited_under<T>(
    conn: &mut AnyConnection,
    actor: &Actor,
    target: Target<'_>,
    parent: Target<'_>,
    work: impl FnOnce(&mut AnyConnection) -> AppResult<T>,
) -> AppResult<T> {
    let ctx = actor.audit_context();
    let live = actor.live();
    debug_assert!(!target.action.is_read(), "reads and lists go through audit::read");
    let result = write_tx(conn, |c| {
        let value = work(c)?;
        let (action, kind, id) = (target.action, target.resource_type, target.resource_id);
        if record_if_live(c, &ctx, &live, action, kind, id, Outcome::Success)? {
            crate::webhooks::outbox::emit(c, ctx.practice_id.as_deref(), action, kind, id)?;
            Ok(value)
        } else {
            Err(no_longer_live())
        }
    });
    match result {
        Err(AppError::NotFound | AppError::Forbidden(_)) => {
            let (action, kind, id) = (parent.action, parent.resource_type, parent.resource_id);
            if !record_if_live(conn, &ctx, &live, action, kind, id, Outcome::Denied)? {
                return Err(no_longer_live());
            }
        }
        Err(AppError::Unavailable { .. } | AppError::Unauthorized(_)) => {}
        // A conflict, a failed precondition, a bad reference: only for a live user.
        Err(_) => crate::auth::actor::check_live(conn, &live)?,
        Ok(_) => {}
    }
    result
}

/// Records a denied attempt on its own (nothing else was written) and answers 403: for a
/// caller who may see a resource but not do this to it, such as a counselor changing
/// assignments.
pub async fn forbidden<T>(
    db: &crate::db::Db,
    actor: Actor,
    action: Action,
    resource_type: ResourceKind,
    resource_id: String,
    why: &'static str,
) -> AppResult<T> {
    let (ctx, live) = (actor.audit_context(), actor.live());
    let event =
        Event { ctx, live, action, kind: resource_type, resource_id: Some(resource_id), outcome: Outcome::Denied };
    let written = crate::audit_batch::record(db, event).await?;
    if written {
        Err(AppError::Forbidden(why))
    } else {
        Err(no_longer_live())
    }
}
