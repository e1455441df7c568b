use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{record, Action, AuditContext, Outcome};
use crate::auth::session::issue_pair;
use crate::auth::tokens::hash_opaque;
use crate::auth::RequestMeta;
use crate::db::{new_id, write_tx};
use crate::domain::value::parsed;
use crate::domain::value_trust::Password;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{revoke_user, use_invite};
use crate::store::users::{find_by_id_for_auth, password_hash as password_hash_of, set_password};
use crate::views::identity::TokenPair;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    pub token: String,
    #[validate(custom(function = "Password::check"))]
    #[schema(value_type = Password)]
    pub password: String,
}

/// Accept an invite: set a password and sign in.
///
/// Invite tokens work once and expire after 7 days; an unknown, used or expired one is 401, and
/// so is one for an account that already has a password. Every earlier login of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/accept-invite", tag = "auth", request_body = AcceptInviteRequest, security(()),
    responses((status = 200, body = TokenPair), (status = 401, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem)))]
pub async fn accept_invite(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<AcceptInviteRequest>,
) -> AppResult<HttpResponse> {
    let AcceptInviteRequest { token, password } = body.into_inner();
    let password = parsed("password", Password::parse(password))?;
    let token_hash = hash_opaque(&token);
    let password_hash = state.passwords.hash(password.into_string()).await?;
    let keys = state.tokens.clone();
    let pair = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let Some(user_id) = use_invite(conn, &token_hash)? else {
                    return Err(AppError::Unauthorized("The invite is invalid, used or expired."));
                };
                let user = find_by_id_for_auth(conn, &user_id)?.ok_or(AppError::NotFound)?;
                // An invite sets a first password only: an account someone already uses is
                // never taken over through one (an invite made before the password was set).
                if !user.active || password_hash_of(conn, &user.id)?.is_some() {
                    return Err(AppError::Unauthorized("The invite is invalid, used or expired."));
                }
                set_password(conn, &user.id, &password_hash)?;
                // Every earlier login of the account ends.
                revoke_user(conn, &user.id)?;
                let role = user.role;
                let ctx = AuditContext {
                    practice_id: Some(user.practice_id.to_string()),
                    actor_id: Some(user.id.to_string()),
                    actor_role: Some(user.role.as_str().to_string()),
                    request_id: meta.request_id.clone(),
                    ip: meta.ip.clone(),
                };
                record(conn, &ctx, Action::Login, ResourceKind::User, Some(&user.id), Outcome::Success)?;
                issue_pair(conn, &keys, &user.id, role, &user.practice_id, user.client_id.as_deref(), &new_id())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(TokenPair::from(pair)))
}
