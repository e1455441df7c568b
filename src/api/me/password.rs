use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, record_if_live, Action, Outcome, Target};
use crate::auth::actor::no_longer_live;
use crate::auth::AnyUser;
use crate::db::write_tx;
use crate::domain::value::parsed;
use crate::domain::value_trust::Password;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{email_locked_for, record_attempt, revoke_user_except, Attempt};
use crate::store::users::{password_hash, set_password};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[validate(custom(function = "Password::check"))]
    #[schema(value_type = Password)]
    pub new_password: String,
}

/// Change my password. Every other login of mine is signed out. Five wrong current passwords
/// within 15 minutes lock password changes for 15 minutes (429).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "users", request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed"), (status = 422, body = crate::problem::Problem),
        (status = 429, body = crate::problem::Problem)))]
pub async fn change(
    state: web::Data<AppState>,
    user: AnyUser,
    body: ValidJson<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let ChangePasswordRequest { current_password, new_password } = body.into_inner();
    let new_password = parsed("new_password", Password::parse(new_password))?;
    let id = user.user_id.clone();
    // Wrong current passwords count like failed sign-ins, per account: 5 within 15 minutes lock
    // this endpoint for 15 minutes (the same rule as the login lock, its own count).
    let key = format!("password-change:{id}");
    let ip = user.meta.ip.clone().unwrap_or_default();
    let (k, i, key_ok, ip_ok) = (key.clone(), ip.clone(), key.clone(), ip);
    let (current_hash, locked) =
        state.db.run_as(user.live(), move |conn| Ok((password_hash(conn, &id)?, email_locked_for(conn, &k)?))).await?;
    if let Some(secs) = locked {
        return Err(AppError::TooManyRequests {
            retry_after: u64::try_from(secs).unwrap_or(900),
            detail: "Too many wrong current passwords; password changes are locked for 15 minutes.",
        });
    }
    if !state.passwords.verify(current_password, current_hash).await? {
        let actor = user.0.clone();
        state
            .db
            .run(move |conn| {
                write_tx(conn, |conn| {
                    record_attempt(conn, &key, &i, Attempt::Failure)?;
                    let target = (Action::Update, ResourceKind::User, Some(actor.user_id.as_str()));
                    if !record_if_live(
                        conn,
                        &actor.audit_context(),
                        &actor.live(),
                        target.0,
                        target.1,
                        target.2,
                        Outcome::Denied,
                    )? {
                        return Err(no_longer_live());
                    }
                    Ok(())
                })
            })
            .await?;
        return Err(AppError::field("current_password", "is not your current password"));
    }
    let new_hash = state.passwords.hash(new_password.into_string()).await?;
    state
        .db
        .run(move |conn| {
            let actor = &user.0;
            audited(conn, actor, Target::new(Action::Update, ResourceKind::User, Some(&actor.user_id)), |conn| {
                set_password(conn, &actor.user_id, &new_hash)?;
                record_attempt(conn, &key_ok, &ip_ok, Attempt::Success)?;
                revoke_user_except(conn, &actor.user_id, &actor.family_id)?;
                crate::store::resets::void_open(conn, &actor.user_id)?;
                crate::store::mfa::end_pending_logins(conn, &actor.user_id)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
