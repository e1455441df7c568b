use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::view;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes;
use crate::views::sessions::NoteView;

/// One mediation note; for a signed note, `integrity` is recomputed on this read.
#[utoipa::path(get, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path)),
    responses((status = 200, body = NoteView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view =
        audit::read(&state.db, staff.0, Action::Read, ResourceKind::Note, Some(id.clone()), move |conn, staff| {
            let row = notes::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
            view(conn, row)
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
