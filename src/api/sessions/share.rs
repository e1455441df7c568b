use actix_web::{web, HttpResponse};

use super::view;
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::now;
use crate::domain::ids::SessionId;
use crate::domain::value::parsed;
use crate::domain::value_sessions::SummaryText;
use crate::domain::webhooks::EventType;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sessions::{self, SummaryChanges};
use crate::views::sessions::SessionView;
use crate::webhooks::outbox;

/// Share the summary with the session's attendees (they see it in the portal from now on).
/// Sharing with no summary is a 409; sharing an already shared summary changes nothing.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/summary/share", tag = "sessions", params(("id" = SessionId, Path)),
    responses((status = 200, body = SessionView), (status = 409, body = crate::problem::Problem)))]
pub async fn share(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<SessionId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Share, ResourceKind::Session, Some(&id)), |conn| {
                let current = sessions::find_visible(conn, &staff, &id)?;
                if_match.check(current.version)?;
                let Some(text) = current.summary_text else {
                    return Err(AppError::Conflict("The session has no summary to share.".into()));
                };
                if current.summary_shared_at.is_none() {
                    let at = now();
                    let changes = SummaryChanges {
                        // The stored text was checked when it was written.
                        summary_text: parsed("text", SummaryText::parse(text))?,
                        summary_shared_at: Some(at),
                        version: current.version + 1,
                        updated_at: at,
                    };
                    if !sessions::set_summary(conn, &id, current.version, &changes)? {
                        return Err(AppError::PreconditionFailed);
                    }
                    outbox::emit_event(conn, &staff.practice_id, EventType::SummaryShared, &id)?;
                }
                let row = sessions::find_visible(conn, &staff, &id)?;
                view(conn, row)
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
