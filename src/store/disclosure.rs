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
//! - author-only records (a partner's drafts) have no collector and never will.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::access::{visible_notes, visible_sessions};
use crate::auth::Actor;
use crate::db::schema::{boundaries as b, milestones as m, notes as n, sessions as s};
use crate::db::AnyConnection;
use crate::domain::consent::RecordKind;
use crate::domain::session::NoteStatus;
use crate::problem::AppResult;
use crate::store::sessions::{SessionRow, Subject};
use crate::store::{boundaries, milestones, notes, sessions};
use crate::views::activities::{ActivityLogView, ActivityView};
use crate::views::assessments::AssessmentView;
use crate::views::instant;
use crate::views::letters::ReceivedLetter;
use crate::views::releases::DisclosedActivity;
use crate::views::releases::{DisclosedAddendum, DisclosedNote, DisclosedRecords, DisclosedSession, DisclosedSummary};
use crate::views::trust::{BoundaryView, MilestoneView};

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

/// Everything one disclosure carries: exactly the included kinds.
pub fn collect(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
    include: &[RecordKind],
    include_mediation_notes: bool,
) -> AppResult<DisclosedRecords> {
    let mut records = DisclosedRecords::default();
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
) -> AppResult<Vec<DisclosedSession>> {
    let rows: Vec<SessionRow> = subject_sessions(actor, subject, window)
        .select(SessionRow::as_select())
        .order((s::starts_at.asc(), s::id.asc()))
        .load(conn)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    let mut attendees = sessions::attendees(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| DisclosedSession {
            attendee_ids: attendees.remove(&r.id).unwrap_or_default(),
            id: r.id,
            couple_id: r.couple_id,
            client_id: r.client_id,
            counselor_id: r.counselor_id,
            starts_at: instant(r.starts_at),
            duration_minutes: r.duration_minutes,
            modality: r.modality,
            status: r.status,
        })
        .collect())
}

/// A summary that has been shared: only [`collect_summaries`]'s query, which requires
/// `summary_shared_at IS NOT NULL`, returns this type.
#[derive(Queryable, Debug)]
pub struct SharedSummaryRow {
    pub session_id: crate::domain::ids::SessionId,
    pub starts_at: NaiveDateTime,
    pub text: String,
    pub shared_at: NaiveDateTime,
}

