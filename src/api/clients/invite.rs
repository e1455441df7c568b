use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::db::new_id;
use crate::domain::ids::ClientId;
use crate::domain::{ResourceKind, Role};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::clients;
use crate::store::users::{self, NewUser};
use crate::views::identity::InviteView;
use crate::views::instant;

/// The answer when the client already set a password.
fn portal_active() -> AppError {
    AppError::ConflictOf {
        kind: "portal-active",
        detail: "The client already uses the portal; they can reset their own password from the sign-in page.".into(),
    }
}

/// Invite a client to the portal.
///
/// Makes the client's portal account (role `client`, the client's email, no password) or
/// reuses the one made before (its login email stays as it is), and issues an invite token for `POST /auth/accept-invite`.
/// With mail configured the invite is mailed to the account's email as a link
/// (`{MEND_PUBLIC_URL}/portal?invite=…`) and the answer is `{delivery: "email", expires_at}`
/// with no token; without, the answer carries the token (`delivery: "token"`).
/// A new invite voids the previous one. Needs the client's email (422 otherwise); an email
/// already used by another account is 409, and so is a client who has already set a password
/// (`portal-active`): staff never receive a token that sets a password someone already uses. There is no resource to point a `Location` at:
/// the token is shown once.
#[utoipa::path(post, path = "/api/v1/clients/{id}/portal-invite", tag = "clients", params(("id" = ClientId, Path)),
    responses((status = 201, body = InviteView), (status = 409, body = crate::problem::Problem)))]
pub async fn invite(staff: Staff, state: web::Data<AppState>, path: web::Path<ClientId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mail = state.config.mail.clone();
    let issued = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Invite, ResourceKind::Client, Some(&id)), |conn| {
                let client = clients::find_visible(conn, &staff, &id)?;
                let Some(email) = client.email else {
                    return Err(AppError::field("email", "the client needs an email address to be invited"));
                };
                let (user_id, login_email) = match clients::portal_user(conn, &staff.practice_id, &id)? {
                    Some(user) => {
                        if !user.active {
                            return Err(AppError::Conflict(
                                "The client's portal account is deactivated; an admin can reactivate it.".into(),
                            ));
                        }
                        // Staff never receive a token that sets the password of an account
                        // someone already uses (the client resets it themselves).
                        if users::password_hash(conn, &user.id)?.is_some() {
                            return Err(portal_active());
                        }
                        (user.id.into_string(), user.email)
                    }
                    None => {
                        if users::email_taken(conn, &email)? {
                            return Err(AppError::Conflict("Another account already uses the client's email.".into()));
                        }
                        let user_id = new_id();
                        let display_name = client.preferred_name.unwrap_or(client.first_name);
                        users::create(
                            conn,
                            &NewUser {
                                id: &user_id,
                                practice_id: &staff.practice_id,
                                email: &email,
                                display_name: &display_name,
                                role: Role::Client,
                                password_hash: None,
                                client_id: Some(&id),
                            },
                        )?;
                        (user_id, email)
                    }
                };
                crate::api::invites::issue(
                    conn,
                    mail.as_ref(),
                    &staff.practice_id,
                    &user_id,
                    Role::Client,
                    &login_email,
                )
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(InviteView {
        delivery: issued.delivery,
        invite_token: issued.token,
        expires_at: instant(issued.expires_at),
    }))
}
