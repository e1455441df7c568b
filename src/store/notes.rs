//! Mediation notes and their addenda. Every read goes through `access::visible_notes`.
//!
//! A signed note is sealed: at signing we store the SHA-256 of a canonical serialization of
//! what was signed (see [`canonical`]); every read recomputes it, so a change made behind the
//! API's back shows as `integrity: "mismatch"`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::{note_addenda as na, notes as n};
use crate::db::AnyConnection;
use crate::domain::ids::{AddendumId, ClientId, CoupleId, NoteId, PracticeId, SessionId, UserId};
use crate::domain::session::{key, parse_key, NoteStatus, RiskLevel};
use crate::domain::value_sessions::{Agreements, NoteBody, Topics};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::access::visible_notes;
use crate::store::sessions::SessionRow;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = n)]
pub struct NoteRow {
    pub id: NoteId,
    pub practice_id: PracticeId,
    pub session_id: SessionId,
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub author_id: UserId,
    pub body: String,
    pub topics: String,
    pub agreements: String,
    pub risk_level: Option<RiskLevel>,
    pub status: NoteStatus,
    pub signed_at: Option<NaiveDateTime>,
    pub signed_by: Option<UserId>,
    pub content_sha256: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NoteRow {
    pub fn is_signed(&self) -> bool {
        self.status == NoteStatus::Signed
    }

    pub fn topics(&self) -> Vec<String> {
        serde_json::from_str(&self.topics).unwrap_or_default()
    }

    pub fn agreements(&self) -> Vec<String> {
        serde_json::from_str(&self.agreements).unwrap_or_default()
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = na)]
pub struct AddendumRow {
    pub id: AddendumId,
    pub note_id: NoteId,
    pub author_id: UserId,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// What a signature covers, in a fixed field order.
#[derive(Serialize)]
struct SignedContent<'a> {
    id: &'a str,
    session_id: &'a str,
    author_id: &'a str,
    body: &'a str,
    topics: Vec<String>,
    agreements: Vec<String>,
    risk_level: Option<&'a str>,
    signed_at: Option<String>,
    signed_by: Option<&'a str>,
}

/// The canonical serialization of a note's signed content: compact JSON of the fields above in
/// that order, lists parsed (so the stored JSON's spacing does not matter), `signed_at` as
/// `YYYY-MM-DDTHH:MM:SS.ffffff` UTC.
pub fn canonical(row: &NoteRow) -> String {
    let content = SignedContent {
        id: &row.id,
        session_id: &row.session_id,
        author_id: &row.author_id,
        body: &row.body,
        topics: row.topics(),
        agreements: row.agreements(),
        risk_level: row.risk_level.map(RiskLevel::as_str),
        signed_at: row.signed_at.map(key),
        signed_by: row.signed_by.as_deref(),
    };
    serde_json::to_string(&content).unwrap_or_default()
}

pub fn content_sha256(row: &NoteRow) -> String {
    hex::encode(Sha256::digest(canonical(row).as_bytes()))
}

/// Does the signed note still hold what was signed? `None` for a draft.
pub fn integrity_ok(row: &NoteRow) -> Option<bool> {
    if !row.is_signed() {
        return None;
    }
    Some(row.content_sha256.as_deref() == Some(content_sha256(row).as_str()))
}

/// A new draft's row: checked values only (Lemmy's `InsertForm`); the lists as JSON text.
#[derive(Insertable)]
#[diesel(table_name = n, treat_none_as_default_value = false)]
pub struct NewNote {
    pub id: NoteId,
    pub practice_id: PracticeId,
    pub session_id: SessionId,
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub author_id: UserId,
    pub body: NoteBody,
    topics: String,
    agreements: String,
    pub risk_level: Option<RiskLevel>,
    pub status: NoteStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewNote {
    /// A draft by `author_id` on `session` (it carries the session's couple or client), made now.
    pub fn draft(
        id: NoteId,
        session: &SessionRow,
        author_id: UserId,
        body: NoteBody,
        topics: &Topics,
        agreements: &Agreements,
        risk_level: Option<RiskLevel>,
    ) -> NewNote {
        let at = crate::db::now();
        NewNote {
            id,
            practice_id: session.practice_id.clone(),
            session_id: session.id.clone(),
            couple_id: session.couple_id.clone(),
            client_id: session.client_id.clone(),
            author_id,
            body,
            topics: json_list(topics.as_slice()),
            agreements: json_list(agreements.as_slice()),
            risk_level,
            status: NoteStatus::Draft,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Inserts a draft and returns the row as stored (built from the values written, so the
/// request needs no read-back; instants are microsecond-exact on both stores).
#[tracing::instrument(skip_all, fields(note.id = %new.id, session.id = %new.session_id))]
pub fn create(conn: &mut AnyConnection, new: NewNote) -> QueryResult<NoteRow> {
    diesel::insert_into(n::table).values(&new).execute(conn)?;
    Ok(NoteRow {
        id: new.id,
        practice_id: new.practice_id,
        session_id: new.session_id,
        couple_id: new.couple_id,
        client_id: new.client_id,
        author_id: new.author_id,
        body: new.body.into_string(),
        topics: new.topics,
        agreements: new.agreements,
        risk_level: new.risk_level,
        status: new.status,
        signed_at: None,
        signed_by: None,
        content_sha256: None,
        version: new.version,
        created_at: new.created_at,
        updated_at: new.updated_at,
    })
}

/// The note, if the actor may see it (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(note.id = %id))]
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &NoteId) -> QueryResult<NoteRow> {
    visible_notes(actor).filter(n::id.eq(id.clone())).select(NoteRow::as_select()).first(conn)
}

/// Notes of one (already visible) session, in creation order (keyset on created_at, id).
#[tracing::instrument(skip_all, fields(session.id = %session_id))]
pub fn list_for_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &SessionId,
    page: &PageRequest,
) -> AppResult<Vec<NoteRow>> {
    let mut q = visible_notes(actor).filter(n::session_id.eq(session_id.clone())).select(NoteRow::as_select());
    if let Some(after) = &page.after {
        let bad = || AppError::BadRequest("The cursor is not one this listing gave out.".into());
        let at = parse_key(&after[0]).ok_or_else(bad)?;
        let id = after[1].clone();
        q = q.filter(n::created_at.ge(at)).filter(n::created_at.gt(at).or(n::created_at.eq(at).and(n::id.gt(id))));
    }
    Ok(q.order((n::created_at.asc(), n::id.asc())).limit(page.fetch()).load(conn)?)
}

pub fn list_key(r: &NoteRow) -> Vec<String> {
    vec![key(r.created_at), r.id.to_string()]
}

/// Addenda of many notes at once (one query for a page), grouped by note, oldest first.
pub fn addenda(
    conn: &mut AnyConnection,
    note_ids: &[NoteId],
) -> QueryResult<std::collections::HashMap<NoteId, Vec<AddendumRow>>> {
    let rows: Vec<AddendumRow> = na::table
        .filter(na::note_id.eq_any(note_ids))
        .select(AddendumRow::as_select())
        .order((na::note_id, na::created_at, na::id))
        .load(conn)?;
    let mut map: std::collections::HashMap<NoteId, Vec<AddendumRow>> = std::collections::HashMap::new();
    for r in rows {
        map.entry(r.note_id.clone()).or_default().push(r);
    }
    Ok(map)
}

/// The whole new content of a draft (checked, merged with the current one), with the version
/// it moves to (Lemmy's `UpdateForm`); the lists as JSON text.
#[derive(AsChangeset)]
#[diesel(table_name = n, treat_none_as_null = true)]
pub struct DraftChanges {
    body: NoteBody,
    topics: String,
    agreements: String,
    risk_level: Option<RiskLevel>,
    version: i64,
    updated_at: NaiveDateTime,
}

impl DraftChanges {
    pub fn new(
        body: NoteBody,
        topics: &[String],
        agreements: &[String],
        risk_level: Option<RiskLevel>,
        version: i64,
        updated_at: NaiveDateTime,
    ) -> DraftChanges {
        DraftChanges {
            body,
            topics: json_list(topics),
            agreements: json_list(agreements),
            risk_level,
            version,
            updated_at,
        }
    }
}

/// Rewrites a draft if it is still a draft at `version` (the changes carry `version + 1`);
/// false when a concurrent write won.
#[tracing::instrument(skip_all, fields(note.id = %id))]
pub fn update_draft(conn: &mut AnyConnection, id: &NoteId, version: i64, changes: &DraftChanges) -> QueryResult<bool> {
    let rows = diesel::update(
        n::table.filter(n::id.eq(id)).filter(n::version.eq(version)).filter(n::status.eq(NoteStatus::Draft)),
    )
    .set(changes)
    .execute(conn)?;
    Ok(rows == 1)
}

/// What signing writes (Lemmy's `UpdateForm`).
#[derive(AsChangeset)]
#[diesel(table_name = n)]
struct Seal<'a> {
    status: NoteStatus,
    signed_at: NaiveDateTime,
    signed_by: &'a UserId,
    content_sha256: String,
    version: i64,
    updated_at: NaiveDateTime,
}

/// Signs a draft: sets the signer and time and seals the content hash. False when the note is
/// no longer the draft at `current.version`.
#[tracing::instrument(skip_all, fields(note.id = %current.id, signer.id = %signer))]
pub fn sign(conn: &mut AnyConnection, current: &NoteRow, signer: &UserId) -> QueryResult<bool> {
    let at = crate::db::now();
    let mut sealed = current.clone();
    sealed.status = NoteStatus::Signed;
    sealed.signed_at = Some(at);
    sealed.signed_by = Some(signer.clone());
    let seal = Seal {
        status: NoteStatus::Signed,
        signed_at: at,
        signed_by: signer,
        content_sha256: content_sha256(&sealed),
        version: current.version + 1,
        updated_at: at,
    };
    let rows = diesel::update(
        n::table
            .filter(n::id.eq(&current.id))
            .filter(n::version.eq(current.version))
            .filter(n::status.eq(NoteStatus::Draft)),
    )
    .set(&seal)
    .execute(conn)?;
    if rows == 1 {
        // The session has its signed note: it leaves the worklist's `session_needs_note` (its
        // partial index), in the same transaction.
        use crate::db::schema::sessions as s;
        diesel::update(s::table.filter(s::id.eq(&current.session_id))).set(s::note_signed.eq(true)).execute(conn)?;
    }
    Ok(rows == 1)
}

/// A new addendum's row (Lemmy's `InsertForm`).
#[derive(Insertable)]
#[diesel(table_name = na)]
struct NewAddendum<'a> {
    id: &'a AddendumId,
    practice_id: &'a PracticeId,
    note_id: &'a NoteId,
    author_id: &'a UserId,
    body: &'a NoteBody,
    created_at: NaiveDateTime,
}

/// Appends an addendum to a signed note and moves the note's version (its representation
/// changed; the signed content did not).
#[tracing::instrument(skip_all, fields(note.id = %note.id, addendum.id = %id))]
pub fn add_addendum(
    conn: &mut AnyConnection,
    note: &NoteRow,
    id: &AddendumId,
    author_id: &UserId,
    body: &NoteBody,
) -> QueryResult<()> {
    let at = crate::db::now();
    let row = NewAddendum { id, practice_id: &note.practice_id, note_id: &note.id, author_id, body, created_at: at };
    diesel::insert_into(na::table).values(&row).execute(conn)?;
    diesel::update(n::table.filter(n::id.eq(&note.id)))
        .set((n::version.eq(n::version + 1), n::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}
