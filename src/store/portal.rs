//! What a portal client may read about themselves: their own client record and the sessions
//! they attend. Boundaries and milestones have their portal scopes in their own stores
//! (`boundaries::of_client`, `milestones::of_client`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{clients as c, session_attendees as sa, sessions as s, users as u};
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, CoupleId, SessionId, UserId};
use crate::domain::session::{Modality, SessionStatus};
use crate::domain::Actor;
use crate::domain::Role;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::boundaries::parse_ts_key;
use crate::store::clients::ClientRow;

/// The caller's own client record (`NotFound` for a non-client actor).
#[tracing::instrument(skip_all, fields(user.id = %actor.user_id))]
pub fn me(conn: &mut AnyConnection, actor: &Actor) -> QueryResult<ClientRow> {
    let Some(client_id) = actor.client_id.clone() else { return Err(diesel::result::Error::NotFound) };
    c::table
        .filter(c::practice_id.eq(actor.practice_id.clone()))
        .filter(c::id.eq(client_id))
        .select(ClientRow::as_select())
        .first(conn)
}

/// The columns of a session a client may see: no notes, no draft summary text unless shared.
#[derive(Queryable, Debug, Clone)]
pub struct PortalSessionRow {
    pub id: SessionId,
    /// The couple of a joint session; null for an individual one.
    pub couple_id: Option<CoupleId>,
    pub counselor_id: UserId,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: Modality,
    pub status: SessionStatus,
    pub summary_text: Option<String>,
    pub summary_shared_at: Option<NaiveDateTime>,
}

impl PortalSessionRow {
    /// The summary, only once it has been shared.
    pub fn shared_summary(&self) -> Option<(String, NaiveDateTime)> {
        match (&self.summary_text, self.summary_shared_at) {
            (Some(text), Some(at)) => Some((text.clone(), at)),
            _ => None,
        }
    }
}

/// Sessions the caller attends, ordered by (starts_at, id), one page. Their counselors' names
/// come from one more statement for the whole page ([`staff_names`]): measured faster than a
/// correlated subselect per row (tests/bench d, as for the session pages of b).
#[tracing::instrument(skip_all, fields(user.id = %actor.user_id))]
pub fn sessions(conn: &mut AnyConnection, actor: &Actor, page: &PageRequest) -> AppResult<Vec<PortalSessionRow>> {
    let client_id = actor.client_id.clone().ok_or(AppError::NotFound)?;
    let mut q = s::table
        .filter(s::practice_id.eq(actor.practice_id.clone()))
        .filter(s::id.eq_any(sa::table.filter(sa::client_id.eq(client_id)).select(sa::session_id)))
        .select((
            s::id,
            s::couple_id,
            s::counselor_id,
            s::starts_at,
            s::duration_minutes,
            s::modality,
            s::status,
            s::summary_text,
            s::summary_shared_at,
        ))
        .into_boxed();
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(s::starts_at.ge(at)).filter(s::starts_at.gt(at).or(s::starts_at.eq(at).and(s::id.gt(id))));
    }
    Ok(q.order((s::starts_at.asc(), s::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Display names of the practice's staff among `ids` (one statement for a page, `= ANY` on
/// PostgreSQL): a client's own id in the list finds nothing.
pub fn staff_names(conn: &mut AnyConnection, actor: &Actor, ids: &[UserId]) -> QueryResult<HashMap<UserId, String>> {
    let pairs: Vec<(UserId, String)> = u::table
        .filter(u::practice_id.eq(actor.practice_id.clone()))
        .filter(u::id.eq_any(ids))
        .filter(u::role.ne(Role::Client))
        .select((u::id, u::display_name))
        .load(conn)?;
    Ok(pairs.into_iter().collect())
}

/// Display names of the caller's counselors: those assigned to the caller, and to the caller's
/// couples. Sorted, each once.
pub fn my_counselors(conn: &mut AnyConnection, actor: &Actor) -> QueryResult<Vec<String>> {
    use crate::db::schema::{client_counselors as cc, couple_counselors as kc, couple_partners as cp};
    let Some(me) = actor.client_id.clone() else { return Ok(Vec::new()) };
    let mine = cc::table.filter(cc::client_id.eq(me.clone())).select(cc::counselor_id);
    let couples = cp::table.filter(cp::client_id.eq(me)).select(cp::couple_id);
    let of_couples = kc::table.filter(kc::couple_id.eq_any(couples)).select(kc::counselor_id);
    let mut names: Vec<String> = u::table
        .filter(u::practice_id.eq(actor.practice_id.clone()))
        .filter(u::role.ne(Role::Client))
        .filter(u::active.eq(true))
        .filter(u::id.eq_any(mine).or(u::id.eq_any(of_couples)))
        .select(u::display_name)
        .load(conn)?;
    names.sort();
    names.dedup();
    Ok(names)
}

/// One of the caller's couples: its id and status, and the other partner's id, first and
/// preferred name.
#[derive(Queryable, Debug)]
pub struct MyCouple {
    pub id: CoupleId,
    pub status: crate::domain::CoupleStatus,
    pub partner_id: ClientId,
    pub first_name: String,
    pub preferred_name: Option<String>,
}

/// The caller's couples, oldest first.
pub fn my_couples(conn: &mut AnyConnection, actor: &Actor) -> QueryResult<Vec<MyCouple>> {
    use crate::db::schema::{couple_partners as cp, couples as k};
    let Some(me) = actor.client_id.clone() else { return Ok(Vec::new()) };
    let (mine, other) = diesel::alias!(cp as mine, cp as other);
    mine.inner_join(k::table.on(k::id.eq(mine.field(cp::couple_id))))
        .inner_join(other.on(other.field(cp::couple_id).eq(mine.field(cp::couple_id))))
        .inner_join(c::table.on(c::id.eq(other.field(cp::client_id))))
        .filter(mine.field(cp::client_id).eq(me.clone()))
        .filter(other.field(cp::client_id).ne(me))
        .filter(k::practice_id.eq(actor.practice_id.clone()))
        .select((k::id, k::status, c::id, c::first_name, c::preferred_name))
        .order(k::created_at.asc())
        .load(conn)
}
