use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::SessionId;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::{notes, sessions};
use crate::views::sessions::{NoteList, NotePage};

/// No rules beyond the types (the page's are `PageRequest`'s), so a plain `web::Query`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListNotesQuery {
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The session's mediation notes with their addenda, in creation order.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/notes", tag = "notes", params(("id" = SessionId, Path), ListNotesQuery),
    responses((status = 200, body = NoteList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<SessionId>,
    query: web::Query<ListNotesQuery>,
) -> AppResult<HttpResponse> {
    let session_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("notes", 2, q.limit, q.cursor.as_deref())?;
    let page = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Note,
        Some(session_id.to_string()),
        move |conn, staff| {
            // A session the caller may not see is a 404 (diesel's NotFound).
            sessions::find_visible(conn, staff, &session_id)?;
            let rows = notes::list_for_session(conn, staff, &session_id, &page)?;
            let mut names = NotePage::load(conn, &rows)?;
            Ok(page.finish(rows, notes::list_key, |r| names.view(r)))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(NoteList { items: page.items, next_cursor: page.next_cursor }))
}
