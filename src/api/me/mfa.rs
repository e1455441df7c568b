//! Turning two-factor sign-in (TOTP) on and off for oneself: any user, staff or client.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, record_if_live, Action, Outcome, Target};
use crate::auth::actor::no_longer_live;
use crate::auth::mfa::{accept_totp, check_and_accept, new_recovery_codes, normalize_recovery};
use crate::auth::totp;
use crate::auth::AnyUser;
use crate::db::write_tx;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::{email_locked_for, record_attempt, Attempt};
use crate::store::{mfa, users};
use crate::views::identity::{QrMatrix, RecoveryCodes, TotpEnrollment};

/// The issuer authenticator apps show beside the account.
const ISSUER: &str = "Mend";

fn already_on() -> AppError {
    AppError::ConflictOf { kind: "mfa-enabled", detail: "Two-factor sign-in is already on; turn it off first.".into() }
}

/// Start turning on two-factor sign-in.
///
/// A new TOTP secret (RFC 6238: SHA-1, 6 digits, 30 seconds), as base32, as an `otpauth://`
/// URI for an authenticator app, and as that URI's QR code (`qr`, modules to draw). Not active until confirmed with a code
/// (`POST /me/mfa/totp/confirm`); starting again replaces an unconfirmed secret. 409
/// (`mfa-enabled`) when MFA is already on.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp", tag = "users",
    responses((status = 201, body = TotpEnrollment), (status = 409, body = crate::problem::Problem)))]
pub async fn start(state: web::Data<AppState>, user: AnyUser) -> AppResult<HttpResponse> {
    let secret = totp::new_secret();
    let sealed = state.sealing.seal(&user.user_id, &secret).ok_or_else(|| AppError::internal("sealing failed"))?;
    let email = state
        .db
        .run(move |conn| {
            let actor = &user.0;
            audited(conn, actor, Target::new(Action::Update, ResourceKind::User, Some(&actor.user_id)), |conn| {
                if !mfa::start(conn, &actor.practice_id, &actor.user_id, &sealed)? {
                    return Err(already_on());
                }
                Ok(users::find_in_practice(conn, &actor.practice_id, &actor.user_id)?.email)
            })
        })
        .await?;
    let otpauth_uri = totp::otpauth_uri(ISSUER, &email, &secret);
    let qr = QrMatrix::of(&otpauth_uri).ok_or_else(|| AppError::internal("the otpauth URI does not fit a QR code"))?;
    let body = TotpEnrollment { secret: totp::base32(&secret), otpauth_uri, qr };
    Ok(HttpResponse::Created().json(body))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpRequest {
    /// The 6-digit code the authenticator app shows now.
    pub code: String,
}

/// Confirm two-factor sign-in with a code, which turns it on.
///
/// Answers 10 recovery codes, shown once (stored hashed): each signs in once instead of a code.
/// A wrong code is 422 and changes nothing; 409 with nothing to confirm or when MFA is on already.
#[utoipa::path(post, path = "/api/v1/me/mfa/totp/confirm", tag = "users", request_body = ConfirmTotpRequest,
    responses((status = 200, body = RecoveryCodes), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn confirm(
    state: web::Data<AppState>,
    user: AnyUser,
    body: ValidJson<ConfirmTotpRequest>,
) -> AppResult<HttpResponse> {
    let code = body.into_inner().code;
    let (id, sealing) = (user.user_id.to_string(), state.sealing.clone());
    state
        .db
        .run_as(user.live(), move |conn| {
            let Some(row) = mfa::find(conn, &id)? else {
                return Err(AppError::Conflict("Start with POST /me/mfa/totp first.".into()));
            };
            if row.enabled_at.is_some() {
                return Err(already_on());
            }
            if !check_and_accept(conn, &sealing, &id, &row.secret, &code)? {
                return Err(AppError::field("code", "is not the code the authenticator app shows now"));
            }
            Ok(())
        })
        .await?;
    let codes = new_recovery_codes();
    let mut hashes = Vec::with_capacity(codes.len());
    for code in &codes {
        hashes.push(state.passwords.hash(normalize_recovery(code)).await?);
    }
    state
        .db
        .run(move |conn| {
            let actor = &user.0;
            audited(conn, actor, Target::new(Action::Update, ResourceKind::User, Some(&actor.user_id)), |conn| {
                if !mfa::enable(conn, &actor.practice_id, &actor.user_id, &hashes)? {
                    return Err(already_on());
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodes { recovery_codes: codes }))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableMfaRequest {
    pub password: String,
    /// The 6-digit code the authenticator app shows now.
    pub code: String,
}

/// Turn two-factor sign-in off.
///
/// Needs the password and a current code (422 when either is wrong; wrong tries count toward the
/// lock of password changes: 5 within 15 minutes lock both for 15 minutes, 429). 409 when MFA is
/// off.
#[utoipa::path(delete, path = "/api/v1/me/mfa", tag = "users", request_body = DisableMfaRequest,
    responses((status = 204, description = "Two-factor sign-in is off"), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
pub async fn disable(
    state: web::Data<AppState>,
    user: AnyUser,
    body: ValidJson<DisableMfaRequest>,
) -> AppResult<HttpResponse> {
    let DisableMfaRequest { password, code } = body.into_inner();
    let id = user.user_id.clone();
    let key = format!("password-change:{id}");
    let ip = user.meta.ip.clone().unwrap_or_default();
    let k = key.clone();
    let (hash, locked, on) = state
        .db
        .run_as(user.live(), move |conn| {
            Ok((users::password_hash(conn, &id)?, email_locked_for(conn, &k)?, mfa::enabled(conn, &id)?))
        })
        .await?;
    if let Some(secs) = locked {
        return Err(AppError::TooManyRequests {
            retry_after: u64::try_from(secs).unwrap_or(900),
            detail: "Too many wrong passwords or codes; try again in 15 minutes.",
        });
    }
    if !on {
        return Err(AppError::Conflict("Two-factor sign-in is off.".into()));
    }
    let password_ok = state.passwords.verify(password, hash).await?;
    let sealing = state.sealing.clone();
    let outcome = state
        .db
        .run(move |conn| {
            let actor = &user.0;
            let target = Target::new(Action::Update, ResourceKind::User, Some(&actor.user_id));
            let result = audited(conn, actor, target, |conn| {
                if !password_ok {
                    return Err(AppError::field("password", "is not your password"));
                }
                if !accept_totp(conn, &sealing, &actor.user_id, &code)? {
                    return Err(AppError::field("code", "is not the code the authenticator app shows now"));
                }
                mfa::remove(conn, &actor.user_id)?;
                record_attempt(conn, &key, &ip, Attempt::Success)?;
                Ok(())
            });
            if let Err(AppError::Validation(_)) = &result {
                write_tx(conn, |conn| {
                    record_attempt(conn, &key, &ip, Attempt::Failure)?;
                    let live = actor.live();
                    let (a, k, i) = (target.action, target.resource_type, target.resource_id);
                    if !record_if_live(conn, &actor.audit_context(), &live, a, k, i, Outcome::Denied)? {
                        return Err(no_longer_live());
                    }
                    Ok(())
                })?;
            }
            result
        })
        .await;
    outcome?;
    Ok(HttpResponse::NoContent().finish())
}
