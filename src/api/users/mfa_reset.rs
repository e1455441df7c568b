use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::domain::ids::UserId;
use crate::domain::ResourceKind;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::auth::revoke_user;
use crate::store::{mfa, users};

/// Turn a user's two-factor sign-in off (they lost their authenticator and recovery codes).
///
/// Removes the user's TOTP secret and recovery codes and ends every login of theirs; audited.
/// They sign in with their password alone, and turn MFA on again (in a practice that requires
/// it of staff, before anything else).
#[utoipa::path(post, path = "/api/v1/users/{id}/mfa/reset", tag = "users", params(("id" = UserId, Path)),
    responses((status = 204, description = "MFA is off and the user's logins ended"),
        (status = 404, body = crate::problem::Problem)))]
pub async fn reset(state: web::Data<AppState>, admin: Admin, path: web::Path<UserId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Revoke, ResourceKind::User, Some(&id)), |conn| {
                let user = users::find_in_practice(conn, &admin.practice_id, &id)?;
                mfa::remove(conn, &user.id)?;
                revoke_user(conn, &user.id)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
