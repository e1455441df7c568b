use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::consent::{ReleaseId, ReleaseStatus};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::{date, ResourceKind, Role};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::disclosure::{self, Window};
use crate::store::{disclosure_document, releases, sessions};
use crate::views::releases::PortalRelease;
use crate::views::releases_preview::{for_client, ReleasePreview};

/// What the recipient of a release will get, for one of the clients who must authorize it:
/// the records as a disclosure now would carry them, except what the caller's portal never
/// shows them (mediation notes, questionnaires their partner answered, sessions and summaries
/// they did not attend), which are counted in `withheld`, never shown. Only while the release
/// can still be disclosed (pending or authorized; else 409). Another client's release: 404.
#[utoipa::path(get, operation_id = "preview_portal_release", path = "/api/v1/portal/releases/{id}/preview", tag = "portal",
    params(("id" = ReleaseId, Path)), responses((status = 200, body = ReleasePreview),
        (status = 409, body = crate::problem::Problem, content_type = "application/problem+json",
            description = "Disclosed, revoked or expired: nothing is left to preview")))]
pub async fn preview(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<ReleaseId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view =
        audit::read(&state.db, client.0, Action::Read, ResourceKind::Release, Some(id.clone()), move |conn, client| {
            let me = client.client_id.clone().ok_or(AppError::NotFound)?;
            let row = releases::find_for_client(conn, client, &id)?.ok_or(AppError::NotFound)?;
            let today = date::today();
            match ReleaseStatus::effective(row.status, &row.expires_on, today) {
                ReleaseStatus::Pending | ReleaseStatus::Authorized => {}
                ReleaseStatus::Disclosed => {
                    return Err(AppError::Conflict("This release was already disclosed.".into()))
                }
                ReleaseStatus::Revoked => return Err(AppError::Conflict("This release was revoked.".into())),
                ReleaseStatus::Expired => return Err(AppError::Conflict("This release has expired.".into())),
            }
            let subject = row.subject();
            // Collected in the scope of a staff member assigned to the subject, as a disclosure
            // would be; with nobody assigned, nothing can be disclosed and nothing is collected.
            let counselor = disclosure_document::a_counselor_of(conn, &subject)?.unwrap_or_default();
            let mut scope = client.clone();
            scope.user_id = UserId::from_db(counselor);
            scope.role = Role::Counselor;
            scope.client_id = None;
            let window = Window::of(row.from_on.as_deref(), row.to_on.as_deref());
            let collected =
                disclosure::collect(conn, &scope, &subject, window, &row.include(), row.include_mediation_notes)?;
            let summary_sessions: Vec<SessionId> =
                collected.summaries.iter().flatten().map(|s| s.session_id.clone()).collect();
            let attended = sessions::attendees(conn, &summary_sessions)?;
            let (records, withheld) = for_client(collected, &me, &attended);
            let auths = releases::authorizers(conn, std::slice::from_ref(&row.id))?;
            Ok(ReleasePreview { release: PortalRelease::new(row, &auths, &me, today), records, withheld })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
