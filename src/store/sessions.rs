//! Sessions: one counselor with a couple or with one client. Every read goes through
//! `access::visible_sessions`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    client_counselors as cc, clients, couple_counselors as kc, session_attendees as sa, sessions as s, users,
};
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, CoupleId, PracticeId, SessionId, UserId};
use crate::domain::session::{key, parse_key, Modality, SessionStatus};
use crate::domain::value_sessions::{CancellationReason, SummaryText};
use crate::domain::Actor;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::access::{assigned_clients, assigned_couples, client_visible, couple_visible, visible_sessions};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = s)]
pub struct SessionRow {
    pub id: SessionId,
    pub practice_id: PracticeId,
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub counselor_id: UserId,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: Modality,
    pub status: SessionStatus,
    pub cancellation_reason: Option<String>,
    pub summary_text: Option<String>,
    pub summary_shared_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SessionRow {
    /// Whom the session is with. The table's CHECK holds exactly one of the two; a row
    /// without either is a read error, not a guess.
    pub fn subject(&self) -> AppResult<Subject> {
        match (&self.couple_id, &self.client_id) {
            (Some(k), _) => Ok(Subject::Couple(k.clone())),
            (None, Some(c)) => Ok(Subject::Client(c.clone())),
            (None, None) => Err(AppError::internal("a session row names neither a couple nor a client")),
        }
    }
}

/// Whom a session is with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Couple(CoupleId),
    Client(ClientId),
}

impl Subject {
    /// The request field that names it, for 422s.
    pub fn field(&self) -> &'static str {
        match self {
            Subject::Couple(_) => "couple_id",
            Subject::Client(_) => "client_id",
        }
    }

    pub fn resource_type(&self) -> ResourceKind {
        match self {
            Subject::Couple(_) => ResourceKind::Couple,
            Subject::Client(_) => ResourceKind::Client,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Subject::Couple(id) => id,
            Subject::Client(id) => id,
        }
    }

    /// The row's two columns.
    fn columns(&self) -> (Option<CoupleId>, Option<ClientId>) {
        match self {
            Subject::Couple(id) => (Some(id.clone()), None),
            Subject::Client(id) => (None, Some(id.clone())),
        }
    }
}

/// May the actor hold sessions with this subject? A couple: assigned to the couple. A client
/// (individual work): assigned to that client directly; being assigned to a couple the client
/// is a partner of is not enough.
#[tracing::instrument(skip_all, fields(subject.id = %subject.id()))]
pub fn subject_visible(conn: &mut AnyConnection, actor: &Actor, subject: &Subject) -> QueryResult<bool> {
    match subject {
        Subject::Couple(id) => couple_visible(conn, actor, id),
        Subject::Client(id) => Ok(client_visible(conn, actor, id)?
            && diesel::select(diesel::dsl::exists(
                assigned_clients(actor.user_id.clone()).filter(cc::client_id.eq(id.clone())),
            ))
            .get_result(conn)?),
    }
}

/// Who may attend: both partners of a couple, or the client.
pub fn possible_attendees(conn: &mut AnyConnection, subject: &Subject) -> QueryResult<Vec<ClientId>> {
    match subject {
        Subject::Couple(id) => crate::store::couples::partners(conn, id),
        Subject::Client(id) => Ok(vec![id.clone()]),
    }
}

/// Is `user_id` an active staff member of the practice assigned to this subject?
#[tracing::instrument(skip_all, fields(subject.id = %subject.id(), user.id = %user_id))]
pub fn staff_assigned(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    subject: &Subject,
    user_id: &UserId,
) -> QueryResult<bool> {
    let staff: bool = diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::practice_id.eq(practice_id))
            .filter(users::role.ne("client"))
            .filter(users::active.eq(true)),
    ))
    .get_result(conn)?;
    if !staff {
        return Ok(false);
    }
    match subject {
        Subject::Couple(id) => {
            diesel::select(diesel::dsl::exists(assigned_couples(user_id.clone()).filter(kc::couple_id.eq(id))))
                .get_result(conn)
        }
        Subject::Client(id) => {
            diesel::select(diesel::dsl::exists(assigned_clients(user_id.clone()).filter(cc::client_id.eq(id))))
                .get_result(conn)
        }
    }
}

