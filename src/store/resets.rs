//! Password reset links: single use, 30 minutes, stored as SHA-256 hashes of the token.

use chrono::Duration;
use diesel::prelude::*;

use crate::db::schema::password_resets as r;
use crate::db::{new_id, now, AnyConnection};
use crate::domain::ids::UserId;

pub const RESET_TTL_MINUTES: i64 = 30;

/// Voids the user's open reset links and stores a new one.
pub fn replace(conn: &mut AnyConnection, practice_id: &str, user_id: &str, token_hash: &str) -> QueryResult<()> {
    let at = now();
    void_open(conn, user_id)?;
    diesel::insert_into(r::table)
        .values((
            r::id.eq(new_id()),
            r::practice_id.eq(practice_id),
            r::user_id.eq(user_id),
            r::token_hash.eq(token_hash),
            r::expires_at.eq(at + Duration::minutes(RESET_TTL_MINUTES)),
            r::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Voids every open reset link of the user (after a reset, a password change).
pub fn void_open(conn: &mut AnyConnection, user_id: &str) -> QueryResult<()> {
    diesel::update(r::table.filter(r::user_id.eq(user_id)).filter(r::used_at.is_null()).filter(r::revoked_at.is_null()))
        .set(r::revoked_at.eq(now()))
        .execute(conn)
        .map(|_| ())
}

/// Uses a reset link: the user it belongs to, if it is open and unexpired. Single use, even
/// under concurrent attempts.
pub fn use_reset(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<UserId>> {
    let at = now();
    let row: Option<(String, UserId)> = r::table
        .filter(r::token_hash.eq(token_hash))
        .filter(r::used_at.is_null())
        .filter(r::revoked_at.is_null())
        .filter(r::expires_at.gt(at))
        .select((r::id, r::user_id))
        .first(conn)
        .optional()?;
    let Some((id, user_id)) = row else { return Ok(None) };
    let n = diesel::update(r::table.filter(r::id.eq(&id)).filter(r::used_at.is_null()))
        .set(r::used_at.eq(at))
        .execute(conn)?;
    Ok((n == 1).then_some(user_id))
}
