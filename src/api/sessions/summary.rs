use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::view;
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::SessionId;
use crate::domain::value::parsed;
use crate::domain::value_sessions::SummaryText;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, SummaryChanges};
use crate::views::sessions::SessionView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryRequest {
    #[validate(custom(function = "SummaryText::check"))]
    #[schema(value_type = SummaryText)]
    pub text: String,
}

/// Write (or rewrite) the session summary as a draft the attendees do not see.
///
/// Writing over a summary that was already shared makes it a draft again (`shared_at` null):
/// clients never see text a counselor has not shared; share it again to show the new text.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/summary", tag = "sessions", params(("id" = SessionId, Path)),
    request_body = SummaryRequest, responses((status = 200, body = SessionView)))]
pub async fn put(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<SessionId>,
    if_match: IfMatch,
    body: ValidJson<SummaryRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let text = parsed("text", SummaryText::parse(body.into_inner().text))?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Session, Some(&id)), |conn| {
                let current = sessions::find_visible(conn, &staff, &id)?;
                if_match.check(current.version)?;
                let changes = SummaryChanges {
                    summary_text: text,
                    summary_shared_at: None,
                    version: current.version + 1,
                    updated_at: now(),
                };
                if !sessions::set_summary(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = sessions::find_visible(conn, &staff, &id)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
