//! Sessions: one counselor with a couple or with one client. Every read goes through
//! `access::visible_sessions`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::access::{assigned_clients, assigned_couples, client_visible, couple_visible, visible_sessions};
use crate::auth::Actor;
use crate::db::schema::{
    client_counselors as cc, couple_counselors as kc, session_attendees as sa, sessions as s, users,
};
use crate::db::{now, AnyConnection};
use crate::domain::ids::UserId;
use crate::domain::session::{key, parse_key, SessionStatus};
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = s)]
pub struct SessionRow {
    pub id: String,
    pub practice_id: String,
    pub couple_id: Option<String>,
    pub client_id: Option<String>,
    pub counselor_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: String,
    pub status: String,
    pub cancellation_reason: Option<String>,
    pub summary_text: Option<String>,
    pub summary_shared_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SessionRow {
    pub fn status(&self) -> Option<SessionStatus> {
        SessionStatus::parse(&self.status)
    }

    pub fn subject(&self) -> Subject {
        match (&self.couple_id, &self.client_id) {
            (Some(k), _) => Subject::Couple(k.clone()),
            (None, Some(c)) => Subject::Client(c.clone()),
            // The table's CHECK makes this unreachable; an empty subject matches nobody.
            (None, None) => Subject::Client(String::new()),
        }
    }
}

/// Whom a session is with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Couple(String),
    Client(String),
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
            Subject::Couple(id) | Subject::Client(id) => id,
        }
    }
}

/// May the actor hold sessions with this subject? A couple: assigned to the couple. A client
/// (individual work): assigned to that client directly; being assigned to a couple the client
/// is a partner of is not enough.
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
pub fn possible_attendees(conn: &mut AnyConnection, subject: &Subject) -> QueryResult<Vec<String>> {
    match subject {
        Subject::Couple(id) => crate::store::couples::partners_of(conn, id),
        Subject::Client(id) => Ok(vec![id.clone()]),
    }
}

/// Is `user_id` an active staff member of the practice assigned to this subject?
pub fn staff_assigned(
    conn: &mut AnyConnection,
    practice_id: &str,
    subject: &Subject,
    user_id: &str,
) -> QueryResult<bool> {
    let staff: bool = diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::practice_id.eq(practice_id))
            .filter(users::role.ne("client"))
            .filter(users::active.eq(true)),
    ))
    .get_result(conn)?;
    let Ok(user_id) = user_id.parse::<UserId>() else { return Ok(false) };
    if !staff {
        return Ok(false);
    }
    match subject {
        Subject::Couple(id) => {
            diesel::select(diesel::dsl::exists(assigned_couples(user_id.clone()).filter(kc::couple_id.eq(id.clone()))))
                .get_result(conn)
        }
        Subject::Client(id) => {
            diesel::select(diesel::dsl::exists(assigned_clients(user_id).filter(cc::client_id.eq(id.clone()))))
                .get_result(conn)
        }
    }
}

/// Serializes schedule changes of one counselor for the rest of the transaction: a row lock on
/// their user row on PostgreSQL; SQLite already holds the write lock in a `write_tx`.
pub fn lock_counselor(conn: &mut AnyConnection, counselor_id: &str) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(counselor_id))).set(users::id.eq(users::id)).execute(conn)?;
    Ok(())
}

/// Does the counselor have another scheduled session overlapping `[starts_at, ends_at)`?
pub fn overlaps(
    conn: &mut AnyConnection,
    practice_id: &str,
    counselor_id: &str,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    except: Option<&str>,
) -> QueryResult<bool> {
    let mut q = s::table
        .filter(s::practice_id.eq(practice_id.to_string()))
        .filter(s::counselor_id.eq(counselor_id.to_string()))
        .filter(s::status.eq(SessionStatus::Scheduled.as_str()))
        .filter(s::starts_at.lt(ends_at))
        .filter(s::ends_at.gt(starts_at))
        .select(s::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(s::id.ne(id.to_string()));
    }
    Ok(q.first::<String>(conn).optional()?.is_some())
}

