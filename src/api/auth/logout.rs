use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{record, Action, AuditContext, Outcome};
use crate::auth::tokens::hash_opaque;
use crate::auth::RequestMeta;
use crate::db::write_tx;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::auth::{find_refresh, revoke_family};
use crate::store::users::find_by_id_for_auth;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    pub refresh_token: String,
}

/// End a login: the refresh token (and every token of its login) stops working.
///
/// Answers 204 whether or not the token was known, so it reveals nothing.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest, security(()),
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<LogoutRequest>,
) -> AppResult<HttpResponse> {
    let hash = hash_opaque(&body.into_inner().refresh_token);
    state
        .db
        .run(move |conn| {
            let Some(token) = find_refresh(conn, &hash)? else { return Ok(()) };
            let user = find_by_id_for_auth(conn, &token.user_id)?;
            let ctx = AuditContext {
                practice_id: user.as_ref().map(|u| u.practice_id.to_string()),
                actor_id: Some(token.user_id.to_string()),
                actor_role: user.as_ref().map(|u| u.role.as_str().to_string()),
                request_id: meta.request_id.clone(),
                ip: meta.ip.clone(),
            };
            write_tx(conn, |conn| {
                revoke_family(conn, &token.family_id)?;
                record(conn, &ctx, Action::Logout, ResourceKind::User, Some(&token.user_id), Outcome::Success)
            })?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
