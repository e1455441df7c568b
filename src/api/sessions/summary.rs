use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view;
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions;
use crate::views::sessions::SessionView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryRequest {
    /// 1 to 20000 characters, not blank, stored exactly as sent.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub text: String,
}

/// Write (or rewrite) the session summary as a draft the attendees do not see.
///
/// Writing over a summary that was already shared makes it a draft again (`shared_at` null):
/// clients never see text a counselor has not shared; share it again to show the new text.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/summary", tag = "sessions", params(("id" = Uuid, Path)),
    request_body = SummaryRequest, responses((status = 200, body = SessionView)))]
pub async fn put(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<SummaryRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([text::required("text", &req.text, 20_000)])?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Update, ResourceKind::Session, Some(&id)), |conn| {
                let current = sessions::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                if !sessions::set_summary(conn, &id, current.version, &req.text, None)? {
                    return Err(AppError::PreconditionFailed);
                }
                let row = sessions::find_visible(conn, &staff, &id)?.ok_or(AppError::NotFound)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
