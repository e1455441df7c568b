use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{view, MAX_BODY};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes;
use crate::views::sessions::NoteView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumRequest {
    /// 1 to 50000 characters, not blank, stored exactly as sent.
    #[schema(min_length = 1, max_length = 50000, pattern = r"\S")]
    pub body: String,
}

/// Add an addendum to a signed note (any assigned staff member; a draft is a 409). Answers the
/// whole note with the new addendum last.
#[utoipa::path(post, path = "/api/v1/notes/{id}/addenda", tag = "notes", params(("id" = Uuid, Path)),
    request_body = AddendumRequest, responses((status = 201, body = NoteView), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    body: web::Json<AddendumRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([text::required("body", &req.body, MAX_BODY)])?;
    let addendum_id = new_id();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Note, Some(&id)), |conn| {
                let note = notes::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if !note.is_signed() {
                    return Err(AppError::Conflict("Addenda go on signed notes; edit the draft instead.".into()));
                }
                notes::add_addendum(conn, &note, &addendum_id, &staff.user_id, &req.body)?;
                let row = notes::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                view(conn, row)
            })
        })
        .await?;
    let location = format!("{API}/notes/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
