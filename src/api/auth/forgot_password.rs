use actix_web::{web, HttpResponse};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::tokens::new_opaque;
use crate::auth::RequestMeta;
use crate::db::write_tx;
use crate::domain::mail::{compose, link, MailKind};
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{attempts_from_ip, email_locked_for, record_attempt, Attempt};
use crate::store::users::find_for_login;

/// Any text is accepted: a malformed email is simply not an account (202, like an unknown one).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

/// Ask for a password reset link.
///
/// Always 202, with the same (empty) answer in about the same time whether or not the email
/// is an account's: with mail configured and an active account, a single-use link to set a new
/// password (`{MEND_PUBLIC_URL}/portal?reset=…` for clients, `/app?reset=…` for staff; 30
/// minutes) is mailed. Rate-limited like sign-ins: the per-address limit, and 5 requests for one
/// email within 15 minutes lock that email's requests for 15 minutes (429, for any email alike).
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth", request_body = ForgotPasswordRequest, security(()),
    responses((status = 202, description = "Accepted; a link is mailed if the email is an active account's"),
              (status = 429, body = crate::problem::Problem)))]
pub async fn forgot_password(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<ForgotPasswordRequest>,
) -> AppResult<HttpResponse> {
    let email = body.into_inner().email.trim().to_lowercase();
    let key = format!("forgot:{}", hex::encode(Sha256::digest(email.as_bytes())));
    let ip = meta.ip.clone().unwrap_or_else(|| "unknown".into());
    let per_ip = i64::from(state.config.login_limit_per_ip);
    let mail = state.config.mail.clone();
    let (token, token_hash) = new_opaque();
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                if per_ip > 0 && attempts_from_ip(conn, &ip)? >= per_ip {
                    record_attempt(conn, &key, &ip, Attempt::Limited)?;
                    return Ok(Err(AppError::TooManyRequests {
                        retry_after: 60,
                        detail: "Too many requests from this address; wait a minute.",
                    }));
                }
                if let Some(secs) = email_locked_for(conn, &key)? {
                    record_attempt(conn, &key, &ip, Attempt::Locked)?;
                    return Ok(Err(AppError::TooManyRequests {
                        retry_after: u64::try_from(secs).unwrap_or(900),
                        detail: "Too many reset requests for this email; wait 15 minutes.",
                    }));
                }
                // Every request counts toward the email's limit, known or not.
                record_attempt(conn, &key, &ip, Attempt::Failure)?;
                Ok(Ok(()))
            })
        })
        .await??;
    // Whether the email is an account's is looked at after the answer, off the request: the
    // answer and its time are the same for every email (measured in tests/accounts.rs: writing
    // the link and the mail in the request made a known email answer ~0.2 s later on SQLite,
    // while the mail worker wrote beside it).
    if let Some(mail) = mail {
        let db = state.db.clone();
        actix_web::rt::spawn(async move {
            let queued = db
                .run(move |conn| {
                    write_tx(conn, |conn| {
                        let Some(user) = find_for_login(conn, &email)?.map(|(u, _)| u).filter(|u| u.active) else {
                            return Ok(None);
                        };
                        crate::store::resets::replace(conn, &user.practice_id, &user.id, &token_hash)?;
                        let url = link(&mail.public_url, MailKind::Reset, user.role, &token);
                        let message = compose(MailKind::Reset, &user.email, &url);
                        Ok(Some((crate::store::mail::enqueue(conn, &user.practice_id, &message)?, user.id)))
                    })
                })
                .await;
            match queued {
                Ok(Some((message, user))) => {
                    tracing::info!(message = %message, user.id = %user, "password reset queued for mail")
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %crate::problem::cause_chain(&e), "a password reset could not be queued")
                }
            }
        });
    }
    Ok(HttpResponse::Accepted().finish())
}
