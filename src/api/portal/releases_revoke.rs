use actix_web::{web, HttpResponse};

use super::releases_authorize::portal_view;
use crate::audit::{audited, Action, Target};
use crate::auth::PortalClient;
use crate::domain::consent::ReleaseId;
use crate::domain::consent::ReleaseStatus;
use crate::domain::date;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::releases;
use crate::views::releases::PortalRelease;

/// Revoke a release of the caller's records before it is disclosed: `revoked` is final. Any
/// required authorizer may revoke, whether or not they had authorized. A disclosed or already
/// revoked release: 409.
#[utoipa::path(post, operation_id = "revoke_portal_release", path = "/api/v1/portal/releases/{id}/revoke", tag = "portal",
    params(("id" = ReleaseId, Path)), responses((status = 200, body = PortalRelease)))]
pub async fn revoke(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<ReleaseId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &client, Target::new(Action::Revoke, ResourceKind::Release, Some(&id)), |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                let current = releases::find_for_client(conn, &client, &id)?.ok_or(AppError::NotFound)?;
                match ReleaseStatus::effective(current.status, &current.expires_on, date::today()) {
                    ReleaseStatus::Pending | ReleaseStatus::Authorized | ReleaseStatus::Expired => {}
                    ReleaseStatus::Revoked => {
                        return Err(AppError::Conflict("This release was already revoked.".into()))
                    }
                    ReleaseStatus::Disclosed => {
                        return Err(AppError::Conflict("This release was already disclosed.".into()))
                    }
                }
                // Only from pending or authorized at this version: a racing disclose wins or loses whole.
                if !releases::revoke(conn, &id, current.version, &me)? {
                    return Err(AppError::Conflict("The release changed; read it again.".into()));
                }
                portal_view(conn, &client, &id)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
