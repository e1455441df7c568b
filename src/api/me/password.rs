use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, Action, Target};
use crate::auth::AnyUser;
use crate::domain::value::parsed;
use crate::domain::value_trust::Password;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::revoke_user_except;
use crate::store::users::{password_hash, set_password};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[validate(custom(function = "Password::check"))]
    #[schema(value_type = Password)]
    pub new_password: String,
}

/// Change my password. Every other login of mine is signed out.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "users", request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed"), (status = 422, body = crate::problem::Problem)))]
pub async fn change(
    state: web::Data<AppState>,
    user: AnyUser,
    body: ValidJson<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let ChangePasswordRequest { current_password, new_password } = body.into_inner();
    let new_password = parsed("new_password", Password::parse(new_password))?;
    let id = user.user_id.clone();
    let current_hash = state.db.run_as(user.live(), move |conn| Ok(password_hash(conn, &id)?)).await?;
    if !state.passwords.verify(current_password, current_hash).await? {
        return Err(AppError::field("current_password", "is not your current password"));
    }
    let new_hash = state.passwords.hash(new_password.into_string()).await?;
    state
        .db
        .run(move |conn| {
            let actor = &user.0;
            audited(conn, actor, Target::new(Action::Update, ResourceKind::User, Some(&actor.user_id)), |conn| {
                set_password(conn, &actor.user_id, &new_hash)?;
                revoke_user_except(conn, &actor.user_id, &actor.family_id)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
