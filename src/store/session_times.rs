//! `last_session_at` and `next_session_at` of a page of clients, in one query per page (a
//! correlated MAX and MIN per row); a page of couples reads its own in its statement
//! (`store::couples::list`), by the same rule. Only sessions the caller may see count: a couple's
//! sessions for couples the caller is assigned to; for a client, the sessions they attend that
//! the caller may see (their couple's, through the couple's assignment; their individual ones,
//! through the client's), so a time never reveals a session the caller could not open.
//!
//! The last session is the latest that has begun and was not cancelled; the next one the
//! earliest still `scheduled` that has not begun.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::{max, min};
use diesel::prelude::*;

use crate::db::schema::{
    client_counselors as cc, clients as c, couple_counselors as kc, session_attendees as sa, sessions as s,
};
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, PracticeId, UserId};

/// (last, next) of one couple or client; `None` when there is none.
pub type Times = (Option<NaiveDateTime>, Option<NaiveDateTime>);

/// Times of these clients, from the sessions they attend that `viewer` (of `practice_id`) may
/// see: couple sessions of couples the viewer is assigned to, individual sessions of clients the
/// viewer is assigned to (the rule of `access::visible_sessions`).
pub fn of_clients(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    viewer: &UserId,
    ids: &[ClientId],
    now: NaiveDateTime,
) -> QueryResult<HashMap<ClientId, Times>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let visible = |uid: UserId| {
        s::couple_id
            .assume_not_null()
            .eq_any(kc::table.filter(kc::counselor_id.eq(uid.clone())).select(kc::couple_id))
            .or(s::client_id.assume_not_null().eq_any(cc::table.filter(cc::counselor_id.eq(uid)).select(cc::client_id)))
    };
    let uid = viewer.clone();
    let last = s::table
        .inner_join(sa::table)
        .filter(sa::client_id.eq(c::id))
        .filter(s::practice_id.eq(practice_id.clone()))
        .filter(s::starts_at.le(now))
        .filter(s::status.ne("cancelled"))
        .filter(visible(uid.clone()))
        .select(max(s::starts_at))
        .single_value();
    let next = s::table
        .inner_join(sa::table)
        .filter(sa::client_id.eq(c::id))
        .filter(s::practice_id.eq(practice_id.clone()))
        .filter(s::starts_at.gt(now))
        .filter(s::status.eq("scheduled"))
        .filter(visible(uid))
        .select(min(s::starts_at))
        .single_value();
    let rows: Vec<(ClientId, Option<NaiveDateTime>, Option<NaiveDateTime>)> = c::table
        .filter(c::id.eq_any(ids))
        .select((c::id, last.assume_not_null().nullable(), next.assume_not_null().nullable()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, l, n)| (id, (l, n))).collect())
}
