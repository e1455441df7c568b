//! Idempotency keys, kept in the database so they hold across instances.

use diesel::prelude::*;

use crate::db::schema::idempotency_keys as k;
use crate::db::{now, AnyConnection};

/// How long a key is remembered.
pub const TTL_HOURS: i64 = 24;

/// A stored response.
pub struct Stored {
    pub request_hash: String,
    pub status_code: Option<i32>,
    pub response_body: Option<String>,
    pub location: Option<String>,
    pub etag: Option<String>,
}

pub enum Claim {
    /// This request owns the key now.
    Claimed,
    /// The key was used before (possibly still in flight).
    Existing(Stored),
}

/// Claims `key` for `user_id`, or returns what is stored for it.
pub fn claim(conn: &mut AnyConnection, user_id: &str, key: &str, request_hash: &str) -> QueryResult<Claim> {
    let cutoff = now() - chrono::Duration::hours(TTL_HOURS);
    diesel::delete(
        k::table.filter(k::user_id.eq(user_id)).filter(k::idem_key.eq(key)).filter(k::created_at.lt(cutoff)),
    )
    .execute(conn)?;
    let inserted = diesel::insert_into(k::table)
        .values((
            k::user_id.eq(user_id),
            k::idem_key.eq(key),
            k::request_hash.eq(request_hash),
            k::created_at.eq(now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::Claimed),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            let (request_hash, status_code, response_body, location, etag) = k::table
                .filter(k::user_id.eq(user_id))
                .filter(k::idem_key.eq(key))
                .select((k::request_hash, k::status_code, k::response_body, k::location, k::etag))
                .first(conn)?;
            Ok(Claim::Existing(Stored { request_hash, status_code, response_body, location, etag }))
        }
        Err(e) => Err(e),
    }
}

/// Stores the response of the request that claimed the key.
pub fn complete(
    conn: &mut AnyConnection,
    user_id: &str,
    key: &str,
    status: u16,
    body: &str,
    location: Option<&str>,
    etag: Option<&str>,
) -> QueryResult<()> {
    diesel::update(k::table.filter(k::user_id.eq(user_id)).filter(k::idem_key.eq(key)))
        .set((
            k::status_code.eq(Some(i32::from(status))),
            k::response_body.eq(Some(body)),
            k::location.eq(location),
            k::etag.eq(etag),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Forgets a key whose request failed on our side, so a retry can run.
pub fn release(conn: &mut AnyConnection, user_id: &str, key: &str) -> QueryResult<()> {
    diesel::delete(k::table.filter(k::user_id.eq(user_id)).filter(k::idem_key.eq(key))).execute(conn).map(|_| ())
}
