use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{author_only, items, nullable, signed_conflict, view, MAX_BODY};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::session::RiskLevel;
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes::{self, DraftChanges};
use crate::views::sessions::NoteView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNoteRequest {
    /// 1 to 50000 characters, not blank.
    #[schema(min_length = 1, max_length = 50000, pattern = r"\S")]
    pub body: Option<String>,
    #[schema(schema_with = crate::api::sessions::docs::topics_patch)]
    pub topics: Option<Vec<String>>,
    #[schema(schema_with = crate::api::sessions::docs::agreements_patch)]
    pub agreements: Option<Vec<String>>,
    /// null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub risk_level: Option<Option<RiskLevel>>,
}

/// Edit a draft note (author only; a signed note is a 409).
#[utoipa::path(patch, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path)),
    request_body = UpdateNoteRequest, responses((status = 200, body = NoteView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateNoteRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([
        req.body.as_deref().map_or(Ok(()), |b| text::required("body", b, MAX_BODY)),
        req.topics.as_deref().map_or(Ok(()), |t| items("topics", t, 200)),
        req.agreements.as_deref().map_or(Ok(()), |a| items("agreements", a, 2000)),
    ])?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Note, Some(&id)), |conn| {
                let current = notes::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                author_only(&current, &staff.user_id)?;
                if current.is_signed() {
                    return Err(signed_conflict());
                }
                if_match.check(current.version)?;
                let changes = DraftChanges {
                    topics: req.topics.unwrap_or_else(|| current.topics()),
                    agreements: req.agreements.unwrap_or_else(|| current.agreements()),
                    risk_level: match req.risk_level {
                        Some(r) => r.map(|r| r.as_str().to_string()),
                        None => current.risk_level.clone(),
                    },
                    body: req.body.unwrap_or(current.body),
                };
                if !notes::update_draft(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = notes::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