/// Serializes schedule changes of one counselor for the rest of the transaction: a row lock on
/// their user row on PostgreSQL; SQLite already holds the write lock in a `write_tx`.
#[tracing::instrument(skip_all, fields(counselor.id = %counselor_id))]
pub fn lock_counselor(conn: &mut AnyConnection, counselor_id: &UserId) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(counselor_id))).set(users::id.eq(users::id)).execute(conn)?;
    Ok(())
}

/// Does the counselor have another scheduled session overlapping `[starts_at, ends_at)`?
pub fn overlaps(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    counselor_id: &UserId,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    except: Option<&SessionId>,
) -> QueryResult<bool> {
    let mut q = s::table
        .filter(s::practice_id.eq(practice_id.clone()))
        .filter(s::counselor_id.eq(counselor_id.clone()))
        .filter(s::status.eq(SessionStatus::Scheduled))
        .filter(s::starts_at.lt(ends_at))
        .filter(s::ends_at.gt(starts_at))
        .select(s::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(s::id.ne(id.clone()));
    }
    Ok(q.first::<SessionId>(conn).optional()?.is_some())
}

/// The checks every schedule change shares: lock the counselor, then refuse an overlap.
#[tracing::instrument(skip_all, fields(counselor.id = %counselor_id))]
pub fn claim_slot(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    counselor_id: &UserId,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    except: Option<&SessionId>,
) -> AppResult<()> {
    lock_counselor(conn, counselor_id)?;
    if overlaps(conn, practice_id, counselor_id, starts_at, ends_at, except)? {
        return Err(AppError::Conflict("The counselor already has a scheduled session at that time.".into()));
    }
    Ok(())
}

