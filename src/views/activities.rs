//! Activities and their logs, one type per audience: staff (every log, reflections included),
//! the partner's own logs, and the other partner's logs as a partner may see them
//! ([`PartnerLog`]: built only from `store::activities::PartnerLogRow`, whose reflection the
//! query fills only where it was shared).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::activities::{ActivityStatus, ActivityTemplate, Assignee, Cadence};
use crate::store::activities::{ActivityRow, LogRow, PartnerLogRow};

/// A built-in activity.
#[derive(Serialize, ToSchema)]
pub struct ActivityTemplateView {
    #[schema(value_type = crate::domain::activities::ActivityTemplateKey)]
    pub key: &'static str,
    pub title: &'static str,
    pub instructions: &'static str,
    pub cadence: Cadence,
    pub times_per_period: i32,
    pub reflection_prompt: &'static str,
}

impl From<&'static ActivityTemplate> for ActivityTemplateView {
    fn from(t: &'static ActivityTemplate) -> Self {
        ActivityTemplateView {
            key: t.key,
            title: t.title,
            instructions: t.instructions,
            cadence: t.cadence,
            times_per_period: t.times_per_period,
            reflection_prompt: t.reflection_prompt,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityTemplateList {
    pub items: Vec<ActivityTemplateView>,
}

/// An activity as assigned staff see it.
#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    pub id: String,
    pub couple_id: String,
    pub title: String,
    pub instructions: Option<String>,
    /// `"both"` or the id of the one partner it is for.
    pub assigned_to: String,
    pub cadence: Cadence,
    pub times_per_period: i32,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    /// `YYYY-MM-DD`.
    pub ends_on: Option<String>,
    pub reflection_prompt: Option<String>,
    pub status: ActivityStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<ActivityRow> for ActivityView {
    fn from(r: ActivityRow) -> Self {
        ActivityView {
            assigned_to: Assignee::from_column(r.assignee_id).wire(),
            cadence: r.cadence,
            status: r.status,
            id: r.id,
            couple_id: r.couple_id,
            title: r.title,
            instructions: r.instructions,
            times_per_period: r.times_per_period,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            reflection_prompt: r.reflection_prompt,
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<ActivityView>,
    pub next_cursor: Option<String>,
}

/// An activity in the portal (for both partners, or for the caller).
#[derive(Serialize, ToSchema)]
pub struct PortalActivity {
    pub id: String,
    pub couple_id: String,
    pub title: String,
    pub instructions: Option<String>,
    /// `"both"` or the caller's own id.
    pub assigned_to: String,
    pub cadence: Cadence,
    pub times_per_period: i32,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    /// `YYYY-MM-DD`.
    pub ends_on: Option<String>,
    pub reflection_prompt: Option<String>,
    pub status: ActivityStatus,
}

impl From<ActivityRow> for PortalActivity {
    fn from(r: ActivityRow) -> Self {
        PortalActivity {
            assigned_to: Assignee::from_column(r.assignee_id).wire(),
            cadence: r.cadence,
            status: r.status,
            id: r.id,
            couple_id: r.couple_id,
            title: r.title,
            instructions: r.instructions,
            times_per_period: r.times_per_period,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            reflection_prompt: r.reflection_prompt,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalActivityList {
    pub items: Vec<PortalActivity>,
    pub next_cursor: Option<String>,
}

/// A log as staff see it: every field, reflections included.
#[derive(Serialize, ToSchema)]
pub struct ActivityLogView {
    pub id: String,
    pub activity_id: String,
    /// The partner whose log it is.
    pub client_id: String,
    /// The user who recorded it: the partner in the portal, or a counselor in session.
    pub recorded_by: String,
    /// `YYYY-MM-DD`.
    pub done_on: String,
    pub completed: bool,
    pub reflection: Option<String>,
    pub shared_with_partner: bool,
    pub created_at: DateTime<Utc>,
}

impl From<LogRow> for ActivityLogView {
    fn from(r: LogRow) -> Self {
        ActivityLogView {
            id: r.id,
            activity_id: r.activity_id,
            client_id: r.client_id,
            recorded_by: r.recorded_by,
            done_on: r.done_on,
            completed: r.completed,
            reflection: r.reflection,
            shared_with_partner: r.shared_with_partner,
            created_at: instant(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActivityLogList {
    pub items: Vec<ActivityLogView>,
    pub next_cursor: Option<String>,
}

/// One of the caller's own logs.
#[derive(Serialize, ToSchema)]
pub struct PortalLog {
    pub id: String,
    pub activity_id: String,
    pub client_id: String,
    /// `YYYY-MM-DD`.
    pub done_on: String,
    pub completed: bool,
    pub reflection: Option<String>,
    pub shared_with_partner: bool,
    pub created_at: DateTime<Utc>,
}

impl From<LogRow> for PortalLog {
    fn from(r: LogRow) -> Self {
        PortalLog {
            id: r.id,
            activity_id: r.activity_id,
            client_id: r.client_id,
            done_on: r.done_on,
            completed: r.completed,
            reflection: r.reflection,
            shared_with_partner: r.shared_with_partner,
            created_at: instant(r.created_at),
        }
    }
}

/// The other partner's log on an activity for both: the day and whether it was done, and the
/// reflection only where they shared it.
#[derive(Serialize, ToSchema)]
pub struct PartnerLog {
    /// `YYYY-MM-DD`.
    pub done_on: String,
    pub completed: bool,
    /// Null unless the partner shared it.
    pub reflection: Option<String>,
}

impl From<PartnerLogRow> for PartnerLog {
    fn from(r: PartnerLogRow) -> Self {
        PartnerLog { done_on: r.done_on, completed: r.completed, reflection: r.shared_reflection }
    }
}

/// An item of `GET /portal/activities/{id}/logs`: the caller's own log (`whose: mine`) or the
/// partner's (`whose: partner`).
#[derive(Serialize)]
#[serde(tag = "whose", rename_all = "snake_case")]
pub enum PortalLogItem {
    Mine(PortalLog),
    Partner(PartnerLog),
}

impl utoipa::PartialSchema for PortalLogItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        crate::views::schema::one_of_refs(
            &["MyPortalLog", "PartnerPortalLog"],
            "A log in `GET /portal/activities/{id}/logs`: the caller's own (`whose: mine`) or the \
             partner's (`whose: partner`).",
        )
    }
}

impl utoipa::ToSchema for PortalLogItem {
    fn schemas(out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        use utoipa::PartialSchema;
        out.push(("MyPortalLog".into(), crate::views::schema::with_tag(PortalLog::schema(), "whose", "mine")));
        out.push(("PartnerPortalLog".into(), crate::views::schema::with_tag(PartnerLog::schema(), "whose", "partner")));
        <PortalLog as ToSchema>::schemas(out);
        <PartnerLog as ToSchema>::schemas(out);
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalLogList {
    pub items: Vec<PortalLogItem>,
    pub next_cursor: Option<String>,
}

/// `GET /couples/{id}/progress`: the activities part.
#[derive(Serialize, ToSchema)]
pub struct ActivityProgress {
    /// Activities with status `active`.
    pub active: i64,
    /// The last 30 days (the practice's days): completed logs, and missed ones, which count
    /// each ended day of a daily activity (week of a weekly one, from its start) a person it is
    /// for logged fewer completed times than it asks, for active activities.
    pub logs_30d: LogCounts,
}

#[derive(Serialize, ToSchema)]
pub struct LogCounts {
    pub completed: i64,
    pub missed: i64,
}
