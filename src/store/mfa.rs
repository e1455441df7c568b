//! Two-factor sign-in state, all in the database so every instance shares it: a user's sealed
//! TOTP secret and the last time step accepted, recovery codes (hashed), and sign-ins waiting
//! for their second factor.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{mfa_logins as l, mfa_recovery_codes as rc, practices as p, user_mfa as m, users as u};
use crate::db::{new_id, now, AnyConnection};
use crate::domain::ids::UserId;

/// How long a sign-in waits for its second factor.
pub const MFA_LOGIN_TTL_SECONDS: i64 = 300;

/// A user's TOTP: the sealed secret, whether it is on, and the last step accepted.
#[derive(Queryable)]
pub struct MfaRow {
    pub secret: String,
    pub enabled_at: Option<NaiveDateTime>,
    pub last_step: i64,
}

pub fn find(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Option<MfaRow>> {
    m::table.filter(m::user_id.eq(user_id)).select((m::secret, m::enabled_at, m::last_step)).first(conn).optional()
}

pub fn enabled(conn: &mut AnyConnection, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(m::table.filter(m::user_id.eq(user_id)).filter(m::enabled_at.is_not_null())))
        .get_result(conn)
}

/// Stores a new pending secret, replacing a pending one (never an enabled one: false then).
pub fn start(conn: &mut AnyConnection, practice_id: &str, user_id: &str, sealed: &str) -> QueryResult<bool> {
    if enabled(conn, user_id)? {
        return Ok(false);
    }
    diesel::delete(m::table.filter(m::user_id.eq(user_id))).execute(conn)?;
    diesel::insert_into(m::table)
        .values((
            m::user_id.eq(user_id),
            m::practice_id.eq(practice_id),
            m::secret.eq(sealed),
            m::last_step.eq(0i64),
            m::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Accepts the code of `step`: true only when no code of this step or a later one was accepted
/// before (compare-and-set, so of two concurrent uses of one code only one wins).
pub fn accept_step(conn: &mut AnyConnection, user_id: &str, step: i64) -> QueryResult<bool> {
    let n = diesel::update(m::table.filter(m::user_id.eq(user_id)).filter(m::last_step.lt(step)))
        .set(m::last_step.eq(step))
        .execute(conn)?;
    Ok(n == 1)
}

/// Turns a pending secret on, with its recovery codes (already hashed).
pub fn enable(conn: &mut AnyConnection, practice_id: &str, user_id: &str, code_hashes: &[String]) -> QueryResult<bool> {
    let at = now();
    let n = diesel::update(m::table.filter(m::user_id.eq(user_id)).filter(m::enabled_at.is_null()))
        .set(m::enabled_at.eq(Some(at)))
        .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    diesel::delete(rc::table.filter(rc::user_id.eq(user_id))).execute(conn)?;
    for hash in code_hashes {
        diesel::insert_into(rc::table)
            .values((
                rc::id.eq(new_id()),
                rc::practice_id.eq(practice_id),
                rc::user_id.eq(user_id),
                rc::code_hash.eq(hash),
                rc::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(true)
}

/// Turns MFA off: the secret, the recovery codes and pending sign-ins are gone.
pub fn remove(conn: &mut AnyConnection, user_id: &str) -> QueryResult<()> {
    diesel::delete(rc::table.filter(rc::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(l::table.filter(l::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(m::table.filter(m::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

/// The user's unused recovery codes: `(id, hash)`.
pub fn open_recovery_codes(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<(String, String)>> {
    rc::table.filter(rc::user_id.eq(user_id)).filter(rc::used_at.is_null()).select((rc::id, rc::code_hash)).load(conn)
}

/// Uses a recovery code; false when it was used meanwhile.
pub fn use_recovery_code(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    let n = diesel::update(rc::table.filter(rc::id.eq(id)).filter(rc::used_at.is_null()))
        .set(rc::used_at.eq(Some(now())))
        .execute(conn)?;
    Ok(n == 1)
}

/// A sign-in that passed the password and waits for its second factor.
pub fn begin_login(conn: &mut AnyConnection, practice_id: &str, user_id: &str, token_hash: &str) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(l::table)
        .values((
            l::id.eq(new_id()),
            l::practice_id.eq(practice_id),
            l::user_id.eq(user_id),
            l::token_hash.eq(token_hash),
            l::expires_at.eq(at + Duration::seconds(MFA_LOGIN_TTL_SECONDS)),
            l::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The waiting sign-in of an `mfa_token`: its id and user, if open and unexpired.
pub fn pending_login(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<(String, UserId)>> {
    l::table
        .filter(l::token_hash.eq(token_hash))
        .filter(l::used_at.is_null())
        .filter(l::expires_at.gt(now()))
        .select((l::id, l::user_id))
        .first(conn)
        .optional()
}

/// Ends the user's sign-ins that wait for their second factor (the password they passed
/// with was just changed or reset).
pub fn end_pending_logins(conn: &mut AnyConnection, user_id: &str) -> QueryResult<()> {
    diesel::update(l::table.filter(l::user_id.eq(user_id)).filter(l::used_at.is_null()))
        .set(l::expires_at.eq(now()))
        .execute(conn)
        .map(|_| ())
}

/// Completes a waiting sign-in; false when it was completed meanwhile.
pub fn finish_login(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    let n = diesel::update(l::table.filter(l::id.eq(id)).filter(l::used_at.is_null()))
        .set(l::used_at.eq(Some(now())))
        .execute(conn)?;
    Ok(n == 1)
}

/// Whether a staff user must enrol before anything else: the practice requires MFA of staff,
/// the user is staff, and has none on.
pub fn enrollment_due(conn: &mut AnyConnection, user_id: &str) -> QueryResult<bool> {
    let row: Option<(String, bool)> = u::table
        .inner_join(p::table)
        .filter(u::id.eq(user_id))
        .select((u::role, p::require_staff_mfa))
        .first(conn)
        .optional()?;
    match row {
        Some((role, true)) if role != "client" => Ok(!enabled(conn, user_id)?),
        _ => Ok(false),
    }
}

/// Staff of a practice who have no MFA on (their logins end when the practice starts to
/// require it).
pub fn staff_without_mfa(conn: &mut AnyConnection, practice_id: &str) -> QueryResult<Vec<String>> {
    let enrolled = m::table.filter(m::enabled_at.is_not_null()).select(m::user_id);
    u::table
        .filter(u::practice_id.eq(practice_id))
        .filter(u::role.ne("client"))
        .filter(u::id.ne_all(enrolled))
        .select(u::id)
        .load(conn)
}
