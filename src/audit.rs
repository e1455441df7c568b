//! The audit trail: one function writes every event.
//!
//! Events are written synchronously, in the same transaction as the write they describe, so a
//! committed change always has its event and nothing is lost on shutdown or crash. A denial is
//! written after the denied work has rolled back.

use crate::audit_batch::{event_row, Event};
use crate::auth::actor::no_longer_live;
use crate::auth::{Actor, Liveness};
use crate::db::group::write_rows;
use crate::db::{write_tx, AnyConnection};
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult, ONLY_ADMINS_ASSIGN};

pub use crate::domain::audit::{Action, AuditContext, Outcome};

/// Writes one event (an INSERT of its row, `store::audit::record`).
pub use crate::store::audit::record;

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
            crate::store::outbox::emit(c, ctx.practice_id.as_deref(), action, kind, id)?;
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

/// A counselor asking to change who is assigned to a record (admins only). The scoped query
/// `find` decides first, so a record they cannot see is a 404 like any other; one they can see
/// is a 403. Either is audited as a denied `assign`, and nothing changes.
pub async fn assign_refused<T>(
    db: &crate::db::Db,
    actor: Actor,
    kind: ResourceKind,
    id: String,
    find: impl FnOnce(&mut AnyConnection, &Actor) -> diesel::QueryResult<()> + Send + 'static,
) -> AppResult<T> {
    db.run(move |conn| {
        audited::<()>(conn, &actor, Target::new(Action::Assign, kind, Some(&id)), |conn| {
            find(conn, &actor)?;
            Err(AppError::Forbidden(ONLY_ADMINS_ASSIGN))
        })
    })
    .await
    .and(Err(AppError::Forbidden(ONLY_ADMINS_ASSIGN)))
}
