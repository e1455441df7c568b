use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::{Actor, PortalClient};
use crate::db::AnyConnection;
use crate::domain::consent::ReleaseId;
use crate::domain::consent::{day, ReleaseStatus, SignedName};
use crate::domain::date;
use crate::domain::value::parsed;
use crate::domain::webhooks::EventType;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::releases;
use crate::views::releases::PortalRelease;
use crate::webhooks::outbox;
use validator::Validate;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeReleaseRequest {
    /// The caller's name, typed as a signature.
    #[validate(custom(function = "SignedName::check"))]
    #[schema(value_type = SignedName)]
    pub signed_name: String,
}

/// The portal view of a release the caller may see (a required authorizer).
pub(crate) fn portal_view(conn: &mut AnyConnection, client: &Actor, id: &str) -> AppResult<PortalRelease> {
    let me = client.client_id.clone().ok_or(AppError::NotFound)?;
    let row = releases::find_for_client(conn, client, id)?.ok_or(AppError::NotFound)?;
    let auths = releases::authorizers(conn, std::slice::from_ref(&row.id))?;
    Ok(PortalRelease::new(row, &auths, &me, date::today()))
}

/// Authorize a release of the caller's records (their own, or their couple's: then both
/// partners must). The caller authorizes only in their own name; when every required client
/// has authorized, the release is `authorized`. A revoked, disclosed or expired release: 409.
/// Authorizing again changes nothing.
#[utoipa::path(post, operation_id = "authorize_portal_release", path = "/api/v1/portal/releases/{id}/authorize", tag = "portal",
    params(("id" = ReleaseId, Path)), request_body = AuthorizeReleaseRequest, responses((status = 200, body = PortalRelease)))]
pub async fn authorize(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<ReleaseId>,
    body: ValidJson<AuthorizeReleaseRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let signed_name = parsed("signed_name", SignedName::parse(body.into_inner().signed_name))?;
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &client, Target::new(Action::Authorize, ResourceKind::Release, Some(&id)), |conn| {
                let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                let current = releases::find_for_client(conn, &client, &id)?.ok_or(AppError::NotFound)?;
                // Serializes this release's authorizations, so the last one sees all the others.
                releases::lock(conn, &id)?;
                let current = releases::find_for_client(conn, &client, &current.id)?.ok_or(AppError::NotFound)?;
                let today = date::today();
                match ReleaseStatus::effective(current.status, &current.expires_on, today) {
                    ReleaseStatus::Pending => {}
                    // Every required client, the caller included, has authorized already.
                    ReleaseStatus::Authorized => return portal_view(conn, &client, &id),
                    ReleaseStatus::Expired => return Err(AppError::Conflict("This release has expired.".into())),
                    ReleaseStatus::Revoked => return Err(AppError::Conflict("This release was revoked.".into())),
                    ReleaseStatus::Disclosed => {
                        return Err(AppError::Conflict("This release was already disclosed.".into()))
                    }
                }
                if !releases::authorize(conn, &id, &me, signed_name.as_str(), client.meta.ip.as_deref())? {
                    return portal_view(conn, &client, &id);
                }
                let complete = releases::unauthorized_count(conn, &id)? == 0;
                // Still pending at this version and not expired, or a racing change won: 409.
                if !releases::record_authorization(conn, &id, current.version, &day(today), complete)? {
                    return Err(AppError::Conflict("The release changed; it can no longer be authorized.".into()));
                }
                if complete {
                    outbox::emit_event(conn, &client.practice_id, EventType::ReleaseAuthorized, &id)?;
                }
                portal_view(conn, &client, &id)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
