//! Issuing an invite: the token, and with mail configured the mail that carries it as a link
//! (then the API's answer carries no token). Shared by `POST /users`, `POST /users/{id}/invite`
//! and `POST /clients/{id}/portal-invite`.

use chrono::NaiveDateTime;

use crate::auth::tokens::new_opaque;
use crate::config::mail::MailConfig;
use crate::db::AnyConnection;
use crate::domain::mail::{compose, link, MailKind};
use crate::domain::Role;
use crate::problem::AppResult;
use crate::store::auth::replace_invite;
use crate::views::identity::Delivery;

/// An invite that was issued: how it travels, the token when the caller passes it on, its expiry.
pub struct Issued {
    pub delivery: Delivery,
    pub token: Option<String>,
    pub expires_at: NaiveDateTime,
}

/// Voids the user's open invites and issues a new one; with mail configured, queues the mail
/// (in the caller's transaction, so it goes out exactly when the invite exists).
pub fn issue(
    conn: &mut AnyConnection,
    mail: Option<&MailConfig>,
    practice_id: &str,
    user_id: &str,
    role: Role,
    email: &str,
) -> AppResult<Issued> {
    let (token, hash) = new_opaque();
    let expires_at = replace_invite(conn, practice_id, user_id, &hash)?;
    match mail {
        Some(mail) => {
            let message = compose(MailKind::Invite, email, &link(&mail.public_url, MailKind::Invite, role, &token));
            let id = crate::store::mail::enqueue(conn, practice_id, &message)?;
            tracing::info!(message = %id, user.id = %user_id, "invite queued for mail");
            Ok(Issued { delivery: Delivery::Email, token: None, expires_at })
        }
        None => Ok(Issued { delivery: Delivery::Token, token: Some(token), expires_at }),
    }
}
