use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::domain::ids::UserId;
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::users;
use crate::views::identity::InviteView;
use crate::views::instant;

/// Invite a staff member again.
///
/// For a staff member who has never set a password (a lost or expired invite): a new invite,
/// which voids the previous one. Mailed as a link (`{MEND_PUBLIC_URL}/app?invite=…`) when mail is
/// configured (`delivery: "email"`, no token in the answer), else answered as `invite_token`.
/// 409 (`password-set`) once the staff member has set a password: they reset it themselves,
/// and no one receives a token that sets the password of an account someone already uses. 409
/// too for a deactivated account, and for a client's portal account (invited with
/// `POST /clients/{id}/portal-invite`).
#[utoipa::path(post, path = "/api/v1/users/{id}/invite", tag = "users", params(("id" = UserId, Path)),
    responses((status = 201, body = InviteView), (status = 409, body = crate::problem::Problem)))]
pub async fn invite(state: web::Data<AppState>, admin: Admin, path: web::Path<UserId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mail = state.config.mail.clone();
    let issued = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Invite, ResourceKind::User, Some(&id)), |conn| {
                let user = users::find_in_practice(conn, &admin.practice_id, &id)?;
                if !user.role.is_staff() {
                    return Err(AppError::Conflict(
                        "This is a client's portal account: invite the client with POST /clients/{id}/portal-invite."
                            .into(),
                    ));
                }
                if !user.active {
                    return Err(AppError::Conflict("The account is deactivated; reactivate it first.".into()));
                }
                if users::password_hash(conn, &user.id)?.is_some() {
                    return Err(AppError::ConflictOf {
                        kind: "password-set",
                        detail: "The staff member has set a password; they can reset it from the sign-in page.".into(),
                    });
                }
                crate::api::invites::issue(conn, mail.as_ref(), &admin.practice_id, &user.id, user.role, &user.email)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(InviteView {
        delivery: issued.delivery,
        invite_token: issued.token,
        expires_at: instant(issued.expires_at),
    }))
}
