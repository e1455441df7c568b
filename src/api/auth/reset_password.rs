use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{record, Action, AuditContext, Outcome};
use crate::auth::tokens::hash_opaque;
use crate::auth::RequestMeta;
use crate::db::write_tx;
use crate::domain::value::parsed;
use crate::domain::value_trust::Password;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::revoke_user;
use crate::store::resets::{use_reset, void_open};
use crate::store::users::{find_by_id_for_auth, set_password};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token of the mailed link (`reset=…`).
    pub token: String,
    #[validate(custom(function = "Password::check"))]
    #[schema(value_type = Password)]
    pub password: String,
}

/// Set a new password with a mailed reset link.
///
/// The link works once, for 30 minutes; an unknown, used or expired one is 401. Every login of
/// the user ends (sign in again with the new password).
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = ResetPasswordRequest, security(()),
    responses((status = 204, description = "The password is set; every login of the user ended"),
              (status = 401, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn reset_password(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<ResetPasswordRequest>,
) -> AppResult<HttpResponse> {
    let ResetPasswordRequest { token, password } = body.into_inner();
    let password = parsed("password", Password::parse(password))?;
    let token_hash = hash_opaque(&token);
    let password_hash = state.passwords.hash(password.into_string()).await?;
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let invalid = || AppError::Unauthorized("The reset link is invalid, used or expired.");
                let Some(user_id) = use_reset(conn, &token_hash)? else { return Err(invalid()) };
                let user = find_by_id_for_auth(conn, &user_id)?.ok_or_else(invalid)?;
                if !user.active {
                    return Err(invalid());
                }
                set_password(conn, &user.id, &password_hash)?;
                void_open(conn, &user.id)?;
                revoke_user(conn, &user.id)?;
                crate::store::mfa::end_pending_logins(conn, &user.id)?;
                let ctx = AuditContext {
                    practice_id: Some(user.practice_id.to_string()),
                    actor_id: Some(user.id.to_string()),
                    actor_role: Some(user.role.as_str().to_string()),
                    request_id: meta.request_id.clone(),
                    ip: meta.ip.clone(),
                };
                record(conn, &ctx, Action::Update, ResourceKind::User, Some(&user.id), Outcome::Success)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
