use actix_web::{web, HttpResponse};

use super::view;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::NoteId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::notes;
use crate::views::sessions::NoteView;

/// One mediation note; for a signed note, `integrity` is recomputed on this read.
#[utoipa::path(get, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = NoteId, Path)),
    responses((status = 200, body = NoteView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<NoteId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view =
        audit::read(&state.db, staff.0, Action::Read, ResourceKind::Note, Some(id.to_string()), move |conn, staff| {
            let row = notes::find_visible(conn, staff, &id)?;
            view(conn, row)
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
