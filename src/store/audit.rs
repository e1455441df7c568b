use diesel::prelude::*;

use crate::db::schema::audit_events as a;
use crate::db::AnyConnection;
use crate::pagination::PageRequest;
use crate::problem::AppResult;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = a)]
pub struct AuditRow {
    pub id: String,
    pub at: chrono::NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub outcome: String,
    pub request_id: String,
    pub ip: Option<String>,
}

#[derive(Default)]
pub struct Filter {
    pub actor_id: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<chrono::NaiveDateTime>,
    pub to: Option<chrono::NaiveDateTime>,
}

/// A practice's events, newest first (ids are UUIDv7, so id order is time order).
pub fn list(conn: &mut AnyConnection, practice_id: &str, f: &Filter, page: &PageRequest) -> AppResult<Vec<AuditRow>> {
    let mut q = a::table.filter(a::practice_id.eq(practice_id)).select(AuditRow::as_select()).into_boxed();
    if let Some(v) = &f.actor_id {
        q = q.filter(a::actor_id.eq(v.clone()));
    }
    if let Some(v) = &f.resource_type {
        q = q.filter(a::resource_type.eq(v.clone()));
    }
    if let Some(v) = &f.resource_id {
        q = q.filter(a::resource_id.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        q = q.filter(a::action.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(a::at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(a::at.lt(v));
    }
    if let Some(after) = &page.after {
        q = q.filter(a::id.lt(after[0].clone()));
    }
    Ok(q.order(a::id.desc()).limit(page.fetch()).load(conn)?)
}
