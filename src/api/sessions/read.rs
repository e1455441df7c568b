use actix_web::{web, HttpResponse};

use super::view;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::SessionId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::sessions;
use crate::views::sessions::SessionView;

/// One session, with its summary (draft or shared).
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = SessionId, Path)),
    responses((status = 200, body = SessionView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<SessionId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Session,
        Some(id.to_string()),
        move |conn, staff| {
            let row = sessions::find_visible(conn, staff, &id)?;
            view(conn, row)
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
