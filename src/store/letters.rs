//! Mediated letters, by tier. Each audience has its own row type and its own scoped query, so
//! what a handler can build for an audience is fixed by what its query returns:
//!
//! - [`AuthorLetterRow`] (author-only working text): `author_id` is the portal caller.
//! - [`StaffLetterRow`] (author and counselors): assigned staff, letters submitted at least
//!   once; it holds the *submitted* text, never the working draft.
//! - [`ReleasedLetterRow`] (joint): `status = 'released'`, a couple the portal caller belongs to,
//!   written by the other partner; the released text only.
//!
//! There is no unscoped find by id. Transitions are version-checked UPDATEs that also name the
//! status they leave, so of two concurrent moves exactly one writes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{letter_revisions as r, letters as l};
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::domain::letters::{LetterBody, LetterComment, LetterKind, LetterStatus, LetterTitle};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::store::access::{assigned_couples, couples_of_client};
use crate::store::boundaries::parse_ts_key;

/// What the author sees of their own letter: the working text, no revisions.
#[derive(Queryable, Debug, Clone)]
pub struct AuthorLetterRow {
    pub id: String,
    pub couple_id: String,
    pub author_id: String,
    pub kind: LetterKind,
    pub title: String,
    pub body: String,
    pub status: LetterStatus,
    pub counselor_comment: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub released_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What assigned staff see: the last submitted text (a returned letter the author is editing
/// again still shows what was submitted).
#[derive(Queryable, Debug, Clone)]
pub struct StaffLetterRow {
    pub id: String,
    pub couple_id: String,
    pub author_id: String,
    pub kind: LetterKind,
    pub title: String,
    pub body: String,
    pub status: LetterStatus,
    pub counselor_comment: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub released_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What the receiving partner sees: the released text, nothing else.
#[derive(Queryable, Debug, Clone)]
pub struct ReleasedLetterRow {
    pub id: String,
    pub couple_id: String,
    pub kind: LetterKind,
    pub title: String,
    pub body: String,
    pub author_id: String,
    pub released_at: NaiveDateTime,
    /// For the list's order only (not part of the joint view).
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = r)]
pub struct RevisionRow {
    pub letter_id: String,
    pub number: i32,
    pub body: String,
    pub submitted_at: NaiveDateTime,
}

type AuthorCols = (
    l::id,
    l::couple_id,
    l::author_id,
    l::kind,
    l::draft_title,
    l::draft_body,
    l::status,
    l::counselor_comment,
    l::submitted_at,
    l::released_at,
    l::version,
    l::created_at,
    l::updated_at,
);
const AUTHOR_COLS: AuthorCols = (
    l::id,
    l::couple_id,
    l::author_id,
    l::kind,
    l::draft_title,
    l::draft_body,
    l::status,
    l::counselor_comment,
    l::submitted_at,
    l::released_at,
    l::version,
    l::created_at,
    l::updated_at,
);

/// The portal caller's own letters (None for an actor who is not a client).
fn written_by(actor: &Actor) -> Option<l::BoxedQuery<'static, Backend>> {
    let me = actor.client_id.clone()?;
    Some(l::table.filter(l::practice_id.eq(actor.practice_id.clone())).filter(l::author_id.eq(me)).into_boxed())
}

/// Letters assigned staff may see: of their couples, submitted at least once.
fn staff_scope(actor: &Actor) -> l::BoxedQuery<'static, Backend> {
    l::table
        .filter(l::practice_id.eq(actor.practice_id.clone()))
        .filter(l::couple_id.eq_any(assigned_couples(actor.user_id.clone())))
        .filter(l::submitted_at.is_not_null())
        .filter(l::revision_count.gt(0))
        .into_boxed()
}

/// Letters released to the portal caller: of their couples, written by another partner.
fn released_to(actor: &Actor) -> Option<l::BoxedQuery<'static, Backend>> {
    let me = actor.client_id.clone()?;
    Some(
        l::table
            .filter(l::practice_id.eq(actor.practice_id.clone()))
            .filter(l::couple_id.eq_any(couples_of_client(me.clone())))
            .filter(l::author_id.ne(me))
            .filter(l::status.eq(LetterStatus::Released.as_str()))
            .filter(l::released_at.is_not_null())
            .into_boxed(),
    )
}

/// The staff tier's columns: the submitted text in place of the working draft.
type StaffCols = (
    l::id,
    l::couple_id,
    l::author_id,
    l::kind,
    diesel::dsl::AssumeNotNull<l::submitted_title>,
    diesel::dsl::AssumeNotNull<l::submitted_body>,
    l::status,
    l::counselor_comment,
    l::submitted_at,
    l::released_at,
    l::version,
    l::created_at,
    l::updated_at,
);

/// The joint tier's columns: the released text and nothing else.
type ReleasedCols = (
    l::id,
    l::couple_id,
    l::kind,
    diesel::dsl::AssumeNotNull<l::submitted_title>,
    diesel::dsl::AssumeNotNull<l::submitted_body>,
    l::author_id,
    diesel::dsl::AssumeNotNull<l::released_at>,
    l::created_at,
);

