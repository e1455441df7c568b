//! Letters, one type per audience (tier). Each is built only from the row type of its tier's
//! query (`store::letters`), so a received letter cannot carry revisions, a counselor's comment
//! or an unreleased text, and staff never get a never-submitted draft.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::letters::{LetterKind, LetterStatus};
use crate::store::letters::{AuthorLetterRow, ReleasedLetterRow, RevisionRow, StaffLetterRow};

/// One submission, kept as it was sent.
#[derive(Serialize, ToSchema)]
pub struct Revision {
    pub number: i32,
    pub body: String,
    pub submitted_at: DateTime<Utc>,
}

/// A letter as assigned staff see it (author and counselors): the last submitted text and
/// every revision.
#[derive(Serialize, ToSchema)]
pub struct StaffLetter {
    pub id: String,
    pub couple_id: String,
    pub author_id: String,
    /// The author's name (the name they go by and their last name).
    pub author_name: String,
    pub kind: LetterKind,
    pub title: String,
    /// The last submitted text (what the author is editing after a return is not shown).
    pub body: String,
    pub status: LetterStatus,
    pub counselor_comment: Option<String>,
    /// Oldest first.
    pub revisions: Vec<Revision>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub released_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl StaffLetter {
    /// `revisions` may hold other letters' revisions too (a page's worth).
    /// `names` holds the authors' names (a page's worth).
    pub fn new(
        row: StaffLetterRow,
        revisions: &[RevisionRow],
        names: &std::collections::HashMap<crate::domain::ids::ClientId, String>,
    ) -> StaffLetter {
        let revisions = revisions
            .iter()
            .filter(|r| r.letter_id == row.id)
            .map(|r| Revision { number: r.number, body: r.body.clone(), submitted_at: instant(r.submitted_at) })
            .collect();
        StaffLetter {
            kind: row.kind,
            status: row.status,
            id: row.id,
            couple_id: row.couple_id,
            author_name: names
                .get(&crate::domain::ids::ClientId::from_db(row.author_id.clone()))
                .cloned()
                .unwrap_or_default(),
            author_id: row.author_id,
            title: row.title,
            body: row.body,
            counselor_comment: row.counselor_comment,
            revisions,
            submitted_at: row.submitted_at.map(instant),
            released_at: row.released_at.map(instant),
            created_at: instant(row.created_at),
            updated_at: instant(row.updated_at),
            version: row.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffLetterList {
    pub items: Vec<StaffLetter>,
    pub next_cursor: Option<String>,
}

/// The author's own letter: the working text and the counselor's comment, no revisions.
#[derive(Serialize, ToSchema)]
pub struct AuthorLetter {
    pub id: String,
    pub couple_id: String,
    pub author_id: String,
    pub kind: LetterKind,
    pub title: String,
    pub body: String,
    pub status: LetterStatus,
    /// The counselor's comment on a returned letter.
    pub counselor_comment: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub released_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<AuthorLetterRow> for AuthorLetter {
    fn from(row: AuthorLetterRow) -> Self {
        AuthorLetter {
            kind: row.kind,
            status: row.status,
            id: row.id,
            couple_id: row.couple_id,
            author_id: row.author_id,
            title: row.title,
            body: row.body,
            counselor_comment: row.counselor_comment,
            submitted_at: row.submitted_at.map(instant),
            released_at: row.released_at.map(instant),
            created_at: instant(row.created_at),
            updated_at: instant(row.updated_at),
            version: row.version,
        }
    }
}

/// A letter released to the caller (joint): the released text and nothing else.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivedLetter {
    pub id: String,
    pub couple_id: String,
    pub kind: LetterKind,
    pub title: String,
    pub body: String,
    pub author_id: String,
    pub released_at: DateTime<Utc>,
}

impl From<ReleasedLetterRow> for ReceivedLetter {
    fn from(row: ReleasedLetterRow) -> Self {
        ReceivedLetter {
            kind: row.kind,
            id: row.id,
            couple_id: row.couple_id,
            title: row.title,
            body: row.body,
            author_id: row.author_id,
            released_at: instant(row.released_at),
        }
    }
}

/// `GET /portal/letters/{id}`: the author's view of their own letter, or a received letter.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum PortalLetter {
    Written(AuthorLetter),
    Received(ReceivedLetter),
}

/// A received letter as an item of `GET /portal/letters` (the same fields as
/// [`ReceivedLetter`], beside the item's `direction`).
#[derive(Serialize, ToSchema)]
pub struct ReceivedLetterItem {
    pub id: String,
    pub couple_id: String,
    pub kind: LetterKind,
    pub title: String,
    pub body: String,
    pub author_id: String,
    pub released_at: DateTime<Utc>,
}

impl From<ReceivedLetter> for ReceivedLetterItem {
    fn from(l: ReceivedLetter) -> Self {
        let ReceivedLetter { id, couple_id, kind, title, body, author_id, released_at } = l;
        ReceivedLetterItem { id, couple_id, kind, title, body, author_id, released_at }
    }
}

/// An item of `GET /portal/letters`, with its `direction`: `written` (the caller's own, every
/// status) or `received` (released to the caller).
#[derive(Serialize)]
#[serde(tag = "direction", rename_all = "snake_case")]
pub enum PortalLetterItem {
    Written(AuthorLetter),
    Received(ReceivedLetterItem),
}

impl utoipa::PartialSchema for PortalLetterItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        crate::views::schema::one_of_refs(
            &["WrittenPortalLetter", "ReceivedPortalLetter"],
            "An item of `GET /portal/letters`, with its `direction`: `written` (the caller's own, every \
             status) or `received` (released to the caller).",
        )
    }
}

impl utoipa::ToSchema for PortalLetterItem {
    fn schemas(out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        use utoipa::PartialSchema;
        out.push((
            "WrittenPortalLetter".into(),
            crate::views::schema::with_tag(AuthorLetter::schema(), "direction", "written"),
        ));
        out.push((
            "ReceivedPortalLetter".into(),
            crate::views::schema::with_tag(ReceivedLetterItem::schema(), "direction", "received"),
        ));
        <AuthorLetter as ToSchema>::schemas(out);
        <ReceivedLetterItem as ToSchema>::schemas(out);
    }
}

#[derive(Serialize, ToSchema)]
pub struct PortalLetterList {
    pub items: Vec<PortalLetterItem>,
    pub next_cursor: Option<String>,
}
