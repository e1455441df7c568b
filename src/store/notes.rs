//! Mediation notes and their addenda. Every read goes through `access::visible_notes`.
//!
//! A signed note is sealed: at signing we store the SHA-256 of a canonical serialization of
//! what was signed (see [`canonical`]); every read recomputes it, so a change made behind the
//! API's back shows as `integrity: "mismatch"`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::access::visible_notes;
use crate::auth::Actor;
use crate::db::schema::{note_addenda as na, notes as n};
use crate::db::{now, AnyConnection};
use crate::domain::session::{key, parse_key, NoteStatus};
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = n)]
pub struct NoteRow {
    pub id: String,
    pub practice_id: String,
    pub session_id: String,
    pub couple_id: Option<String>,
    pub client_id: Option<String>,
    pub author_id: String,
    pub body: String,
    pub topics: String,
    pub agreements: String,
    pub risk_level: Option<String>,
    pub status: String,
    pub signed_at: Option<NaiveDateTime>,
    pub signed_by: Option<String>,
    pub content_sha256: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NoteRow {
    pub fn is_signed(&self) -> bool {
        self.status == NoteStatus::Signed.as_str()
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
    pub id: String,
    pub note_id: String,
    pub author_id: String,
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
        risk_level: row.risk_level.as_deref(),
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

pub struct NewNote<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub session_id: &'a str,
    pub couple_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub author_id: &'a str,
    pub body: &'a str,
    pub topics: &'a [String],
    pub agreements: &'a [String],
    pub risk_level: Option<&'a str>,
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Inserts a draft and returns the row as stored (built from the values written, so the
/// request needs no read-back; instants are microsecond-exact on both stores).
pub fn create(conn: &mut AnyConnection, new: &NewNote<'_>) -> QueryResult<NoteRow> {
    let at = now();
    let row = NoteRow {
        id: new.id.to_string(),
        practice_id: new.practice_id.to_string(),
        session_id: new.session_id.to_string(),
        couple_id: new.couple_id.map(String::from),
        client_id: new.client_id.map(String::from),
        author_id: new.author_id.to_string(),
        body: new.body.to_string(),
        topics: json_list(new.topics),
        agreements: json_list(new.agreements),
        risk_level: new.risk_level.map(String::from),
        status: NoteStatus::Draft.as_str().to_string(),
        signed_at: None,
        signed_by: None,
        content_sha256: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    diesel::insert_into(n::table)
        .values((
            n::id.eq(&row.id),
            n::practice_id.eq(&row.practice_id),
            n::session_id.eq(&row.session_id),
            n::couple_id.eq(&row.couple_id),
            n::client_id.eq(&row.client_id),
            n::author_id.eq(&row.author_id),
            n::body.eq(&row.body),
            n::topics.eq(&row.topics),
            n::agreements.eq(&row.agreements),
            n::risk_level.eq(&row.risk_level),
            n::status.eq(&row.status),
            n::version.eq(row.version),
            n::created_at.eq(row.created_at),
            n::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(row)
}

/// The note, if the actor may see it.
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<NoteRow>> {
    visible_notes(actor).filter(n::id.eq(id.to_string())).select(NoteRow::as_select()).first(conn).optional()
}

/// Notes of one (already visible) session, in creation order (keyset on created_at, id).
pub fn list_for_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: &str,
    page: &PageRequest,
) -> AppResult<Vec<NoteRow>> {
    let mut q = visible_notes(actor).filter(n::session_id.eq(session_id.to_string())).select(NoteRow::as_select());
    if let Some(after) = &page.after {
        let bad = || AppError::BadRequest("The cursor is not one this listing gave out.".into());
        let at = parse_key(&after[0]).ok_or_else(bad)?;
        let id = after[1].clone();
        q = q.filter(n::created_at.ge(at)).filter(n::created_at.gt(at).or(n::created_at.eq(at).and(n::id.gt(id))));
    }
    Ok(q.order((n::created_at.asc(), n::id.asc())).limit(page.fetch()).load(conn)?)
}

pub fn list_key(r: &NoteRow) -> Vec<String> {
    vec![key(r.created_at), r.id.clone()]
}

/// Addenda of many notes at once (one query for a page), grouped by note, oldest first.
pub fn addenda(
    conn: &mut AnyConnection,
    note_ids: &[String],
) -> QueryResult<std::collections::HashMap<String, Vec<AddendumRow>>> {
    let rows: Vec<AddendumRow> = na::table
        .filter(na::note_id.eq_any(note_ids))
        .select(AddendumRow::as_select())
        .order((na::note_id, na::created_at, na::id))
        .load(conn)?;
    let mut map: std::collections::HashMap<String, Vec<AddendumRow>> = std::collections::HashMap::new();
    for r in rows {
        map.entry(r.note_id.clone()).or_default().push(r);
    }
    Ok(map)
}

pub struct DraftChanges {
    pub body: String,
    pub topics: Vec<String>,
    pub agreements: Vec<String>,
    pub risk_level: Option<String>,
}

/// Rewrites a draft if it is still a draft at `version`; false when a concurrent write won.
pub fn update_draft(conn: &mut AnyConnection, id: &str, version: i64, c: &DraftChanges) -> QueryResult<bool> {
    let rows = diesel::update(
        n::table.filter(n::id.eq(id)).filter(n::version.eq(version)).filter(n::status.eq(NoteStatus::Draft.as_str())),
    )
    .set((
        n::body.eq(&c.body),
        n::topics.eq(json_list(&c.topics)),
        n::agreements.eq(json_list(&c.agreements)),
        n::risk_level.eq(&c.risk_level),
        n::version.eq(version + 1),
        n::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Signs a draft: sets the signer and time and seals the content hash. False when the note is
/// no longer the draft at `current.version`.
pub fn sign(conn: &mut AnyConnection, current: &NoteRow, signer: &str) -> QueryResult<bool> {
    let at = now();
    let mut sealed = current.clone();
    sealed.status = NoteStatus::Signed.as_str().into();
    sealed.signed_at = Some(at);
    sealed.signed_by = Some(signer.to_string());
    let hash = content_sha256(&sealed);
    let rows = diesel::update(
        n::table
            .filter(n::id.eq(&current.id))
            .filter(n::version.eq(current.version))
            .filter(n::status.eq(NoteStatus::Draft.as_str())),
    )
    .set((
        n::status.eq(NoteStatus::Signed.as_str()),
        n::signed_at.eq(at),
        n::signed_by.eq(signer),
        n::content_sha256.eq(hash),
        n::version.eq(current.version + 1),
        n::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Appends an addendum to a signed note and moves the note's version (its representation
/// changed; the signed content did not).
pub fn add_addendum(
    conn: &mut AnyConnection,
    note: &NoteRow,
    id: &str,
    author_id: &str,
    body: &str,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(na::table)
        .values((
            na::id.eq(id),
            na::practice_id.eq(&note.practice_id),
            na::note_id.eq(&note.id),
            na::author_id.eq(author_id),
            na::body.eq(body),
            na::created_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(n::table.filter(n::id.eq(&note.id)))
        .set((n::version.eq(n::version + 1), n::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}
