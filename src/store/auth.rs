//! Refresh tokens, invites and login attempts.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{invites as i, login_attempts as la, refresh_tokens as rt};
use crate::db::{new_id, now, AnyConnection};
use crate::domain::ids::UserId;

pub const REFRESH_TTL_DAYS: i64 = 30;
pub const INVITE_TTL_DAYS: i64 = 7;
pub const LOCK_FAILURES: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

// ---- refresh tokens ----

pub fn insert_refresh(
    conn: &mut AnyConnection,
    practice_id: &str,
    user_id: &str,
    family_id: &str,
    token_hash: &str,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(rt::table)
        .values((
            rt::id.eq(new_id()),
            rt::practice_id.eq(practice_id),
            rt::user_id.eq(user_id),
            rt::family_id.eq(family_id),
            rt::token_hash.eq(token_hash),
            rt::expires_at.eq(at + Duration::days(REFRESH_TTL_DAYS)),
            rt::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Queryable)]
pub struct RefreshRow {
    pub id: String,
    pub user_id: UserId,
    pub family_id: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn find_refresh(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<RefreshRow>> {
    rt::table
        .filter(rt::token_hash.eq(token_hash))
        .select((rt::id, rt::user_id, rt::family_id, rt::expires_at, rt::used_at, rt::revoked_at))
        .first(conn)
        .optional()
}

/// Marks a token used; false when it was already used or revoked (a concurrent use).
pub fn mark_used(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    let n =
        diesel::update(rt::table.filter(rt::id.eq(id)).filter(rt::used_at.is_null()).filter(rt::revoked_at.is_null()))
            .set(rt::used_at.eq(now()))
            .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke_family(conn: &mut AnyConnection, family_id: &str) -> QueryResult<()> {
    diesel::update(rt::table.filter(rt::family_id.eq(family_id)).filter(rt::revoked_at.is_null()))
        .set(rt::revoked_at.eq(now()))
        .execute(conn)
        .map(|_| ())
}

/// Revokes every login of a user except `keep_family`.
pub fn revoke_user_except(conn: &mut AnyConnection, user_id: &str, keep_family: &str) -> QueryResult<()> {
    diesel::update(
        rt::table
            .filter(rt::user_id.eq(user_id))
            .filter(rt::family_id.ne(keep_family))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(now()))
    .execute(conn)
    .map(|_| ())
}

pub fn revoke_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<()> {
    diesel::update(rt::table.filter(rt::user_id.eq(user_id)).filter(rt::revoked_at.is_null()))
        .set(rt::revoked_at.eq(now()))
        .execute(conn)
        .map(|_| ())
}

// ---- invites ----

/// Voids the user's open invites and stores a new one; returns its expiry.
pub fn replace_invite(
    conn: &mut AnyConnection,
    practice_id: &str,
    user_id: &str,
    token_hash: &str,
) -> QueryResult<NaiveDateTime> {
    let at = now();
    diesel::update(
        i::table.filter(i::user_id.eq(user_id)).filter(i::used_at.is_null()).filter(i::revoked_at.is_null()),
    )
    .set(i::revoked_at.eq(at))
    .execute(conn)?;
    let expires_at = at + Duration::days(INVITE_TTL_DAYS);
    diesel::insert_into(i::table)
        .values((
            i::id.eq(new_id()),
            i::practice_id.eq(practice_id),
            i::user_id.eq(user_id),
            i::token_hash.eq(token_hash),
            i::expires_at.eq(expires_at),
            i::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(expires_at)
}

/// Uses an invite: the user it belongs to, if it is open and unexpired. Single use, even
/// under concurrent attempts.
pub fn use_invite(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<UserId>> {
    let at = now();
    let row: Option<(String, UserId)> = i::table
        .filter(i::token_hash.eq(token_hash))
        .filter(i::used_at.is_null())
        .filter(i::revoked_at.is_null())
        .filter(i::expires_at.gt(at))
        .select((i::id, i::user_id))
        .first(conn)
        .optional()?;
    let Some((id, user_id)) = row else { return Ok(None) };
    let n = diesel::update(i::table.filter(i::id.eq(&id)).filter(i::used_at.is_null()))
        .set(i::used_at.eq(at))
        .execute(conn)?;
    Ok((n == 1).then_some(user_id))
}

// ---- login attempts ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    Success,
    Failure,
    Locked,
    Limited,
}

impl Attempt {
    fn as_str(self) -> &'static str {
        match self {
            Attempt::Success => "success",
            Attempt::Failure => "failure",
            Attempt::Locked => "locked",
            Attempt::Limited => "limited",
        }
    }
}

pub fn record_attempt(conn: &mut AnyConnection, email_key: &str, ip: &str, outcome: Attempt) -> QueryResult<()> {
    diesel::insert_into(la::table)
        .values((
            la::id.eq(new_id()),
            la::email_key.eq(email_key),
            la::ip.eq(ip),
            la::outcome.eq(outcome.as_str()),
            la::at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Seconds until the email's lock ends, when it is locked: 5 failures within 15 minutes lock it
/// until the oldest of them is 15 minutes old. A successful login clears the count.
pub fn email_locked_for(conn: &mut AnyConnection, email_key: &str) -> QueryResult<Option<i64>> {
    let at = now();
    let window_start = at - Duration::minutes(LOCK_MINUTES);
    let last_success: Option<NaiveDateTime> = la::table
        .filter(la::email_key.eq(email_key))
        .filter(la::outcome.eq("success"))
        .filter(la::at.gt(window_start))
        .select(diesel::dsl::max(la::at))
        .first(conn)?;
    let since = last_success.unwrap_or(window_start);
    let failures: Vec<NaiveDateTime> = la::table
        .filter(la::email_key.eq(email_key))
        .filter(la::outcome.eq("failure"))
        .filter(la::at.gt(since))
        .select(la::at)
        .order(la::at.desc())
        .limit(LOCK_FAILURES)
        .load(conn)?;
    if (failures.len() as i64) < LOCK_FAILURES {
        return Ok(None);
    }
    let oldest = failures[failures.len() - 1];
    let until = oldest + Duration::minutes(LOCK_MINUTES);
    Ok(Some((until - at).num_seconds().max(1)))
}

/// Attempts from one address in the last minute.
pub fn attempts_from_ip(conn: &mut AnyConnection, ip: &str) -> QueryResult<i64> {
    la::table.filter(la::ip.eq(ip)).filter(la::at.gt(now() - Duration::minutes(1))).count().get_result(conn)
}