fn collect_summaries(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<DisclosedSummary>> {
    let rows: Vec<SharedSummaryRow> = subject_sessions(actor, subject, window)
        .filter(s::summary_shared_at.is_not_null())
        .filter(s::summary_text.is_not_null())
        .select((s::id, s::starts_at, s::summary_text.assume_not_null(), s::summary_shared_at.assume_not_null()))
        .order((s::starts_at.asc(), s::id.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| DisclosedSummary {
            session_id: r.session_id,
            session_starts_at: instant(r.starts_at),
            text: r.text,
            shared_at: instant(r.shared_at),
        })
        .collect())
}

/// Boundaries are a couple's joint records: a client's release carries none.
fn collect_boundaries(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<BoundaryView>> {
    let Subject::Couple(couple_id) = subject else { return Ok(Vec::new()) };
    let mut q = boundaries::visible(actor).filter(b::couple_id.eq(couple_id.clone()));
    if let Some(from) = window.from {
        q = q.filter(b::created_at.ge(from));
    }
    if let Some(until) = window.until {
        q = q.filter(b::created_at.lt(until));
    }
    let rows: Vec<boundaries::BoundaryRow> =
        q.select(boundaries::BoundaryRow::as_select()).order((b::created_at.asc(), b::id.asc())).load(conn)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    let acks = boundaries::acknowledgements(conn, &ids)?;
    Ok(rows.into_iter().map(|r| BoundaryView::new(r, &acks)).collect())
}

/// The couple's plan: a client's release carries none.
fn collect_milestones(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<MilestoneView>> {
    let Subject::Couple(couple_id) = subject else { return Ok(Vec::new()) };
    let mut q = milestones::visible(actor).filter(m::couple_id.eq(couple_id.clone()));
    if let Some(from) = window.from {
        q = q.filter(m::created_at.ge(from));
    }
    if let Some(until) = window.until {
        q = q.filter(m::created_at.lt(until));
    }
    let rows: Vec<milestones::MilestoneRow> =
        q.select(milestones::MilestoneRow::as_select()).order((m::position.asc(), m::id.asc())).load(conn)?;
    Ok(rows.into_iter().map(MilestoneView::from).collect())
}

/// Signed mediation notes of the subject's sessions in the window, with their addenda.
fn collect_mediation_notes(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<DisclosedNote>> {
    let session_ids: Vec<crate::domain::ids::SessionId> =
        subject_sessions(actor, subject, window).select(s::id).load(conn)?;
    let mut q = visible_notes(actor)
        .filter(n::session_id.eq_any(session_ids))
        .filter(n::status.eq(NoteStatus::Signed.as_str()));
    q = match subject {
        Subject::Couple(id) => q.filter(n::couple_id.eq(id.clone())),
        Subject::Client(id) => q.filter(n::client_id.eq(id.clone())),
    };
    let rows: Vec<notes::NoteRow> =
        q.select(notes::NoteRow::as_select()).order((n::created_at.asc(), n::id.asc())).load(conn)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
    let mut addenda = notes::addenda(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| DisclosedNote {
            topics: r.topics(),
            agreements: r.agreements(),
            addenda: addenda
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|a| DisclosedAddendum { author_id: a.author_id, body: a.body, created_at: instant(a.created_at) })
                .collect(),
            id: r.id,
            session_id: r.session_id,
            author_id: r.author_id,
            body: r.body,
            risk_level: r.risk_level,
            signed_at: r.signed_at.map(instant),
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
) -> AppResult<Vec<ReceivedLetter>> {
    let Subject::Couple(couple) = subject else { return Ok(Vec::new()) };
    let rows = crate::store::letters::released_of_couple(conn, actor, couple, window.from, window.until)?;
    Ok(rows.into_iter().map(ReceivedLetter::from).collect())
}

/// The couple's activities started within the window, with their logs; a reflection only where
/// its author shared it with the partner (a private reflection stays with the counselor). A
/// client's release carries none (activities are the couple's records).
fn collect_activities(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<DisclosedActivity>> {
    use crate::store::activities;
    let Subject::Couple(couple) = subject else { return Ok(Vec::new()) };
    let day = |t: Option<NaiveDateTime>| t.map(|t| t.date().format("%Y-%m-%d").to_string());
    let (from, until) = (day(window.from), day(window.until));
    let rows = activities::of_couple_for_disclosure(conn, actor, couple, None, (from.as_deref(), until.as_deref()))?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut logs: std::collections::HashMap<String, Vec<ActivityLogView>> = std::collections::HashMap::new();
    for log in activities::joint_logs(conn, &ids)? {
        logs.entry(log.activity_id.clone()).or_default().push(ActivityLogView::from(log));
    }
    Ok(rows
        .into_iter()
        .map(|r| DisclosedActivity { logs: logs.remove(&r.id).unwrap_or_default(), activity: ActivityView::from(r) })
        .collect())
}

/// Completed assessments within the window (never a pending one): both partners' for a couple's
/// release (both authorized it), the client's own for a client's.
fn collect_assessments(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: &Subject,
    window: Window,
) -> AppResult<Vec<AssessmentView>> {
    let (couple, client) = match subject {
        Subject::Couple(k) => (Some(k), None),
        Subject::Client(c) => (None, Some(c)),
    };
    let rows =
        crate::store::assessments::completed_for_disclosure(conn, actor, couple, client, (window.from, window.until))?;
    Ok(rows.into_iter().map(AssessmentView::from).collect())
}
