//! What a client sees in the portal. These are separate types from the staff views and are
//! built from the few columns a client may see, so a clinician-only field (counselor ids, notes,
//! a draft summary, other partners' acknowledgements, versions) cannot be serialized here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::ids::{BoundaryId, CheckInId, ClientId, CoupleId, MilestoneId, SessionId};
use crate::domain::session::{Modality, SessionStatus};
use crate::domain::trust::{BoundaryStatus, MilestoneStatus};
use crate::store::boundaries::{BoundaryRow, CheckInRow};
use crate::store::clients::ClientRow;
use crate::store::milestones::MilestoneRow;
use crate::store::portal::PortalSessionRow;

/// The caller's own client record.
#[derive(Serialize, ToSchema)]
pub struct PortalMe {
    pub id: crate::domain::ids::ClientId,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<ClientRow> for PortalMe {
    fn from(c: ClientRow) -> Self {
        PortalMe {
            id: c.id,
            first_name: c.first_name,
            last_name: c.last_name,
            preferred_name: c.preferred_name,
            pronouns: c.pronouns,
            date_of_birth: c.date_of_birth,
            email: c.email,
            phone: c.phone,
        }
    }
}

/// A summary the counselor has shared.
#[derive(Serialize, ToSchema)]
pub struct PortalSummary {
    pub text: String,
    pub shared_at: DateTime<Utc>,
}

/// Whom a session is with.
#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Joint,
    Individual,
}

#[derive(Serialize, ToSchema)]
pub struct PortalSession {
    pub id: SessionId,
    /// `joint` (with the couple: `couple_id` says which) or `individual` (the caller alone).
    pub kind: SessionKind,
    pub couple_id: Option<CoupleId>,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub modality: Modality,
    pub status: SessionStatus,
    pub counselor_name: Option<String>,
    /// Null until the counselor shares it.
    pub summary: Option<PortalSummary>,
}

impl PortalSession {
    pub fn new(row: PortalSessionRow, counselor_name: Option<String>) -> PortalSession {
        let summary = row.shared_summary().map(|(text, at)| PortalSummary { text, shared_at: instant(at) });
        PortalSession {
            kind: if row.couple_id.is_some() { SessionKind::Joint } else { SessionKind::Individual },
            couple_id: row.couple_id,
            id: row.id,
            starts_at: instant(row.starts_at),
            duration_minutes: row.duration_minutes,
            modality: row.modality,
            status: row.status,
            counselor_name,
            summary,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalSessionList {
    pub items: Vec<PortalSession>,
    pub next_cursor: Option<String>,
}

/// A boundary of one of the caller's couples, with the caller's own acknowledgement.
#[derive(Serialize, ToSchema)]
pub struct PortalBoundary {
    pub id: BoundaryId,
    pub couple_id: CoupleId,
    pub title: String,
    pub description: Option<String>,
    pub requested_by: Option<ClientId>,
    pub responsible_ids: Vec<ClientId>,
    pub status: BoundaryStatus,
    /// `YYYY-MM-DD`.
    pub review_on: Option<String>,
    /// When the caller acknowledged it; null until they do.
    pub my_acknowledged_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl PortalBoundary {
    pub fn new(row: BoundaryRow, my_acknowledged_at: Option<chrono::NaiveDateTime>) -> PortalBoundary {
        PortalBoundary {
            responsible_ids: row.responsible_ids.into_vec(),
            status: row.status,
            id: row.id,
            couple_id: row.couple_id,
            title: row.title,
            description: row.description,
            requested_by: row.requested_by,
            review_on: row.review_on,
            my_acknowledged_at: my_acknowledged_at.map(instant),
            created_at: instant(row.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalBoundaryList {
    pub items: Vec<PortalBoundary>,
    pub next_cursor: Option<String>,
}

/// One of the caller's own check-ins.
#[derive(Serialize, ToSchema)]
pub struct PortalCheckIn {
    pub id: CheckInId,
    pub boundary_id: BoundaryId,
    pub kept: bool,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<CheckInRow> for PortalCheckIn {
    fn from(r: CheckInRow) -> Self {
        PortalCheckIn {
            id: r.id,
            boundary_id: r.boundary_id,
            kept: r.kept,
            note: r.note,
            created_at: instant(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalCheckInList {
    pub items: Vec<PortalCheckIn>,
    pub next_cursor: Option<String>,
}

/// A milestone the counselor has made visible to the couple.
#[derive(Serialize, ToSchema)]
pub struct PortalMilestone {
    pub id: MilestoneId,
    pub couple_id: CoupleId,
    pub title: String,
    pub description: Option<String>,
    pub phase: String,
    pub status: MilestoneStatus,
    /// `YYYY-MM-DD`.
    pub target_on: Option<String>,
    /// `YYYY-MM-DD`.
    pub achieved_on: Option<String>,
    pub position: i32,
}

impl From<MilestoneRow> for PortalMilestone {
    fn from(r: MilestoneRow) -> Self {
        PortalMilestone {
            status: r.status,
            id: r.id,
            couple_id: r.couple_id,
            title: r.title,
            description: r.description,
            phase: r.phase,
            target_on: r.target_on,
            achieved_on: r.achieved_on,
            position: r.position,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalMilestoneList {
    pub items: Vec<PortalMilestone>,
    pub next_cursor: Option<String>,
}

/// The caller's practice, as the portal shows it.
#[derive(Serialize, ToSchema)]
pub struct PortalPractice {
    pub name: String,
    /// IANA time zone: the portal shows every time in it, with the zone named.
    pub timezone: String,
    /// The caller's counselors (of the caller and of the caller's couples).
    pub counselors: Vec<PortalCounselor>,
}

#[derive(Serialize, ToSchema)]
pub struct PortalCounselor {
    pub display_name: String,
}

/// The other partner of one of the caller's couples.
#[derive(Serialize, ToSchema)]
pub struct PortalPartner {
    pub id: ClientId,
    pub first_name: String,
    pub preferred_name: Option<String>,
}

/// One of the caller's couples.
#[derive(Serialize, ToSchema)]
pub struct PortalCouple {
    pub id: CoupleId,
    pub partner: PortalPartner,
    pub status: crate::domain::CoupleStatus,
}

#[derive(Serialize, ToSchema)]
pub struct PortalCoupleList {
    pub items: Vec<PortalCouple>,
}
