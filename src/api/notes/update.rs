use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{author_only, signed_conflict, view};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::NoteId;
use crate::domain::patch::nullable;
use crate::domain::session::RiskLevel;
use crate::domain::value::parsed;
use crate::domain::value_sessions::{Agreements, NoteBody, Topics};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes::{self, DraftChanges};
use crate::views::sessions::NoteView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNoteRequest {
    #[validate(custom(function = "NoteBody::check"))]
    #[schema(value_type = Option<NoteBody>)]
    pub body: Option<String>,
    #[validate(custom(function = "Topics::check"))]
    #[schema(value_type = Option<Topics>)]
    pub topics: Option<Vec<String>>,
    #[validate(custom(function = "Agreements::check"))]
    #[schema(value_type = Option<Agreements>)]
    pub agreements: Option<Vec<String>>,
    /// null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(nullable)]
    pub risk_level: Option<Option<RiskLevel>>,
}

/// The checked request: each present field as its domain value.
struct Patch {
    body: Option<NoteBody>,
    topics: Option<Topics>,
    agreements: Option<Agreements>,
    risk_level: Option<Option<RiskLevel>>,
}

impl TryFrom<UpdateNoteRequest> for Patch {
    type Error = AppError;
    fn try_from(r: UpdateNoteRequest) -> AppResult<Patch> {
        Ok(Patch {
            body: r.body.map(|v| parsed("body", NoteBody::parse(v))).transpose()?,
            topics: r.topics.map(|v| parsed("topics", Topics::parse(v))).transpose()?,
            agreements: r.agreements.map(|v| parsed("agreements", Agreements::parse(v))).transpose()?,
            risk_level: r.risk_level,
        })
    }
}

/// Edit a draft note (author only; a signed note is a 409).
#[utoipa::path(patch, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = NoteId, Path)),
    request_body = UpdateNoteRequest, responses((status = 200, body = NoteView)))]
pub async fn update(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<NoteId>,
    if_match: IfMatch,
    body: ValidJson<UpdateNoteRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = Patch::try_from(body.into_inner())?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Note, Some(&id)), |conn| {
                let current = notes::find_visible(conn, &staff, &id)?;
                author_only(&current, &staff.user_id)?;
                if current.is_signed() {
                    return Err(signed_conflict());
                }
                if_match.check(current.version)?;
                let topics = patch.topics.map_or_else(|| current.topics(), Topics::into_vec);
                let agreements = patch.agreements.map_or_else(|| current.agreements(), Agreements::into_vec);
                // The stored body was checked when it was written.
                let body = match patch.body {
                    Some(b) => b,
                    None => parsed("body", NoteBody::parse(current.body))?,
                };
                let changes = DraftChanges::new(
                    body,
                    &topics,
                    &agreements,
                    patch.risk_level.unwrap_or(current.risk_level),
                    current.version + 1,
                    now(),
                );
                if !notes::update_draft(conn, &id, current.version, &changes)? {
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
