use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::view;
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::ids::{AddendumId, NoteId};
use crate::domain::value::parsed;
use crate::domain::value_sessions::NoteBody;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes;
use crate::views::sessions::NoteView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumRequest {
    #[validate(custom(function = "NoteBody::check"))]
    #[schema(value_type = NoteBody)]
    pub body: String,
}

/// Add an addendum to a signed note (any assigned staff member; a draft is a 409). Answers the
/// whole note with the new addendum last.
#[utoipa::path(post, path = "/api/v1/notes/{id}/addenda", tag = "notes", params(("id" = NoteId, Path)),
    request_body = AddendumRequest, responses((status = 201, body = NoteView), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<NoteId>,
    body: ValidJson<AddendumRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let text = parsed("body", NoteBody::parse(body.into_inner().body))?;
    let addendum_id = AddendumId::new();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Note, Some(&id)), |conn| {
                let note = notes::find_visible(conn, &staff, &id)?;
                if !note.is_signed() {
                    return Err(AppError::Conflict("Addenda go on signed notes; edit the draft instead.".into()));
                }
                notes::add_addendum(conn, &note, &addendum_id, &staff.user_id, &text)?;
                let row = notes::find_visible(conn, &staff, &id)?;
                view(conn, row)
            })
        })
        .await?;
    let location = format!("{API}/notes/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
