use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{record, Action, AuditContext, Outcome};
use crate::auth::session::issue_pair;
use crate::auth::tokens::hash_opaque;
use crate::auth::RequestMeta;
use crate::db::{now, write_tx};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{find_refresh, mark_used, revoke_family};
use crate::views::identity::TokenPair;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Trade a refresh token for a new pair.
///
/// A refresh token works once. Presenting one that was already used revokes every token of
/// that login (reuse detection, RFC 9700) and answers 401.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, security(()),
    responses((status = 200, body = TokenPair), (status = 401, body = crate::problem::Problem)))]
pub async fn refresh(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let hash = hash_opaque(&body.into_inner().refresh_token);
    let keys = state.tokens.clone();
    let invalid = AppError::Unauthorized("The refresh token is invalid, expired or already used.");
    let pair = state
        .db
        .run(move |conn| {
            let Some(token) = find_refresh(conn, &hash)? else { return Ok(None) };
            // The user row scopes everything below to the token owner's practice.
            let user = crate::store::users::find_by_id_for_auth(conn, &token.user_id)?;
            let ctx = AuditContext {
                practice_id: user.as_ref().map(|u| u.practice_id.to_string()),
                actor_id: Some(token.user_id.to_string()),
                actor_role: user.as_ref().map(|u| u.role.as_str().to_string()),
                request_id: meta.request_id.clone(),
                ip: meta.ip.clone(),
            };
            let reused = token.used_at.is_some() || token.revoked_at.is_some();
            let usable = !reused && token.expires_at > now() && user.as_ref().is_some_and(|u| u.active);
            if !usable {
                write_tx(conn, |conn| {
                    if reused {
                        revoke_family(conn, &token.family_id)?;
                    }
                    record(conn, &ctx, Action::Refresh, ResourceKind::User, Some(&token.user_id), Outcome::Denied)
                })?;
                return Ok(None);
            }
            let Some(user) = user else { return Ok(None) };
            let role = user.role;
            let issued = write_tx(conn, |conn| {
                if !mark_used(conn, &token.id)? {
                    return Ok(None);
                }
                record(conn, &ctx, Action::Refresh, ResourceKind::User, Some(&user.id), Outcome::Success)?;
                issue_pair(conn, &keys, &user.id, role, &user.practice_id, user.client_id.as_deref(), &token.family_id)
                    .map(Some)
            })?;
            if issued.is_none() {
                // Lost a race with another use of the same token: that is reuse too.
                write_tx(conn, |conn| revoke_family(conn, &token.family_id))?;
            }
            Ok(issued)
        })
        .await?;
    match pair {
        Some(pair) => Ok(HttpResponse::Ok().json(TokenPair::from(pair))),
        None => Err(invalid),
    }
}
