//! Who has seen a client's record: the access report for admins and the client's own in the
//! portal, and the audit trail's signed checkpoints.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::audit::{Action, Outcome};
use crate::domain::{ResourceKind, Role};
use crate::store::audit_chain::CheckpointRow;
use crate::store::audit_subjects::ReportRow;

/// One access to the client's record, for an admin.
#[derive(Serialize, ToSchema)]
pub struct AccessReportItem {
    /// The audit event's id.
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    /// The actor's display name (null for a failed login or a deleted user).
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: Action,
    pub resource_type: ResourceKind,
    pub resource_id: Option<String>,
    pub outcome: Outcome,
}

impl From<ReportRow> for AccessReportItem {
    fn from(r: ReportRow) -> Self {
        AccessReportItem {
            id: r.event_id,
            at: instant(r.at),
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            actor_role: r.actor_role,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            outcome: r.outcome,
        }
    }
}

/// Every sealed audit event whose subjects include the client, newest first.
#[derive(Serialize, ToSchema)]
pub struct AccessReport {
    pub items: Vec<AccessReportItem>,
    pub next_cursor: Option<String>,
}

/// One access to the caller's record, as the client sees it: staff by name and role; another
/// client (a partner reading a shared record) by role only, never by name or id; no content.
#[derive(Serialize, ToSchema)]
pub struct PortalAccessReportItem {
    pub at: DateTime<Utc>,
    /// A staff member's display name; null when the actor is a client (the caller included).
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    /// The caller did it themselves.
    pub by_you: bool,
    pub action: Action,
    pub resource_type: ResourceKind,
    /// The record's id (a couple, session, letter...: records the caller is a subject of).
    pub resource_id: Option<String>,
    pub outcome: Outcome,
}

impl PortalAccessReportItem {
    pub fn of(r: ReportRow, caller_user_id: &str) -> Self {
        let staff = matches!(r.actor_role, Some(Role::Admin | Role::Counselor));
        PortalAccessReportItem {
            at: instant(r.at),
            actor_name: if staff { r.actor_name } else { None },
            actor_role: r.actor_role,
            by_you: r.actor_id.as_deref() == Some(caller_user_id),
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            outcome: r.outcome,
        }
    }
}

/// Who has seen the caller's record, newest first.
#[derive(Serialize, ToSchema)]
pub struct PortalAccessReport {
    pub items: Vec<PortalAccessReportItem>,
    pub next_cursor: Option<String>,
}

/// A signed checkpoint of the audit trail: a C2SP signed note over `origin`, `size` and `hash`
/// (<https://c2sp.org/tlog-checkpoint>). Keep copies outside Mend: `mend audit verify
/// --checkpoint FILE` checks the trail still matches one (the file holds `note`).
#[derive(Serialize, ToSchema)]
pub struct CheckpointView {
    pub id: String,
    pub origin: String,
    /// How many events the chain held.
    pub size: i64,
    /// The chain's hash after event `size` (standard base64 of 32 bytes).
    pub hash: String,
    pub key_name: String,
    /// The signing key's id (8 hex digits).
    pub key_id: String,
    /// The whole signed note.
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl From<CheckpointRow> for CheckpointView {
    fn from(r: CheckpointRow) -> Self {
        CheckpointView {
            id: r.id,
            origin: r.origin,
            size: r.size,
            hash: r.hash,
            key_name: r.key_name,
            key_id: r.key_id,
            note: r.note,
            created_at: instant(r.created_at),
        }
    }
}

/// Checkpoints, newest (largest) first.
#[derive(Serialize, ToSchema)]
pub struct CheckpointList {
    pub items: Vec<CheckpointView>,
    pub next_cursor: Option<String>,
}
