use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::PortalClient;
use crate::domain::consent::SignedName;
use crate::domain::ids::CoupleId;
use crate::domain::value::parsed;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::consent;
use crate::views::consent::PortalConsent;
use validator::Validate;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignPolicyRequest {
    /// The caller's name, typed as a signature.
    #[validate(custom(function = "SignedName::check"))]
    #[schema(value_type = SignedName)]
    pub signed_name: String,
    /// The version the caller read and signs; it must be the current one (else 409).
    #[validate(range(min = 1))]
    #[schema(minimum = 1)]
    pub version: i64,
}

/// Sign the current version of one of the caller's couples' confidentiality policy. The
/// signature keeps the version, the time, the request's address and the SHA-256 of the exact
/// text signed. Signing a version that is no longer current is 409; signing again keeps the
/// first signature.
#[utoipa::path(post, operation_id = "sign_portal_consent", path = "/api/v1/portal/consents/{couple_id}/sign", tag = "portal",
    params(("couple_id" = CoupleId, Path)), request_body = SignPolicyRequest, responses((status = 200, body = PortalConsent)))]
pub async fn sign(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<CoupleId>,
    body: ValidJson<SignPolicyRequest>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner().to_string();
    let req = body.into_inner();
    let (version, signed_name) = (req.version, parsed("signed_name", SignedName::parse(req.signed_name))?);
    let view = state
        .db
        .run(move |conn| {
            audited(
                conn,
                &client,
                Target::new(Action::Sign, ResourceKind::ConfidentialityPolicy, Some(&couple_id)),
                |conn| {
                    let me = client.client_id.clone().ok_or(AppError::NotFound)?;
                    if !consent::is_partner(conn, &client, &couple_id)? {
                        return Err(AppError::NotFound);
                    }
                    // Serialized with policy changes: the version checked is the one signed.
                    consent::lock_couple(conn, &couple_id)?;
                    let current = consent::current_for_client(conn, &client, &couple_id)?.ok_or(AppError::NotFound)?;
                    if current.version != version {
                        return Err(AppError::Conflict(format!(
                            "Version {} is not the current policy; read it again and sign version {}.",
                            version, current.version
                        )));
                    }
                    consent::sign(conn, &current, &me, signed_name.as_str(), client.meta.ip.as_deref())?;
                    let mine = consent::signatures_by(conn, std::slice::from_ref(&current.id), &me)?;
                    Ok(PortalConsent::new(current, mine.first().map(|s| s.signed_at)))
                },
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