/// The checks every schedule change shares: lock the counselor, then refuse an overlap.
pub fn claim_slot(
    conn: &mut AnyConnection,
    practice_id: &str,
    counselor_id: &str,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    except: Option<&str>,
) -> AppResult<()> {
    lock_counselor(conn, counselor_id)?;
    if overlaps(conn, practice_id, counselor_id, starts_at, ends_at, except)? {
        return Err(AppError::Conflict("The counselor already has a scheduled session at that time.".into()));
    }
    Ok(())
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub subject: &'a Subject,
    pub counselor_id: &'a str,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: &'a str,
    pub attendee_ids: &'a [String],
}

pub fn create(conn: &mut AnyConnection, new: &NewSession<'_>) -> QueryResult<()> {
    let at = now();
    let (couple_id, client_id) = match new.subject {
        Subject::Couple(id) => (Some(id.as_str()), None),
        Subject::Client(id) => (None, Some(id.as_str())),
    };
    diesel::insert_into(s::table)
        .values((
            s::id.eq(new.id),
            s::practice_id.eq(new.practice_id),
            s::couple_id.eq(couple_id),
            s::client_id.eq(client_id),
            s::counselor_id.eq(new.counselor_id),
            s::starts_at.eq(new.starts_at),
            s::ends_at.eq(new.starts_at + chrono::Duration::minutes(new.duration_minutes.into())),
            s::duration_minutes.eq(new.duration_minutes),
            s::modality.eq(new.modality),
            s::status.eq(SessionStatus::Scheduled.as_str()),
            s::version.eq(1i64),
            s::created_at.eq(at),
            s::updated_at.eq(at),
        ))
        .execute(conn)?;
    set_attendees(conn, new.practice_id, new.id, new.attendee_ids)
}

/// Replaces the attendees of a session.
pub fn set_attendees(conn: &mut AnyConnection, practice_id: &str, id: &str, client_ids: &[String]) -> QueryResult<()> {
    diesel::delete(sa::table.filter(sa::session_id.eq(id))).execute(conn)?;
    for client_id in client_ids {
        diesel::insert_into(sa::table)
            .values((sa::session_id.eq(id), sa::client_id.eq(client_id), sa::practice_id.eq(practice_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// The session, if the actor may see it.
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<SessionRow>> {
    visible_sessions(actor).filter(s::id.eq(id.to_string())).select(SessionRow::as_select()).first(conn).optional()
}

/// Attendee ids of many sessions at once (one query for a page), grouped by session.
pub fn attendees(
    conn: &mut AnyConnection,
    session_ids: &[String],
) -> QueryResult<std::collections::HashMap<String, Vec<String>>> {
    let pairs = sa::table
        .filter(sa::session_id.eq_any(session_ids))
        .select((sa::session_id, sa::client_id))
        .order((sa::session_id, sa::client_id))
        .load(conn)?;
    Ok(crate::store::couples::group(pairs))
}

#[derive(Default)]
pub struct ListFilter {
    pub couple_id: Option<String>,
    pub client_id: Option<String>,
    pub counselor_id: Option<String>,
    pub status: Option<SessionStatus>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Visible sessions, ordered by starts_at, id (keyset).
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
        q = q.filter(s::status.eq(v.as_str()));
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
    vec![key(r.starts_at), r.id.clone()]
}

pub struct Changes {
    pub counselor_id: String,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub modality: String,
    pub status: String,
    pub cancellation_reason: Option<String>,
}

/// Writes the changes if the row is still at `version`; false when a concurrent write won.
pub fn update(conn: &mut AnyConnection, id: &str, version: i64, c: &Changes) -> QueryResult<bool> {
    let n = diesel::update(s::table.filter(s::id.eq(id)).filter(s::version.eq(version)))
        .set((
            s::counselor_id.eq(&c.counselor_id),
            s::starts_at.eq(c.starts_at),
            s::ends_at.eq(c.starts_at + chrono::Duration::minutes(c.duration_minutes.into())),
            s::duration_minutes.eq(c.duration_minutes),
            s::modality.eq(&c.modality),
            s::status.eq(&c.status),
            s::cancellation_reason.eq(&c.cancellation_reason),
            s::version.eq(version + 1),
            s::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Sets the summary text and its shared time (None: a draft the attendees do not see).
pub fn set_summary(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    text: &str,
    shared_at: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    let n = diesel::update(s::table.filter(s::id.eq(id)).filter(s::version.eq(version)))
        .set((
            s::summary_text.eq(text),
            s::summary_shared_at.eq(shared_at),
            s::version.eq(version + 1),
            s::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
