use diesel::prelude::*;

use crate::db::schema::audit_events as a;
use crate::db::AnyConnection;
use crate::db::{new_id, now};
use crate::domain::audit::{Action, AuditContext, Outcome};
use crate::domain::ids::{AuditEventId, PracticeId, UserId};
use crate::domain::{ResourceKind, Role};
use crate::pagination::PageRequest;
use crate::problem::AppResult;

/// Writes one event. Every event in Mend goes through here.
pub fn record(
    conn: &mut AnyConnection,
    ctx: &AuditContext,
    action: Action,
    resource_type: ResourceKind,
    resource_id: Option<&str>,
    outcome: Outcome,
) -> QueryResult<()> {
    diesel::insert_into(a::table)
        .values((
            a::id.eq(new_id()),
            a::practice_id.eq(&ctx.practice_id),
            a::at.eq(now()),
            a::actor_id.eq(&ctx.actor_id),
            a::actor_role.eq(&ctx.actor_role),
            a::action.eq(action.as_str()),
            a::resource_type.eq(resource_type),
            a::resource_id.eq(resource_id),
            a::outcome.eq(outcome.as_str()),
            a::request_id.eq(&ctx.request_id),
            a::ip.eq(&ctx.ip),
        ))
        .execute(conn)
        .map(|_| ())
}

/// One event. Its words are read as vocabularies: a stored word outside its set is a read
/// error, never a default.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = a)]
pub struct AuditRow {
    pub id: AuditEventId,
    pub at: chrono::NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor_role: Option<Role>,
    pub action: Action,
    pub resource_type: ResourceKind,
    /// The id of a resource of any kind (a UUID as text).
    pub resource_id: Option<String>,
    pub outcome: Outcome,
    pub request_id: String,
    pub ip: Option<String>,
}

#[derive(Default)]
pub struct Filter {
    pub actor_id: Option<UserId>,
    pub resource_type: Option<ResourceKind>,
    pub resource_id: Option<String>,
    pub action: Option<Action>,
    pub from: Option<chrono::NaiveDateTime>,
    pub to: Option<chrono::NaiveDateTime>,
    /// Events whose subjects include this client (sealed events only: `store::audit_chain`).
    pub subject_id: Option<String>,
}

/// A practice's events, newest first (ids are UUIDv7, so id order is time order).
#[tracing::instrument(skip_all, fields(practice.id = %practice_id))]
pub fn list(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    f: &Filter,
    page: &PageRequest,
) -> AppResult<Vec<AuditRow>> {
    let mut q = a::table.filter(a::practice_id.eq(practice_id)).select(AuditRow::as_select()).into_boxed();
    if let Some(v) = &f.actor_id {
        q = q.filter(a::actor_id.eq(v.clone()));
    }
    if let Some(v) = f.resource_type {
        q = q.filter(a::resource_type.eq(v));
    }
    if let Some(v) = &f.resource_id {
        q = q.filter(a::resource_id.eq(v.clone()));
    }
    if let Some(v) = f.action {
        q = q.filter(a::action.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(a::at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(a::at.lt(v));
    }
    if let Some(v) = &f.subject_id {
        use crate::db::schema::audit_subjects as s;
        q = q.filter(a::id.eq_any(s::table.filter(s::client_id.eq(v.clone())).select(s::event_id)));
    }
    if let Some(after) = &page.after {
        q = q.filter(a::id.lt(after[0].clone()));
    }
    Ok(q.order(a::id.desc()).limit(page.fetch()).load(conn)?)
}