type Boxed = l::BoxedQuery<'static, Backend>;

fn staff_select(q: Boxed) -> diesel::dsl::Select<Boxed, StaffCols> {
    q.select((
        l::id,
        l::couple_id,
        l::author_id,
        l::kind,
        l::submitted_title.assume_not_null(),
        l::submitted_body.assume_not_null(),
        l::status,
        l::counselor_comment,
        l::submitted_at,
        l::released_at,
        l::version,
        l::created_at,
        l::updated_at,
    ))
}

fn released_select(q: Boxed) -> diesel::dsl::Select<Boxed, ReleasedCols> {
    q.select((
        l::id,
        l::couple_id,
        l::kind,
        l::submitted_title.assume_not_null(),
        l::submitted_body.assume_not_null(),
        l::author_id,
        l::released_at.assume_not_null(),
        l::created_at,
    ))
}

/// The caller's own letter, if they wrote it.
pub fn find_written(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<AuthorLetterRow>> {
    let Some(q) = written_by(actor) else { return Ok(None) };
    q.filter(l::id.eq(id.to_string())).select(AUTHOR_COLS).first(conn).optional()
}

/// The letter, if it was released to the caller.
pub fn find_received(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<ReleasedLetterRow>> {
    let Some(q) = released_to(actor) else { return Ok(None) };
    released_select(q.filter(l::id.eq(id.to_string()))).first(conn).optional()
}

/// The letter, if assigned staff may see it (never a draft that was not submitted).
pub fn find_for_staff(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<StaffLetterRow>> {
    staff_select(staff_scope(actor).filter(l::id.eq(id.to_string()))).first(conn).optional()
}

/// A couple's released letters, for assigned staff: the joint tier only (a release of records
/// carries nothing else of the letters), released within `[from, until)`.
pub fn released_of_couple(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: &str,
    from: Option<chrono::NaiveDateTime>,
    until: Option<chrono::NaiveDateTime>,
) -> QueryResult<Vec<ReleasedLetterRow>> {
    let mut q = staff_scope(actor).filter(l::couple_id.eq(couple_id.to_string())).filter(l::status.eq("released"));
    if let Some(from) = from {
        q = q.filter(l::released_at.ge(from));
    }
    if let Some(until) = until {
        q = q.filter(l::released_at.lt(until));
    }
    released_select(q).order((l::released_at.asc(), l::id.asc())).load(conn)
}

/// Keyset: newest first by (created_at, id).
fn before(q: l::BoxedQuery<'static, Backend>, page: &PageRequest) -> AppResult<l::BoxedQuery<'static, Backend>> {
    Ok(match &page.after {
        Some(after) => {
            let at = parse_ts_key(&after[0])?;
            let id = after[1].clone();
            q.filter(l::created_at.le(at)).filter(l::created_at.lt(at).or(l::created_at.eq(at).and(l::id.lt(id))))
        }
        None => q,
    })
}

/// A couple's letters for assigned staff, newest first, one page.
pub fn list_for_staff(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: &str,
    status: Option<LetterStatus>,
    page: &PageRequest,
) -> AppResult<Vec<StaffLetterRow>> {
    let mut q = staff_scope(actor).filter(l::couple_id.eq(couple_id.to_string()));
    if let Some(status) = status {
        q = q.filter(l::status.eq(status));
    }
    let q = before(q, page)?;
    Ok(staff_select(q).order((l::created_at.desc(), l::id.desc())).limit(page.fetch()).load(conn)?)
}

/// The caller's own letters, newest first, one page (optionally of one couple).
pub fn list_written(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<AuthorLetterRow>> {
    let Some(mut q) = written_by(actor) else { return Ok(Vec::new()) };
    if let Some(c) = couple_id {
        q = q.filter(l::couple_id.eq(c.to_string()));
    }
    let q = before(q, page)?;
    Ok(q.select(AUTHOR_COLS).order((l::created_at.desc(), l::id.desc())).limit(page.fetch()).load(conn)?)
}

/// Letters released to the caller, newest first, one page (optionally of one couple).
pub fn list_received(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<ReleasedLetterRow>> {
    let Some(mut q) = released_to(actor) else { return Ok(Vec::new()) };
    if let Some(c) = couple_id {
        q = q.filter(l::couple_id.eq(c.to_string()));
    }
    let q = before(q, page)?;
    Ok(released_select(q).order((l::created_at.desc(), l::id.desc())).limit(page.fetch()).load(conn)?)
}

/// Revisions of these letters (a page's worth in one query), in order.
pub fn revisions(conn: &mut AnyConnection, letter_ids: &[String]) -> QueryResult<Vec<RevisionRow>> {
    r::table
        .filter(r::letter_id.eq_any(letter_ids))
        .select(RevisionRow::as_select())
        .order((r::letter_id, r::number))
        .load(conn)
}

pub struct NewLetter<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub couple_id: &'a str,
    pub author_id: &'a str,
    pub kind: LetterKind,
    pub title: &'a LetterTitle,
    pub body: &'a LetterBody,
}

pub fn create(conn: &mut AnyConnection, new: &NewLetter<'_>) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(l::table)
        .values((
            l::id.eq(new.id),
            l::practice_id.eq(new.practice_id),
            l::couple_id.eq(new.couple_id),
            l::author_id.eq(new.author_id),
            l::kind.eq(new.kind),
            l::draft_title.eq(new.title),
            l::draft_body.eq(new.body),
            l::status.eq(LetterStatus::Draft),
            l::revision_count.eq(0),
            l::version.eq(1i64),
            l::created_at.eq(at),
            l::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

fn editable() -> [&'static str; 2] {
    [LetterStatus::Draft.as_str(), LetterStatus::Returned.as_str()]
}

/// Changes the working text (the fields given) while the letter is editable and still at
/// `version`; false when it is not (a concurrent change won).
pub fn update_text(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    title: Option<&LetterTitle>,
    body: Option<&LetterBody>,
) -> QueryResult<bool> {
    let target = l::table.filter(l::id.eq(id)).filter(l::version.eq(version)).filter(l::status.eq_any(editable()));
    let n = diesel::update(target)
        .set((
            title.map(|t| l::draft_title.eq(t)),
            body.map(|b| l::draft_body.eq(b)),
            l::version.eq(version + 1),
            l::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Submits the working text: status `submitted`, the text copied to the submitted columns, and
/// revision n appended. False (nothing written) unless the letter is editable and at `version`.
pub fn submit(conn: &mut AnyConnection, id: &str, version: i64) -> QueryResult<bool> {
    let at = now();
    let target = l::table.filter(l::id.eq(id)).filter(l::version.eq(version)).filter(l::status.eq_any(editable()));
    let n = diesel::update(target)
        .set((
            l::status.eq(LetterStatus::Submitted.as_str()),
            l::submitted_title.eq(l::draft_title.nullable()),
            l::submitted_body.eq(l::draft_body.nullable()),
            l::revision_count.eq(l::revision_count + 1),
            l::submitted_at.eq(Some(at)),
            l::version.eq(version + 1),
            l::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    let (practice_id, number, title, body): (String, i32, String, String) = l::table
        .filter(l::id.eq(id))
        .select((l::practice_id, l::revision_count, l::draft_title, l::draft_body))
        .first(conn)?;
    diesel::insert_into(r::table)
        .values((
            r::letter_id.eq(id),
            r::number.eq(number),
            r::practice_id.eq(practice_id),
            r::title.eq(title),
            r::body.eq(body),
            r::submitted_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// `submitted` -> `returned` with the counselor's comment; false unless at `version` and submitted.
pub fn return_to_author(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    comment: &LetterComment,
) -> QueryResult<bool> {
    let n = diesel::update(
        l::table
            .filter(l::id.eq(id))
            .filter(l::version.eq(version))
            .filter(l::status.eq(LetterStatus::Submitted.as_str())),
    )
    .set((
        l::status.eq(LetterStatus::Returned.as_str()),
        l::counselor_comment.eq(Some(comment.as_str())),
        l::version.eq(version + 1),
        l::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// `submitted` -> `released`; false unless at `version` and submitted.
pub fn release(conn: &mut AnyConnection, id: &str, version: i64) -> QueryResult<bool> {
    let at = now();
    let n = diesel::update(
        l::table
            .filter(l::id.eq(id))
            .filter(l::version.eq(version))
            .filter(l::status.eq(LetterStatus::Submitted.as_str())),
    )
    .set((
        l::status.eq(LetterStatus::Released.as_str()),
        l::released_at.eq(Some(at)),
        l::version.eq(version + 1),
        l::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Any status but released or withdrawn -> `withdrawn`; false unless at `version` and in one.
pub fn withdraw(conn: &mut AnyConnection, id: &str, version: i64) -> QueryResult<bool> {
    let from = [LetterStatus::Draft.as_str(), LetterStatus::Submitted.as_str(), LetterStatus::Returned.as_str()];
    let n = diesel::update(l::table.filter(l::id.eq(id)).filter(l::version.eq(version)).filter(l::status.eq_any(from)))
        .set((l::status.eq(LetterStatus::Withdrawn.as_str()), l::version.eq(version + 1), l::updated_at.eq(now())))
        .execute(conn)?;
    Ok(n == 1)
}

/// Is this one of the portal caller's couples?
pub fn my_couple(conn: &mut AnyConnection, actor: &Actor, couple_id: &str) -> QueryResult<bool> {
    use crate::db::schema::{couple_partners as cp, couples as k};
    let Some(me) = actor.client_id.clone() else { return Ok(false) };
    diesel::select(diesel::dsl::exists(
        k::table
            .filter(k::practice_id.eq(actor.practice_id.clone()))
            .filter(k::id.eq(couple_id.to_string()))
            .filter(k::id.eq_any(cp::table.filter(cp::client_id.eq(me)).select(cp::couple_id))),
    ))
    .get_result(conn)
}
