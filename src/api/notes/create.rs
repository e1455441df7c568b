use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{items, MAX_BODY};
use crate::audit::{audited_under, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::session::RiskLevel;
use crate::domain::text;
use crate::domain::ResourceKind;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes::{self, NewNote};
use crate::store::sessions;
use crate::views::sessions::NoteView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNoteRequest {
    /// 1 to 50000 characters, not blank, stored exactly as sent.
    #[schema(min_length = 1, max_length = 50000, pattern = r"\S")]
    pub body: String,
    /// At most 50, each 1 to 200 characters.
    #[serde(default)]
    #[schema(schema_with = crate::api::sessions::docs::topics)]
    pub topics: Vec<String>,
    /// At most 50, each 1 to 2000 characters.
    #[serde(default)]
    #[schema(schema_with = crate::api::sessions::docs::agreements)]
    pub agreements: Vec<String>,
    pub risk_level: Option<RiskLevel>,
}

/// Write a mediation note on a session, as a draft by the caller.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/notes", tag = "notes", params(("id" = Uuid, Path)),
    request_body = CreateNoteRequest, responses((status = 201, body = NoteView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<Uuid>,
    body: web::Json<CreateNoteRequest>,
) -> AppResult<HttpResponse> {
    let session_id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([
        text::required("body", &req.body, MAX_BODY),
        items("topics", &req.topics, 200),
        items("agreements", &req.agreements, 2000),
    ])?;
    let id = new_id();
    let view = state
        .db
        .run(move |conn| {
            // A session the caller may not see: a denied create, logged with the session's id.
            let on_session = Target::new(Action::Create, ResourceKind::Session, Some(&session_id));
            audited_under(
                conn,
                &staff,
                Target::new(Action::Create, ResourceKind::Note, Some(&id)),
                on_session,
                |conn| {
                    let session = sessions::find_visible(conn, &staff, &session_id)?.ok_or(AppError::NotFound)?;
                    let row = notes::create(
                        conn,
                        &NewNote {
                            id: &id,
                            practice_id: &staff.practice_id,
                            session_id: &session.id,
                            couple_id: session.couple_id.as_deref(),
                            client_id: session.client_id.as_deref(),
                            author_id: &staff.user_id,
                            body: &req.body,
                            topics: &req.topics,
                            agreements: &req.agreements,
                            risk_level: req.risk_level.map(RiskLevel::as_str),
                        },
                    )?;
                    // A new note has no addenda yet.
                    Ok(NoteView::new(row, Vec::new()))
                },
            )
        })
        .await?;
    let location = format!("{API}/notes/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
