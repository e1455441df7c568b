use actix_web::{web, HttpResponse};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::Validate;

use super::login::context;
use crate::audit::{record, Action, Outcome};
use crate::auth::mfa::{accept_totp, normalize_recovery};
use crate::auth::session::issue_pair;
use crate::auth::tokens::hash_opaque;
use crate::auth::RequestMeta;
use crate::db::{new_id, write_tx};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{email_locked_for, record_attempt, Attempt};
use crate::store::mfa;
use crate::store::users::{find_by_id_for_auth, UserRow};
use crate::views::identity::TokenPair;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaLoginRequest {
    /// From the sign-in's answer (`mfa_token`).
    pub mfa_token: String,
    /// The 6-digit code the authenticator app shows now (or `recovery_code`, not both).
    pub code: Option<String>,
    /// One of the recovery codes given when MFA was turned on; each works once.
    pub recovery_code: Option<String>,
}

enum Factor {
    Code(String),
    Recovery(String),
}

const WRONG: &str = "The code is wrong or was already used.";

/// Complete a sign-in with the second factor.
///
/// `code` (a TOTP code, accepted once: a replay within its window is 401) or `recovery_code`
/// (each works once). A wrong one is 401 and counts toward the account's sign-in lock (5 within
/// 15 minutes: 429 for 15 minutes, for this step and for `POST /auth/login`). The `mfa_token`
/// works for 5 minutes, until a sign-in completes with it.
#[utoipa::path(post, path = "/api/v1/auth/mfa", tag = "auth", request_body = MfaLoginRequest, security(()),
    responses((status = 200, body = TokenPair), (status = 401, body = crate::problem::Problem),
              (status = 422, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
pub async fn complete(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<MfaLoginRequest>,
) -> AppResult<HttpResponse> {
    let MfaLoginRequest { mfa_token, code, recovery_code } = body.into_inner();
    let factor = match (code, recovery_code) {
        (Some(c), None) => Factor::Code(c),
        (None, Some(r)) => Factor::Recovery(normalize_recovery(&r)),
        _ => return Err(AppError::field("code", "send either code or recovery_code")),
    };
    let token_hash = hash_opaque(&mfa_token);
    let ip = meta.ip.clone().unwrap_or_else(|| "unknown".into());
    let m = meta.clone();
    let wants_recovery = matches!(factor, Factor::Recovery(_));
    // The waiting sign-in, its user, the lock, and (for a recovery code) the codes to try.
    let (login_id, user, recovery) = state
        .db
        .run(move |conn| {
            let expired = || AppError::Unauthorized("The sign-in expired or was completed; sign in again.");
            let Some((login_id, user_id)) = mfa::pending_login(conn, &token_hash)? else { return Err(expired()) };
            let user = find_by_id_for_auth(conn, &user_id)?.filter(|u| u.active).ok_or_else(expired)?;
            let key = email_key(&user);
            if let Some(secs) = email_locked_for(conn, &key)? {
                write_tx(conn, |conn| {
                    record_attempt(conn, &key, &ip, Attempt::Locked)?;
                    record(
                        conn,
                        &context(&m, Some(&user)),
                        Action::Login,
                        ResourceKind::User,
                        Some(&user.id),
                        Outcome::Denied,
                    )
                })?;
                return Err(AppError::TooManyRequests {
                    retry_after: u64::try_from(secs).unwrap_or(900),
                    detail: "Too many failed sign-ins for this account; it is locked for 15 minutes.",
                });
            }
            let recovery = if wants_recovery { mfa::open_recovery_codes(conn, &user.id)? } else { Vec::new() };
            Ok((login_id, user, recovery))
        })
        .await?;
    // A recovery code is checked against each unused code's hash (off the async workers).
    let mut recovery_id = None;
    if let Factor::Recovery(given) = &factor {
        for (id, hash) in recovery {
            if state.passwords.verify(given.clone(), Some(hash)).await? {
                recovery_id = Some(id);
                break;
            }
        }
    }
    let (keys, sealing) = (state.tokens.clone(), state.sealing.clone());
    let ip = meta.ip.clone().unwrap_or_else(|| "unknown".into());
    let result = state
        .db
        .run(move |conn| {
            let key = email_key(&user);
            let ctx = context(&meta, Some(&user));
            let done = write_tx(conn, |conn| {
                let passed = match (&factor, &recovery_id) {
                    (Factor::Code(code), _) => accept_totp(conn, &sealing, &user.id, code)?,
                    (Factor::Recovery(_), Some(id)) => mfa::use_recovery_code(conn, id)?,
                    (Factor::Recovery(_), None) => false,
                };
                if !passed {
                    return Ok(None);
                }
                if !mfa::finish_login(conn, &login_id)? {
                    return Err(AppError::Unauthorized("The sign-in expired or was completed; sign in again."));
                }
                record_attempt(conn, &key, &ip, Attempt::Success)?;
                record(conn, &ctx, Action::Login, ResourceKind::User, Some(&user.id), Outcome::Success)?;
                let pair = issue_pair(
                    conn,
                    &keys,
                    &user.id,
                    user.role,
                    &user.practice_id,
                    user.client_id.as_deref(),
                    &new_id(),
                )?;
                Ok(Some(pair))
            })?;
            match done {
                Some(pair) => Ok(Ok(pair)),
                None => {
                    write_tx(conn, |conn| {
                        record_attempt(conn, &key, &ip, Attempt::Failure)?;
                        record(conn, &ctx, Action::Login, ResourceKind::User, Some(&user.id), Outcome::Denied)
                    })?;
                    Ok(Err(AppError::Unauthorized(WRONG)))
                }
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(TokenPair::from(result?)))
}

/// The key of the account's sign-in lock (as `POST /auth/login` counts it).
fn email_key(user: &UserRow) -> String {
    hex::encode(Sha256::digest(user.email.trim().to_lowercase().as_bytes()))
}
