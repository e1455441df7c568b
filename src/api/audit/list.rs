use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;
use validator::Validate;

use crate::audit::Action;
use crate::auth::Admin;
use crate::domain::ids::{ClientId, UserId};
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::audit::{self, Filter};
use crate::views::identity::{AuditEventList, AuditEventView};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAuditQuery {
    pub actor_id: Option<UserId>,
    /// A word outside the vocabulary is a 400.
    pub resource_type: Option<ResourceKind>,
    /// The id of a resource of any kind.
    pub resource_id: Option<Uuid>,
    pub action: Option<Action>,
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Events whose subjects include this client (filled when an event is sealed, within about
    /// a second of being written).
    pub subject_id: Option<ClientId>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The practice's audit trail, newest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(ListAuditQuery),
    responses((status = 200, body = AuditEventList)))]
pub async fn list(
    state: web::Data<AppState>,
    admin: Admin,
    query: ValidQuery<ListAuditQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    if let Some(subject) = q.subject_id.as_ref().map(|v| v.to_string()) {
        // Listing a client's events is reading about the client: audited (so it shows in the
        // client's access report), and a client the caller may not see is a denial (404).
        let id = subject.clone();
        crate::audit::read(
            &state.db,
            admin.0.clone(),
            Action::List,
            ResourceKind::AuditEvent,
            Some(id),
            move |conn, a| match crate::auth::access::client_visible(conn, a, &subject)? {
                true => Ok(()),
                false => Err(crate::problem::AppError::NotFound),
            },
        )
        .await?;
    }
    let page = PageRequest::parse("audit-events", 1, q.limit, q.cursor.as_deref())?;
    let filter = Filter {
        actor_id: q.actor_id,
        resource_type: q.resource_type,
        resource_id: q.resource_id.map(|v| v.to_string()),
        action: q.action,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
        subject_id: q.subject_id.map(|v| v.to_string()),
    };
    let page = state
        .db
        .run_as(admin.live(), move |conn| {
            let rows = audit::list(conn, &admin.practice_id, &filter, &page)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
            let mut subjects = crate::store::audit_subjects::subjects_of(conn, &ids)?;
            let actors = rows.iter().filter_map(|r| r.actor_id.clone());
            let names = crate::store::names::users(conn, &admin.practice_id, actors)?;
            Ok(page.finish(
                rows,
                |r| vec![r.id.to_string()],
                |r| {
                    let subject_ids = subjects.remove(r.id.as_str()).unwrap_or_default();
                    AuditEventView::from(r).with_subjects(subject_ids).with_actor_name(&names)
                },
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(AuditEventList { items: page.items, next_cursor: page.next_cursor }))
}
