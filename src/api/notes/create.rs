use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited_under, Action, Target};
use crate::auth::Staff;
use crate::domain::ids::{NoteId, SessionId};
use crate::domain::session::RiskLevel;
use crate::domain::value::parsed;
use crate::domain::value_sessions::{Agreements, NoteBody, Topics};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::notes::{self, NewNote};
use crate::store::sessions;
use crate::views::sessions::{NotePage, NoteView};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNoteRequest {
    #[validate(custom(function = "NoteBody::check"))]
    #[schema(value_type = NoteBody)]
    pub body: String,
    #[serde(default)]
    #[validate(custom(function = "Topics::check"))]
    #[schema(value_type = Topics)]
    pub topics: Vec<String>,
    #[serde(default)]
    #[validate(custom(function = "Agreements::check"))]
    #[schema(value_type = Agreements)]
    pub agreements: Vec<String>,
    pub risk_level: Option<RiskLevel>,
}

/// The checked request.
struct Checked {
    body: NoteBody,
    topics: Topics,
    agreements: Agreements,
    risk_level: Option<RiskLevel>,
}

impl TryFrom<CreateNoteRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateNoteRequest) -> AppResult<Checked> {
        Ok(Checked {
            body: parsed("body", NoteBody::parse(r.body))?,
            topics: parsed("topics", Topics::parse(r.topics))?,
            agreements: parsed("agreements", Agreements::parse(r.agreements))?,
            risk_level: r.risk_level,
        })
    }
}

/// Write a mediation note on a session, as a draft by the caller.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/notes", tag = "notes", params(("id" = SessionId, Path)),
    request_body = CreateNoteRequest, responses((status = 201, body = NoteView)))]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<SessionId>,
    body: ValidJson<CreateNoteRequest>,
) -> AppResult<HttpResponse> {
    let session_id = path.into_inner();
    let req = Checked::try_from(body.into_inner())?;
    let id = NoteId::new();
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
                    let session = sessions::find_visible(conn, &staff, &session_id)?;
                    let new = NewNote::draft(
                        id.clone(),
                        &session,
                        staff.user_id.clone(),
                        req.body,
                        &req.topics,
                        &req.agreements,
                        req.risk_level,
                    );
                    let row = notes::create(conn, new)?;
                    let mut page = NotePage::new_note(conn, &row)?;
                    Ok(page.view(row))
                },
            )
        })
        .await?;
    let location = format!("{API}/notes/{}", view.id);
    let version = view.version;
    Ok(created(&view, location, Some(version)))
}
