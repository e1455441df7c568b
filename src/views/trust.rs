//! What staff assigned to a couple see of its boundaries, check-ins, milestones, the built-in
//! plans and progress.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::ids::{BoundaryId, CheckInId, ClientId, CoupleId, MilestoneId, UserId};
use crate::domain::templates::Template;
use crate::domain::trust::{BoundaryStatus, MilestoneStatus};
use crate::store::boundaries::{AckRow, BoundaryRow, CheckInRow};
use crate::store::milestones::MilestoneRow;

#[derive(Serialize, ToSchema)]
pub struct Acknowledgement {
    pub client_id: ClientId,
    pub acknowledged_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct BoundaryView {
    pub id: BoundaryId,
    pub couple_id: CoupleId,
    pub title: String,
    pub description: Option<String>,
    /// The partner who asked for the boundary, if recorded.
    pub requested_by: Option<ClientId>,
    /// Partners who keep the boundary.
    pub responsible_ids: Vec<ClientId>,
    pub status: BoundaryStatus,
    /// Partners who have acknowledged it in the portal, earliest first.
    pub acknowledgements: Vec<Acknowledgement>,
    /// `YYYY-MM-DD`.
    pub review_on: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl BoundaryView {
    /// `acks` may hold other boundaries' acknowledgements too (a page's worth); only this one's
    /// are kept.
    pub fn new(row: BoundaryRow, acks: &[AckRow]) -> BoundaryView {
        let acknowledgements = acks
            .iter()
            .filter(|a| a.boundary_id == row.id)
            .map(|a| Acknowledgement { client_id: a.client_id.clone(), acknowledged_at: instant(a.acknowledged_at) })
            .collect();
        BoundaryView {
            responsible_ids: row.responsible_ids.into_vec(),
            status: row.status,
            id: row.id,
            couple_id: row.couple_id,
            title: row.title,
            description: row.description,
            requested_by: row.requested_by,
            acknowledgements,
            review_on: row.review_on,
            created_at: instant(row.created_at),
            updated_at: instant(row.updated_at),
            version: row.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BoundaryList {
    pub items: Vec<BoundaryView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckInView {
    pub id: CheckInId,
    pub boundary_id: BoundaryId,
    /// The partner whose report this is.
    pub reported_by: ClientId,
    /// That partner's name (the name they go by and their last name).
    pub reported_by_name: String,
    /// The user who recorded it: a counselor in session, or the partner in the portal.
    pub recorded_by: UserId,
    pub kept: bool,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl CheckInView {
    /// `names` holds the reporting partners' names (a page's worth).
    pub fn new(r: CheckInRow, names: &std::collections::HashMap<ClientId, String>) -> Self {
        CheckInView {
            id: r.id,
            boundary_id: r.boundary_id,
            reported_by_name: names.get(&r.reported_by).cloned().unwrap_or_default(),
            reported_by: r.reported_by,
            recorded_by: r.recorded_by,
            kept: r.kept,
            note: r.note,
            created_at: instant(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckInList {
    pub items: Vec<CheckInView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneView {
    pub id: MilestoneId,
    pub couple_id: CoupleId,
    pub title: String,
    pub description: Option<String>,
    pub phase: String,
    pub status: MilestoneStatus,
    /// `YYYY-MM-DD`.
    pub target_on: Option<String>,
    /// `YYYY-MM-DD`, set while the status is `achieved`.
    pub achieved_on: Option<String>,
    pub visible_to_clients: bool,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<MilestoneRow> for MilestoneView {
    fn from(r: MilestoneRow) -> Self {
        MilestoneView {
            status: r.status,
            id: r.id,
            couple_id: r.couple_id,
            title: r.title,
            description: r.description,
            phase: r.phase,
            target_on: r.target_on,
            achieved_on: r.achieved_on,
            visible_to_clients: r.visible_to_clients,
            position: r.position,
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneList {
    pub items: Vec<MilestoneView>,
    pub next_cursor: Option<String>,
}

/// The milestones a plan created, in order.
#[derive(Serialize, ToSchema)]
pub struct CreatedMilestones {
    pub items: Vec<MilestoneView>,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateMilestoneView {
    pub title: String,
    pub description: String,
    pub phase: String,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateView {
    pub key: String,
    pub title: String,
    pub description: String,
    /// The plan's phases, in order.
    pub phases: Vec<String>,
    pub milestones: Vec<TemplateMilestoneView>,
}

impl From<&Template> for TemplateView {
    fn from(t: &Template) -> Self {
        TemplateView {
            key: t.key.into(),
            title: t.title.into(),
            description: t.description.into(),
            phases: t.phases.iter().map(|p| p.to_string()).collect(),
            milestones: t
                .milestones
                .iter()
                .map(|m| TemplateMilestoneView {
                    title: m.title.into(),
                    description: m.description.into(),
                    phase: m.phase.into(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateView>,
}

#[derive(Serialize, ToSchema)]
pub struct PhaseProgress {
    pub phase: String,
    pub total: i64,
    pub achieved: i64,
}

/// Milestones that are part of the plan: set-aside ones are not counted.
#[derive(Serialize, ToSchema)]
pub struct MilestoneProgress {
    pub total: i64,
    pub achieved: i64,
    pub in_progress: i64,
    /// Phases in plan order (the order of their first milestone).
    pub by_phase: Vec<PhaseProgress>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckInCounts {
    pub kept: i64,
    pub broken: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BoundaryProgress {
    pub active: i64,
    /// Check-ins on the couple's boundaries in the last 30 days.
    pub check_ins_30d: CheckInCounts,
}

#[derive(Serialize, ToSchema)]
pub struct SessionProgress {
    /// Completed couple sessions.
    pub completed: i64,
    /// The start of the next scheduled couple session, if any.
    pub next_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressView {
    pub milestones: MilestoneProgress,
    pub boundaries: BoundaryProgress,
    pub sessions: SessionProgress,
    pub activities: crate::views::activities::ActivityProgress,
}
