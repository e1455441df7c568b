use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{lost_race, staff_view, status_conflict};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::letters::{LetterComment, LetterId, LetterStatus};
use crate::domain::value::parsed;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::letters;
use crate::views::letters::StaffLetter;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLetterRequest {
    /// For the author: what to work on.
    #[validate(custom(function = "LetterComment::check"))]
    #[schema(value_type = LetterComment)]
    pub comment: String,
}

/// Return a submitted letter to its author with a comment (`submitted` -> `returned`). The
/// author sees the comment and may edit and submit again; the other partner sees nothing.
#[utoipa::path(post, path = "/api/v1/letters/{id}/return", tag = "letters", params(("id" = LetterId, Path)),
    request_body = ReturnLetterRequest, responses((status = 200, body = StaffLetter)))]
pub async fn send_back(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<LetterId>,
    if_match: IfMatch,
    body: ValidJson<ReturnLetterRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let comment = parsed("comment", LetterComment::parse(body.into_inner().comment))?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Return, ResourceKind::Letter, Some(id.as_str())), |conn| {
                let current = letters::find_for_staff(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if current.status != LetterStatus::Submitted {
                    return Err(status_conflict(current.status, "returned"));
                }
                if_match.check(current.version)?;
                if !letters::return_to_author(conn, &id, current.version, &comment)? {
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
