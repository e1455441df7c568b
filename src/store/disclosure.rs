//! The disclosed records document: one collector per kind of record. Each reads through the
//! same scoped queries as the rest of the API (`access::visible_sessions`,
//! `access::visible_notes`, `boundaries::visible`, `milestones::visible`), narrowed to the
//! release's subject and window, never widened:
//!
//! - a couple's release reads rows whose `couple_id` is the couple: a partner's individual
//!   session (`client_id` set, `couple_id` null) cannot match, nor its notes;
//! - a client's release reads rows whose `client_id` is the client (their individual work);
//! - summaries come only from [`SharedSummaryRow`], which only a query with
//!   `summary_shared_at IS NOT NULL` returns; mediation notes only signed ones, and only when
//!   the release says `include_mediation_notes`;
//! - author-only records (a partner's drafts) have no collector and never will;
//! - a couple's release carries what the partners were shown: milestones `visible_to_clients`
//!   only, sessions that have taken place (completed) only, shared summaries only.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{boundaries as b, milestones as m, notes as n, sessions as s};
use crate::db::AnyConnection;
use crate::domain::consent::RecordKind;
use crate::domain::ids::{ClientId, NoteId, SessionId};
use crate::domain::session::NoteStatus;
use crate::domain::Actor;
use crate::problem::AppResult;
use crate::store::access::{visible_notes, visible_sessions};
use crate::store::activities::{ActivityRow, LogRow};
use crate::store::assessments::AssessmentRow;
use crate::store::boundaries::{AckRow, BoundaryRow};
use crate::store::letters::ReleasedLetterRow;
use crate::store::milestones::MilestoneRow;
use crate::store::notes::{AddendumRow, NoteRow};
use crate::store::sessions::{SessionRow, Subject};
use crate::store::{boundaries, milestones, notes, sessions};

/// The release's window as instants: `[from 00:00, to + 1 day 00:00)` UTC.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

impl Window {
    pub fn of(from: Option<&str>, to: Option<&str>) -> Window {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
        Window {
            from: from.and_then(day).and_then(|d| d.and_hms_opt(0, 0, 0)),
            until: to.and_then(day).and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)),
        }
    }
}

/// The rows one disclosure carries, exactly the included kinds (`None`: not included); the
/// disclosed records are assembled from them in `views::releases`.
#[derive(Default)]
pub struct Collected {
    /// Sessions with their attendees.
    pub sessions: Option<Vec<(SessionRow, Vec<ClientId>)>>,
    pub summaries: Option<Vec<SharedSummaryRow>>,
    /// Boundaries and the acknowledgements of them.
    pub boundaries: Option<(Vec<BoundaryRow>, Vec<AckRow>)>,
    pub milestones: Option<Vec<MilestoneRow>>,
    /// Activities with their joint logs.
    pub activities: Option<Vec<(ActivityRow, Vec<LogRow>)>>,
    pub letters: Option<Vec<ReleasedLetterRow>>,
    pub assessments: Option<Vec<AssessmentRow>>,
    /// Signed notes with their addenda.
    pub mediation_notes: Option<Vec<(NoteRow, Vec<AddendumRow>)>>,
}

/// Everything one disclosure carries: exactly the included kinds.
pub fn collect(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
    include: &[RecordKind],
    include_mediation_notes: bool,
) -> AppResult<Collected> {
    let mut records = Collected::default();
    for kind in include {
        match kind {
            RecordKind::Sessions => records.sessions = Some(collect_sessions(conn, actor, subject, window)?),
            RecordKind::Summaries => records.summaries = Some(collect_summaries(conn, actor, subject, window)?),
            RecordKind::Boundaries => records.boundaries = Some(collect_boundaries(conn, actor, subject, window)?),
            RecordKind::Milestones => records.milestones = Some(collect_milestones(conn, actor, subject, window)?),
            RecordKind::Activities => records.activities = Some(collect_activities(conn, actor, subject, window)?),
            RecordKind::Letters => records.letters = Some(collect_letters(conn, actor, subject, window)?),
            RecordKind::Assessments => records.assessments = Some(collect_assessments(conn, actor, subject, window)?),
        }
    }
    if include_mediation_notes {
        records.mediation_notes = Some(collect_mediation_notes(conn, actor, subject, window)?);
    }
    Ok(records)
}

/// The subject's sessions the actor may see, in the window: `visible_sessions` narrowed to the
/// couple's joint sessions or to the client's individual ones.
fn subject_sessions(
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> s::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut q = visible_sessions(actor);
    q = match subject {
        Subject::Couple(id) => q.filter(s::couple_id.eq(id.clone())),
        Subject::Client(id) => q.filter(s::client_id.eq(id.clone())),
    };
    if let Some(from) = window.from {
        q = q.filter(s::starts_at.ge(from));
    }
    if let Some(until) = window.until {
        q = q.filter(s::starts_at.lt(until));
    }
    q
}

fn collect_sessions(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<(SessionRow, Vec<ClientId>)>> {
    // Only sessions that have taken place: a scheduled one is a plan, not a record.
    let rows: Vec<SessionRow> = subject_sessions(actor, subject, window)
        .filter(s::status.eq(crate::domain::session::SessionStatus::Completed.as_str()))
        .filter(s::starts_at.lt(crate::db::now()))
        .select(SessionRow::as_select())
        .order((s::starts_at.asc(), s::id.asc()))
        .load(conn)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    let mut attendees = sessions::attendees(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let of = attendees.remove(&r.id).unwrap_or_default();
            (r, of)
        })
        .collect())
}

