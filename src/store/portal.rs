//! What a portal client may read about themselves: their own client record and the sessions
//! they attend. Boundaries and milestones have their portal scopes in their own stores
//! (`boundaries::of_client`, `milestones::of_client`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{clients as c, session_attendees as sa, sessions as s, users as u};
use crate::db::AnyConnection;
use crate::domain::ids::{SessionId, UserId};
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
