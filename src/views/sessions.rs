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
    /// The attendees with their names, in the order of `attendee_ids`.
    pub attendees: Vec<Attendee>,
    /// The counselor's display name.
    pub counselor_name: String,
    pub cancellation_reason: Option<String>,
    /// Null until a summary is written. Editing a shared summary makes it a draft again.
    pub summary: Option<SummaryView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// An attendee named beside their id: the name they go by and their last name.
#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub id: ClientId,
    pub name: String,
}

/// The names a page of sessions mentions, loaded for the whole page.
pub struct SessionNames {
    /// Each session's attendees with their names.
    pub attendees: HashMap<SessionId, Vec<(ClientId, String)>>,
    /// Counselors' display names.
    pub counselors: HashMap<UserId, String>,
}

impl SessionNames {
    /// The attendees and counselors of `rows`: two statements whatever the page's size.
    pub fn load(conn: &mut crate::db::AnyConnection, rows: &[SessionRow]) -> diesel::QueryResult<SessionNames> {
        let Some(first) = rows.first() else {
            return Ok(SessionNames { attendees: HashMap::new(), counselors: HashMap::new() });
        };
        let ids: Vec<SessionId> = rows.iter().map(|r| r.id.clone()).collect();
        let attendees = crate::store::sessions::attendees_named(conn, &ids)?;
        let counselors =
            crate::store::names::users(conn, &first.practice_id, rows.iter().map(|r| r.counselor_id.clone()))?;
        Ok(SessionNames { attendees, counselors })
    }

    /// The view of one row of the page.
    pub fn view(&mut self, r: SessionRow) -> SessionView {
        let attendees: Vec<Attendee> = self
            .attendees
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(id, name)| Attendee { id, name })
            .collect();
        let counselor_name = self.counselors.get(&r.counselor_id).cloned().unwrap_or_default();
        SessionView::new(r, attendees, counselor_name)
    }
}

impl SessionView {
    fn new(r: SessionRow, attendees: Vec<Attendee>, counselor_name: String) -> SessionView {
        SessionView {
            modality: r.modality,
            status: r.status,
            summary: r.summary_text.map(|text| SummaryView { text, shared_at: r.summary_shared_at.map(instant) }),
            id: r.id,
            couple_id: r.couple_id,
            client_id: r.client_id,
            counselor_id: r.counselor_id,
            counselor_name,
            starts_at: instant(r.starts_at),
            duration_minutes: r.duration_minutes,
            attendee_ids: attendees.iter().map(|a| a.id.clone()).collect(),
            attendees,
            cancellation_reason: r.cancellation_reason,
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
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
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl AddendumView {
    fn new(a: AddendumRow, names: &HashMap<UserId, String>) -> Self {
        let author_name = names.get(&a.author_id).cloned().unwrap_or_default();
        AddendumView { id: a.id, author_id: a.author_id, author_name, body: a.body, created_at: instant(a.created_at) }
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
    /// The author's display name.
    pub author_name: String,
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

/// A page of notes with their addenda and the names of everyone who wrote them, loaded for the
/// whole page (two statements whatever its size).
pub struct NotePage {
    addenda: HashMap<NoteId, Vec<AddendumRow>>,
    names: HashMap<UserId, String>,
}

impl NotePage {
    pub fn load(conn: &mut crate::db::AnyConnection, rows: &[NoteRow]) -> diesel::QueryResult<NotePage> {
        let Some(first) = rows.first() else {
            return Ok(NotePage { addenda: HashMap::new(), names: HashMap::new() });
        };
        let ids: Vec<NoteId> = rows.iter().map(|r| r.id.clone()).collect();
        let addenda = crate::store::notes::addenda(conn, &ids)?;
        let authors = rows.iter().map(|r| r.author_id.clone());
        let authors = authors.chain(addenda.values().flatten().map(|a| a.author_id.clone()));
        let names = crate::store::names::users(conn, &first.practice_id, authors)?;
        Ok(NotePage { addenda, names })
    }

    /// A note just written: it has no addenda yet, so only its author's name is read.
    pub fn new_note(conn: &mut crate::db::AnyConnection, row: &NoteRow) -> diesel::QueryResult<NotePage> {
        let names = crate::store::names::users(conn, &row.practice_id, [row.author_id.clone()])?;
        Ok(NotePage { addenda: HashMap::new(), names })
    }

    pub fn view(&mut self, r: NoteRow) -> NoteView {
        let addenda = self.addenda.remove(&r.id).unwrap_or_default();
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
            author_name: self.names.get(&r.author_id).cloned().unwrap_or_default(),
            author_id: r.author_id,
            body: r.body,
            signed_at: r.signed_at.map(instant),
            signed_by: r.signed_by,
            addenda: addenda.into_iter().map(|a| AddendumView::new(a, &self.names)).collect(),
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoteList {
    pub items: Vec<NoteView>,
    pub next_cursor: Option<String>,
}
