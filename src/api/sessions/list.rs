use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::create::uuid_field;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::session::{self as domain, SessionStatus};
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, ListFilter};
use crate::views::sessions::{SessionList, SessionView};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSessionsQuery {
    #[param(format = Uuid)]
    pub couple_id: Option<String>,
    #[param(format = Uuid)]
    pub client_id: Option<String>,
    #[param(format = Uuid)]
    pub counselor_id: Option<String>,
    pub status: Option<SessionStatus>,
    /// Sessions starting at or after this RFC 3339 instant.
    #[param(format = DateTime, pattern = r"^(19|2[0-9])[0-9]{2}-")]
    pub from: Option<String>,
    /// Sessions starting before this RFC 3339 instant.
    #[param(format = DateTime, pattern = r"^(19|2[0-9])[0-9]{2}-")]
    pub to: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Sessions on the caller's caseload, ordered by starts_at, id.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", params(ListSessionsQuery),
    responses((status = 200, body = SessionList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ListSessionsQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("sessions", 2, q.limit, q.cursor.as_deref())?;
    let ids = [("couple_id", &q.couple_id), ("client_id", &q.client_id), ("counselor_id", &q.counselor_id)]
        .map(|(field, v)| v.as_deref().map(|v| uuid_field(field, v)).transpose());
    let from = q.from.as_deref().map(|v| domain::instant("from", v)).transpose();
    let to = q.to.as_deref().map(|v| domain::instant("to", v)).transpose();
    text::collect(
        ids.iter()
            .map(|r| r.as_ref().map(|_| ()).map_err(Clone::clone))
            .chain([from.as_ref().map(|_| ()).map_err(Clone::clone), to.as_ref().map(|_| ()).map_err(Clone::clone)]),
    )?;
    let one = |e| AppError::Validation(vec![e]);
    let [couple_id, client_id, counselor_id] = ids;
    let filter = ListFilter {
        couple_id: couple_id.map_err(one)?,
        client_id: client_id.map_err(one)?,
        counselor_id: counselor_id.map_err(one)?,
        status: q.status,
        from: from.map_err(one)?,
        to: to.map_err(one)?,
    };
    let page = audit::read(&state.db, staff.0, Action::List, ResourceKind::Session, None, move |conn, staff| {
        let rows = sessions::list(conn, staff, &filter, &page)?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut attendees = sessions::attendees(conn, &ids)?;
        Ok(page.finish(rows, sessions::list_key, SessionView::with(&mut attendees)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(SessionList { items: page.items, next_cursor: page.next_cursor }))
}
