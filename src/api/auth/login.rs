use actix_web::{web, HttpResponse};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{record, Action, AuditContext, Outcome};
use crate::auth::session::issue_pair;
use crate::auth::tokens::new_opaque;
use crate::auth::RequestMeta;
use crate::db::{new_id, write_tx};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{attempts_from_ip, email_locked_for, record_attempt, Attempt};
use crate::store::mfa;
use crate::store::users::{find_for_login, UserRow};
use crate::views::identity::{LoginAnswer, MfaChallenge, TokenPair};

/// Any text is accepted: a malformed email is simply not an account (401, like a wrong one).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

enum Gate {
    Open(Option<(UserRow, Option<String>)>),
    Refused(AppError),
}

pub(crate) fn context(meta: &RequestMeta, user: Option<&UserRow>) -> AuditContext {
    AuditContext {
        practice_id: user.map(|u| u.practice_id.to_string()),
        actor_id: user.map(|u| u.id.to_string()),
        actor_role: user.map(|u| u.role.as_str().to_string()),
        request_id: meta.request_id.clone(),
        ip: meta.ip.clone(),
    }
}

/// Sign in with email and password.
///
/// A wrong email and a wrong password give the same 401. Five failures for one email within
/// 15 minutes lock it for 15 minutes (429, even with the right password). With two-factor
/// sign-in on, the right password answers `{mfa_required: true, mfa_token, expires_in}` and no
/// tokens: `POST /auth/mfa` with a code completes the sign-in.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginAnswer), (status = 401, body = crate::problem::Problem),
              (status = 429, body = crate::problem::Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let LoginRequest { email, password } = body.into_inner();
    let email = email.trim().to_lowercase();
    let email_key = hex::encode(Sha256::digest(email.as_bytes()));
    let ip = meta.ip.clone().unwrap_or_else(|| "unknown".into());
    let per_ip = i64::from(state.config.login_limit_per_ip);

    let gate = {
        let (meta, email_key, ip) = (meta.clone(), email_key.clone(), ip.clone());
        state
            .db
            .run(move |conn| {
                if per_ip > 0 && attempts_from_ip(conn, &ip)? >= per_ip {
                    record_attempt(conn, &email_key, &ip, Attempt::Limited)?;
                    record(conn, &context(&meta, None), Action::Login, ResourceKind::User, None, Outcome::Denied)?;
                    return Ok(Gate::Refused(AppError::TooManyRequests {
                        retry_after: 60,
                        detail: "Too many sign-in attempts from this address; wait a minute.",
                    }));
                }
                let user = find_for_login(conn, &email)?;
                if let Some(secs) = email_locked_for(conn, &email_key)? {
                    record_attempt(conn, &email_key, &ip, Attempt::Locked)?;
                    let u = user.as_ref().map(|(u, _)| u);
                    record(
                        conn,
                        &context(&meta, u),
                        Action::Login,
                        ResourceKind::User,
                        u.map(|u| u.id.as_str()),
                        Outcome::Denied,
                    )?;
                    return Ok(Gate::Refused(AppError::TooManyRequests {
                        retry_after: u64::try_from(secs).unwrap_or(900),
                        detail: "Too many failed sign-ins for this account; it is locked for 15 minutes.",
                    }));
                }
                Ok(Gate::Open(user))
            })
            .await?
    };
    let user = match gate {
        Gate::Refused(e) => return Err(e),
        Gate::Open(user) => user,
    };

    let usable_hash = user.as_ref().filter(|(u, _)| u.active).and_then(|(_, h)| h.clone());
    let matches = state.passwords.verify(password, usable_hash).await?;

    let keys = state.tokens.clone();
    let result = state
        .db
        .run(move |conn| {
            let user = user.map(|(u, _)| u);
            if let (true, Some(u)) = (matches, user.as_ref()) {
                if mfa::enabled(conn, &u.id)? {
                    // The password was right; the sign-in waits for its second factor. Nothing
                    // is recorded as a success yet: the lock's count stands until a code passes.
                    let (token, hash) = new_opaque();
                    mfa::begin_login(conn, &u.practice_id, &u.id, &hash)?;
                    return Ok(Ok(LoginAnswer::Mfa(MfaChallenge {
                        mfa_required: true,
                        mfa_token: token,
                        expires_in: mfa::MFA_LOGIN_TTL_SECONDS,
                    })));
                }
                let role = u.role;
                let pair = write_tx(conn, |conn| {
                    record_attempt(conn, &email_key, &ip, Attempt::Success)?;
                    record(
                        conn,
                        &context(&meta, Some(u)),
                        Action::Login,
                        ResourceKind::User,
                        Some(&u.id),
                        Outcome::Success,
                    )?;
                    issue_pair(conn, &keys, &u.id, role, &u.practice_id, u.client_id.as_deref(), &new_id())
                })?;
                return Ok(Ok(LoginAnswer::Tokens(TokenPair::from(pair))));
            }
            write_tx(conn, |conn| {
                record_attempt(conn, &email_key, &ip, Attempt::Failure)?;
                let u = user.as_ref();
                record(
                    conn,
                    &context(&meta, u),
                    Action::Login,
                    ResourceKind::User,
                    u.map(|u| u.id.as_str()),
                    Outcome::Denied,
                )
            })?;
            Ok(Err(AppError::Unauthorized("The email or password is wrong.")))
        })
        .await?;
    Ok(HttpResponse::Ok().json(result?))
}