/// A new session's row: checked values only (Lemmy's `InsertForm`); its attendees go in with
/// it ([`create`]).
#[derive(Insertable)]
#[diesel(table_name = s, treat_none_as_default_value = false)]
pub struct NewSession {
    pub id: SessionId,
    pub practice_id: PracticeId,
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub counselor_id: UserId,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: Modality,
    pub status: SessionStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewSession {
    /// A scheduled session with `subject`, `duration_minutes` long, made now.
    pub fn scheduled(
        id: SessionId,
        practice_id: PracticeId,
        subject: &Subject,
        counselor_id: UserId,
        starts_at: NaiveDateTime,
        duration_minutes: i32,
        modality: Modality,
    ) -> NewSession {
        let at = crate::db::now();
        let (couple_id, client_id) = subject.columns();
        NewSession {
            id,
            practice_id,
            couple_id,
            client_id,
            counselor_id,
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(duration_minutes.into()),
            duration_minutes,
            modality,
            status: SessionStatus::Scheduled,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }
}

#[tracing::instrument(skip_all, fields(session.id = %new.id))]
pub fn create(conn: &mut AnyConnection, new: &NewSession, attendee_ids: &[ClientId]) -> QueryResult<()> {
    diesel::insert_into(s::table).values(new).execute(conn)?;
    set_attendees(conn, &new.practice_id, &new.id, attendee_ids)
}

/// Replaces the attendees of a session.
#[tracing::instrument(skip_all, fields(session.id = %id))]
pub fn set_attendees(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    id: &SessionId,
    client_ids: &[ClientId],
) -> QueryResult<()> {
    diesel::delete(sa::table.filter(sa::session_id.eq(id))).execute(conn)?;
    for client_id in client_ids {
        diesel::insert_into(sa::table)
            .values((sa::session_id.eq(id), sa::client_id.eq(client_id), sa::practice_id.eq(practice_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// The session, if the actor may see it (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(session.id = %id))]
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &SessionId) -> QueryResult<SessionRow> {
    visible_sessions(actor).filter(s::id.eq(id.clone())).select(SessionRow::as_select()).first(conn)
}

/// Attendee ids of many sessions at once (one query for a page), grouped by session.
pub fn attendees(
    conn: &mut AnyConnection,
    session_ids: &[SessionId],
) -> QueryResult<std::collections::HashMap<SessionId, Vec<ClientId>>> {
    let pairs = sa::table
        .filter(sa::session_id.eq_any(session_ids))
        .select((sa::session_id, sa::client_id))
        .order((sa::session_id, sa::client_id))
        .load(conn)?;
    Ok(crate::store::couples::group(pairs))
}

/// Attendees of many sessions with their names ([`names::client_name`]), in one statement for
/// a page, grouped by session in id order.
pub fn attendees_named(
    conn: &mut AnyConnection,
    session_ids: &[SessionId],
) -> QueryResult<std::collections::HashMap<SessionId, Vec<(ClientId, String)>>> {
    let rows: Vec<(SessionId, ClientId, String, String, Option<String>)> = sa::table
        .inner_join(clients::table.on(clients::id.eq(sa::client_id)))
        .filter(sa::session_id.eq_any(session_ids))
        .select((sa::session_id, sa::client_id, clients::first_name, clients::last_name, clients::preferred_name))
        .order((sa::session_id, sa::client_id))
        .load(conn)?;
    let named = rows.into_iter().map(|(session, id, first, last, preferred)| {
        (session, (id, crate::store::names::client_name(&first, &last, preferred.as_deref())))
    });
    Ok(crate::store::couples::group(named.collect()))
}

#[derive(Default)]
pub struct ListFilter {
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub counselor_id: Option<UserId>,
    pub status: Option<SessionStatus>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Visible sessions, ordered by starts_at, id (keyset). Their attendees come from one more
/// statement for the whole page ([`attendees`]): measured faster than a correlated subselect per
/// row (tests/bench b: the subselect ran once per row of the page, ~1.5 ms for 26 rows).
pub fn list(conn: &mut AnyConnection, actor: &Actor, f: &ListFilter, page: &PageRequest) -> AppResult<Vec<SessionRow>> {
    let mut q = visible_sessions(actor).select(SessionRow::as_select());
    if let Some(v) = &f.couple_id {
        q = q.filter(s::couple_id.eq(v.clone()));
    }
    if let Some(v) = &f.client_id {
        q = q.filter(s::client_id.eq(v.clone()));
    }
    if let Some(v) = &f.counselor_id {
        q = q.filter(s::counselor_id.eq(v.clone()));
    }
    if let Some(v) = f.status {
        q = q.filter(s::status.eq(v));
    }
    if let Some(v) = f.from {
        q = q.filter(s::starts_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(s::starts_at.lt(v));
    }
    if let Some(after) = &page.after {
        let bad = || AppError::BadRequest("The cursor is not one this listing gave out.".into());
        let at = parse_key(&after[0]).ok_or_else(bad)?;
        let id = after[1].clone();
        q = q.filter(s::starts_at.ge(at)).filter(s::starts_at.gt(at).or(s::starts_at.eq(at).and(s::id.gt(id))));
    }
    Ok(q.order((s::starts_at.asc(), s::id.asc())).limit(page.fetch()).load(conn)?)
}

/// The cursor key of a row in [`list`].
pub fn list_key(r: &SessionRow) -> Vec<String> {
    vec![key(r.starts_at), r.id.to_string()]
}

/// The whole new schedule and state of a session (checked, merged with the current row), with
/// the version it moves to (Lemmy's `UpdateForm`).
#[derive(AsChangeset)]
#[diesel(table_name = s, treat_none_as_null = true)]
pub struct Changes {
    pub counselor_id: UserId,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: Modality,
    pub status: SessionStatus,
    pub cancellation_reason: Option<CancellationReason>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

/// Writes the changes if the row is still at `version` (the changes carry `version + 1`);
/// false when a concurrent write won.
#[tracing::instrument(skip_all, fields(session.id = %id))]
pub fn update(conn: &mut AnyConnection, id: &SessionId, version: i64, changes: &Changes) -> QueryResult<bool> {
    let n = diesel::update(s::table.filter(s::id.eq(id)).filter(s::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

/// The summary text and its shared time (None: a draft the attendees do not see), with the
/// version the session moves to.
#[derive(AsChangeset)]
#[diesel(table_name = s, treat_none_as_null = true)]
pub struct SummaryChanges {
    pub summary_text: SummaryText,
    pub summary_shared_at: Option<NaiveDateTime>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

/// Writes the summary if the session is still at `version`; false when a concurrent write won.
#[tracing::instrument(skip_all, fields(session.id = %id))]
pub fn set_summary(
    conn: &mut AnyConnection,
    id: &SessionId,
    version: i64,
    changes: &SummaryChanges,
) -> QueryResult<bool> {
    let n = diesel::update(s::table.filter(s::id.eq(id)).filter(s::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}
