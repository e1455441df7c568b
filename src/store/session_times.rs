//! `last_session_at` and `next_session_at` of a page of couples or clients, in one query per
//! page (a correlated MAX and MIN per row). Only sessions the caller may see count: a couple's
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
    client_counselors as cc, clients as c, couple_counselors as kc, couples as k, session_attendees as sa,
    sessions as s,
};
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, CoupleId, PracticeId, UserId};

/// (last, next) of one couple or client; `None` when there is none.
pub type Times = (Option<NaiveDateTime>, Option<NaiveDateTime>);

/// Times of these couples, which the caller must be assigned to (the caller checks: a couple an
/// admin only finds to assign gets none).
pub fn of_couples(
    conn: &mut AnyConnection,
    ids: &[CoupleId],
    now: NaiveDateTime,
) -> QueryResult<HashMap<CoupleId, Times>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // The first that counts along the (couple_id, starts_at) index, not a MAX or MIN over all of
    // the couple's sessions.
    let last = s::table
        .filter(s::couple_id.eq(k::id.nullable()))
        .filter(s::starts_at.le(now))
        .filter(s::status.ne("cancelled"))
        .select(s::starts_at)
        .order(s::starts_at.desc())
        .limit(1)
        .single_value();
    let next = s::table
        .filter(s::couple_id.eq(k::id.nullable()))
        .filter(s::starts_at.gt(now))
        .filter(s::status.eq("scheduled"))
        .select(s::starts_at)
        .order(s::starts_at.asc())
        .limit(1)
        .single_value();
    let rows: Vec<(CoupleId, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        k::table.filter(k::id.eq_any(ids)).select((k::id, last, next)).load(conn)?;
    Ok(rows.into_iter().map(|(id, l, n)| (id, (l, n))).collect())
}

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
