//! Sessions and mediation notes as staff see them. The portal's session view is a different
//! type (views::portal): a note or an unshared summary cannot reach a client through these.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::ids::{AddendumId, ClientId, CoupleId, NoteId, SessionId, UserId};
use crate::domain::session::{Modality, NoteStatus, RiskLevel, SessionStatus};
use crate::store::notes::{integrity_ok, AddendumRow, NoteRow};
use crate::store::sessions::SessionRow;

#[derive(Serialize, ToSchema)]
pub struct SummaryView {
    pub text: String,
    /// When the attendees were shown it; null while it is a draft.
    pub shared_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: SessionId,
    /// Set for a couple session; null for an individual one.
    pub couple_id: Option<CoupleId>,
    /// Set for an individual session; null for a couple session.
    pub client_id: Option<ClientId>,
    pub counselor_id: UserId,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub modality: Modality,
    pub status: SessionStatus,
    pub attendee_ids: Vec<ClientId>,
    pub cancellation_reason: Option<String>,
    /// Null until a summary is written. Editing a shared summary makes it a draft again.
    pub summary: Option<SummaryView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl SessionView {
    pub fn new(r: SessionRow, attendee_ids: Vec<ClientId>) -> SessionView {
        SessionView {
            modality: r.modality,
            status: r.status,
            summary: r.summary_text.map(|text| SummaryView { text, shared_at: r.summary_shared_at.map(instant) }),
            id: r.id,
            couple_id: r.couple_id,
            client_id: r.client_id,
            counselor_id: r.counselor_id,
            starts_at: instant(r.starts_at),
            duration_minutes: r.duration_minutes,
            attendee_ids,
            cancellation_reason: r.cancellation_reason,
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }

    /// A page of rows with their batch-loaded attendees.
    pub fn with(attendees: &mut HashMap<SessionId, Vec<ClientId>>) -> impl FnMut(SessionRow) -> SessionView + '_ {
        move |r| {
            let ids = attendees.remove(&r.id).unwrap_or_default();
            SessionView::new(r, ids)
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AddendumView {
    pub id: AddendumId,
    pub author_id: UserId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<AddendumRow> for AddendumView {
    fn from(a: AddendumRow) -> Self {
        AddendumView { id: a.id, author_id: a.author_id, body: a.body, created_at: instant(a.created_at) }
    }
}

/// Whether a signed note still holds what was signed.
#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Integrity {
    Ok,
    Mismatch,
}

#[derive(Serialize, ToSchema)]
pub struct NoteView {
    pub id: NoteId,
    pub session_id: SessionId,
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub author_id: UserId,
    pub body: String,
    pub topics: Vec<String>,
    pub agreements: Vec<String>,
    pub risk_level: Option<RiskLevel>,
    pub status: NoteStatus,
    pub signed_at: Option<DateTime<Utc>>,
    /// Who signed (the author); null while a draft.
    pub signed_by: Option<UserId>,
    /// Oldest first. Only signed notes have addenda.
    pub addenda: Vec<AddendumView>,
    /// Signed notes only: SHA-256 (hex) of the canonical serialization of the signed content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
    /// Signed notes only: recomputed on every read; `mismatch` means the stored note no longer
    /// holds what was signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl NoteView {
    pub fn new(r: NoteRow, addenda: Vec<AddendumRow>) -> NoteView {
        let integrity = integrity_ok(&r).map(|ok| if ok { Integrity::Ok } else { Integrity::Mismatch });
        let signed = r.is_signed();
        NoteView {
            topics: r.topics(),
            agreements: r.agreements(),
            risk_level: r.risk_level,
            status: r.status,
            content_sha256: if signed { r.content_sha256 } else { None },
            integrity,
            id: r.id,
            session_id: r.session_id,
            couple_id: r.couple_id,
            client_id: r.client_id,
            author_id: r.author_id,
            body: r.body,
            signed_at: r.signed_at.map(instant),
            signed_by: r.signed_by,
            addenda: addenda.into_iter().map(AddendumView::from).collect(),
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }

    pub fn with(addenda: &mut HashMap<NoteId, Vec<AddendumRow>>) -> impl FnMut(NoteRow) -> NoteView + '_ {
        move |r| {
            let a = addenda.remove(&r.id).unwrap_or_default();
            NoteView::new(r, a)
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoteList {
    pub items: Vec<NoteView>,
    pub next_cursor: Option<String>,
}
