use actix_web::{web, HttpResponse};

use super::{lost_race, staff_view, status_conflict};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::letters::{LetterId, LetterStatus};
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::StaffLetter;

/// Release a submitted letter to the other partner (`submitted` -> `released`). From now the
/// other partner sees its released text (no revisions, no comment); it is locked for good.
#[utoipa::path(post, path = "/api/v1/letters/{id}/release", tag = "letters", params(("id" = LetterId, Path)),
    responses((status = 200, body = StaffLetter)))]
pub async fn release(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<LetterId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Release, ResourceKind::Letter, Some(id.as_str())), |conn| {
                let current = letters::find_for_staff(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if current.status != LetterStatus::Submitted {
                    return Err(status_conflict(current.status, "released"));
                }
                if_match.check(current.version)?;
                if !letters::release(conn, &id, current.version)? {
                    return Err(lost_race());
                }
                let row = letters::find_for_staff(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                staff_view(conn, &staff.practice_id, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
