use actix_web::{web, HttpResponse};

use super::{author_only, signed_conflict, view};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::ids::NoteId;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes;
use crate::views::sessions::NoteView;

/// Sign a draft note (author only). It is locked for good; its content hash is sealed.
#[utoipa::path(post, path = "/api/v1/notes/{id}/sign", tag = "notes", params(("id" = NoteId, Path)),
    responses((status = 200, body = NoteView), (status = 409, body = crate::problem::Problem)))]
pub async fn sign(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<NoteId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Sign, ResourceKind::Note, Some(&id)), |conn| {
                let current = notes::find_visible(conn, &staff, &id)?;
                author_only(&current, &staff.user_id)?;
                if current.is_signed() {
                    return Err(signed_conflict());
                }
                if_match.check(current.version)?;
                if !notes::sign(conn, &current, &staff.user_id)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = notes::find_visible(conn, &staff, &id)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