/// A summary that has been shared: only [`collect_summaries`]'s query, which requires
/// `summary_shared_at IS NOT NULL`, returns this type.
#[derive(Queryable, Debug)]
pub struct SharedSummaryRow {
    pub session_id: SessionId,
    pub starts_at: NaiveDateTime,
    pub text: String,
    pub shared_at: NaiveDateTime,
}

fn collect_summaries(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<SharedSummaryRow>> {
    Ok(subject_sessions(actor, subject, window)
        .filter(s::summary_shared_at.is_not_null())
        .filter(s::summary_text.is_not_null())
        .select((s::id, s::starts_at, s::summary_text.assume_not_null(), s::summary_shared_at.assume_not_null()))
        .order((s::starts_at.asc(), s::id.asc()))
        .load(conn)?)
}

/// Boundaries are a couple's joint records: a client's release carries none.
fn collect_boundaries(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<(Vec<BoundaryRow>, Vec<AckRow>)> {
    let Subject::Couple(couple_id) = subject else { return Ok((Vec::new(), Vec::new())) };
    let mut q = boundaries::visible(actor).filter(b::couple_id.eq(couple_id.clone()));
    if let Some(from) = window.from {
        q = q.filter(b::created_at.ge(from));
    }
    if let Some(until) = window.until {
        q = q.filter(b::created_at.lt(until));
    }
    let rows: Vec<BoundaryRow> =
        q.select(BoundaryRow::as_select()).order((b::created_at.asc(), b::id.asc())).load(conn)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    let acks = boundaries::acknowledgements(conn, &ids)?;
    Ok((rows, acks))
}

/// The couple's plan: a client's release carries none.
fn collect_milestones(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<MilestoneRow>> {
    let Subject::Couple(couple_id) = subject else { return Ok(Vec::new()) };
    // Only what the partners were shown: a milestone hidden from them never leaves the practice.
    let mut q =
        milestones::visible(actor).filter(m::couple_id.eq(couple_id.clone())).filter(m::visible_to_clients.eq(true));
    if let Some(from) = window.from {
        q = q.filter(m::created_at.ge(from));
    }
    if let Some(until) = window.until {
        q = q.filter(m::created_at.lt(until));
    }
    Ok(q.select(MilestoneRow::as_select()).order((m::position.asc(), m::id.asc())).load(conn)?)
}

/// Signed mediation notes of the subject's sessions in the window, with their addenda.
fn collect_mediation_notes(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<(NoteRow, Vec<AddendumRow>)>> {
    let session_ids: Vec<SessionId> = subject_sessions(actor, subject, window).select(s::id).load(conn)?;
    let mut q = visible_notes(actor)
        .filter(n::session_id.eq_any(session_ids))
        .filter(n::status.eq(NoteStatus::Signed.as_str()));
    q = match subject {
        Subject::Couple(id) => q.filter(n::couple_id.eq(id.clone())),
        Subject::Client(id) => q.filter(n::client_id.eq(id.clone())),
    };
    let rows: Vec<NoteRow> = q.select(NoteRow::as_select()).order((n::created_at.asc(), n::id.asc())).load(conn)?;
    let ids: Vec<NoteId> = rows.iter().map(|r| r.id.clone()).collect();
    let mut addenda = notes::addenda(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let of = addenda.remove(&r.id).unwrap_or_default();
            (r, of)
        })
        .collect())
}

/// Released letters of the couple, released within the window: the joint tier only (never a
/// draft, a submitted or returned letter, a revision or a counselor's comment). A client's
/// release carries none (letters are the couple's records).
fn collect_letters(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<ReleasedLetterRow>> {
    let Subject::Couple(couple) = subject else { return Ok(Vec::new()) };
    Ok(crate::store::letters::released_of_couple(conn, actor, couple, window.from, window.until)?)
}

/// The couple's activities started within the window, with their logs; a reflection only where
/// its author shared it with the partner (a private reflection stays with the counselor). A
/// client's release carries none (activities are the couple's records).
fn collect_activities(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<(ActivityRow, Vec<LogRow>)>> {
    use crate::store::activities;
    let Subject::Couple(couple) = subject else { return Ok(Vec::new()) };
    let day = |t: Option<NaiveDateTime>| t.map(|t| t.date().format("%Y-%m-%d").to_string());
    let (from, until) = (day(window.from), day(window.until));
    let rows = activities::of_couple_for_disclosure(conn, actor, couple, None, (from.as_deref(), until.as_deref()))?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut logs: std::collections::HashMap<String, Vec<LogRow>> = std::collections::HashMap::new();
    for log in activities::joint_logs(conn, &ids)? {
        logs.entry(log.activity_id.clone()).or_default().push(log);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let of = logs.remove(&r.id).unwrap_or_default();
            (r, of)
        })
        .collect())
}

/// Completed assessments within the window (never a pending one): both partners' for a couple's
/// release (both authorized it), the client's own for a client's.
fn collect_assessments(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<AssessmentRow>> {
    let (couple, client) = match subject {
        Subject::Couple(k) => (Some(k), None),
        Subject::Client(c) => (None, Some(c)),
    };
    Ok(crate::store::assessments::completed_for_disclosure(conn, actor, couple, client, (window.from, window.until))?)
}
