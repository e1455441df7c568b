use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::audit::{Action, Outcome};
use crate::domain::ids::{AuditEventId, ClientId, PracticeId, UserId};
use crate::domain::{ResourceKind, Role};
use crate::store::audit::AuditRow;
use crate::store::practices::PracticeRow;
use crate::store::users::UserRow;

#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<crate::auth::session::Issued> for TokenPair {
    fn from(i: crate::auth::session::Issued) -> TokenPair {
        TokenPair {
            access_token: i.access_token,
            refresh_token: i.refresh_token,
            token_type: "Bearer".into(),
            expires_in: i.expires_in,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub practice_id: PracticeId,
    /// The caller's client record; null unless the role is `client`.
    pub client_id: Option<ClientId>,
}

impl From<UserRow> for MeView {
    fn from(u: UserRow) -> Self {
        MeView {
            role: u.role,
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            practice_id: u.practice_id,
            client_id: u.client_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        UserView {
            role: u.role,
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            active: u.active,
            created_at: instant(u.created_at),
            version: u.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Give this to the new user; it is shown once and works once, for 7 days.
    pub invite_token: String,
    pub invite_expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct PracticeView {
    pub id: PracticeId,
    pub name: String,
    /// An IANA time zone, such as `America/Chicago`.
    pub timezone: String,
    pub version: i64,
}

impl From<PracticeRow> for PracticeView {
    fn from(p: PracticeRow) -> Self {
        PracticeView { id: p.id, name: p.name, timezone: p.timezone, version: p.version }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: AuditEventId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    /// The actor's display name; null when there is no actor (a failed sign-in, the system).
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: Action,
    pub resource_type: ResourceKind,
    pub resource_id: Option<String>,
    pub outcome: Outcome,
    pub request_id: String,
    pub ip: Option<String>,
    /// The clients whose records the event touched (both partners for a couple's record, the
    /// attendees for a session...). Filled when the event is sealed, within about a second of
    /// being written: empty until then, and for events about no client's record.
    pub subject_ids: Vec<String>,
}

impl AuditEventView {
    /// With the actor's name from `names` (a page's worth).
    pub fn with_actor_name(mut self, names: &std::collections::HashMap<UserId, String>) -> Self {
        self.actor_name = self.actor_id.as_ref().and_then(|id| names.get(id)).cloned();
        self
    }

    /// With the event's subjects, sorted.
    pub fn with_subjects(mut self, mut subject_ids: Vec<String>) -> Self {
        subject_ids.sort();
        self.subject_ids = subject_ids;
        self
    }
}

impl From<AuditRow> for AuditEventView {
    fn from(a: AuditRow) -> Self {
        AuditEventView {
            id: a.id,
            at: instant(a.at),
            actor_id: a.actor_id,
            actor_name: None,
            actor_role: a.actor_role,
            action: a.action,
            resource_type: a.resource_type,
            resource_id: a.resource_id,
            outcome: a.outcome,
            request_id: a.request_id,
            ip: a.ip,
            subject_ids: Vec::new(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}
