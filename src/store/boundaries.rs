//! Boundaries, their acknowledgements and check-ins. Staff see the boundaries of couples they
//! are assigned to (`access::assigned_couples`); portal clients those of couples they belong to
//! (`access::couples_of_client`). There is no unscoped find by id.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::access::{assigned_couples, couples_of_client};
use crate::auth::Actor;
use crate::db::schema::{
    boundaries as b, boundary_acknowledgements as ba, boundary_check_ins as ci, couple_partners as cp,
};
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = b)]
pub struct BoundaryRow {
    pub id: String,
    pub practice_id: String,
    pub couple_id: String,
    pub title: String,
    pub description: Option<String>,
    pub requested_by: Option<String>,
    /// A JSON array of client ids.
    pub responsible_ids: String,
    pub status: String,
    pub review_on: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl BoundaryRow {
    pub fn responsible(&self) -> Vec<String> {
        serde_json::from_str(&self.responsible_ids).unwrap_or_default()
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = ba)]
pub struct AckRow {
    pub boundary_id: String,
    pub client_id: String,
    pub acknowledged_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = ci)]
pub struct CheckInRow {
    pub id: String,
    pub boundary_id: String,
    pub reported_by: String,
    pub recorded_by: String,
    pub kept: bool,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Boundaries the staff actor may see: those of couples they are assigned to, in their practice.
pub fn visible(actor: &Actor) -> b::BoxedQuery<'static, Backend> {
    b::table
        .filter(b::practice_id.eq(actor.practice_id.clone()))
        .filter(b::couple_id.eq_any(assigned_couples(actor.user_id.clone())))
        .into_boxed()
}

/// Boundaries a portal client may see: those of couples they belong to. None for staff.
pub fn of_client(actor: &Actor) -> Option<b::BoxedQuery<'static, Backend>> {
    let client_id = actor.client_id.clone()?;
    Some(
        b::table
            .filter(b::practice_id.eq(actor.practice_id.clone()))
            .filter(b::couple_id.eq_any(couples_of_client(client_id)))
            .into_boxed(),
    )
}

pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<BoundaryRow>> {
    visible(actor).filter(b::id.eq(id.to_string())).select(BoundaryRow::as_select()).first(conn).optional()
}

/// The boundary, if it belongs to one of the portal client's couples.
pub fn find_for_client(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<BoundaryRow>> {
    let Some(q) = of_client(actor) else { return Ok(None) };
    q.filter(b::id.eq(id.to_string())).select(BoundaryRow::as_select()).first(conn).optional()
}

pub struct NewBoundary {
    pub id: String,
    pub couple_id: String,
    pub title: String,
    pub description: Option<String>,
    pub requested_by: Option<String>,
    pub responsible_ids: Vec<String>,
    pub review_on: Option<String>,
}

pub fn create(conn: &mut AnyConnection, practice_id: &str, new: &NewBoundary) -> AppResult<()> {
    let at = now();
    let responsible = serde_json::to_string(&new.responsible_ids).map_err(AppError::internal)?;
    diesel::insert_into(b::table)
        .values((
            b::id.eq(&new.id),
            b::practice_id.eq(practice_id),
            b::couple_id.eq(&new.couple_id),
            b::title.eq(&new.title),
            b::description.eq(&new.description),
            b::requested_by.eq(&new.requested_by),
            b::responsible_ids.eq(responsible),
            b::status.eq("proposed"),
            b::review_on.eq(&new.review_on),
            b::version.eq(1i64),
            b::created_at.eq(at),
            b::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A timestamp as a cursor key part (microseconds, so it round-trips on both stores).
pub fn ts_key(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

pub fn parse_ts_key(s: &str) -> AppResult<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.6f")
        .map_err(|_| AppError::BadRequest("The cursor is not one this listing gave out.".into()))
}

/// A couple's boundaries in creation order (created_at, id), one page. `scope` is
/// [`visible`] or [`of_client`]: the couple filter narrows it, never widens it.
pub fn list(
    conn: &mut AnyConnection,
    scope: b::BoxedQuery<'static, Backend>,
    couple_id: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<BoundaryRow>> {
    let mut q = scope.select(BoundaryRow::as_select());
    if let Some(couple_id) = couple_id {
        q = q.filter(b::couple_id.eq(couple_id.to_string()));
    }
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(b::created_at.ge(at)).filter(b::created_at.gt(at).or(b::created_at.eq(at).and(b::id.gt(id))));
    }
    Ok(q.order((b::created_at.asc(), b::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Acknowledgements of many boundaries (one query for a page), in the order they were made.
pub fn acknowledgements(conn: &mut AnyConnection, boundary_ids: &[String]) -> QueryResult<Vec<AckRow>> {
    ba::table
        .filter(ba::boundary_id.eq_any(boundary_ids))
        .select(AckRow::as_select())
        .order((ba::boundary_id, ba::acknowledged_at, ba::client_id))
        .load(conn)
}

/// Records the client's acknowledgement; acknowledging again keeps the first time.
pub fn acknowledge(conn: &mut AnyConnection, practice_id: &str, boundary_id: &str, client_id: &str) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        ba::table.filter(ba::boundary_id.eq(boundary_id)).filter(ba::client_id.eq(client_id)),
    ))
    .get_result(conn)?;
    if !exists {
        diesel::insert_into(ba::table)
            .values((
                ba::boundary_id.eq(boundary_id),
                ba::client_id.eq(client_id),
                ba::practice_id.eq(practice_id),
                ba::acknowledged_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Partners of the couple who have not acknowledged the boundary yet.
pub fn unacknowledged_partners(conn: &mut AnyConnection, boundary_id: &str, couple_id: &str) -> QueryResult<i64> {
    cp::table
        .filter(cp::couple_id.eq(couple_id))
        .filter(
            cp::client_id.ne_all(ba::table.filter(ba::boundary_id.eq(boundary_id.to_string())).select(ba::client_id)),
        )
        .count()
        .get_result(conn)
}

pub struct Changes {
    pub title: String,
    pub description: Option<String>,
    pub responsible_ids: Vec<String>,
    pub status: String,
    pub review_on: Option<String>,
}

/// Writes the changes if the row is still at `version`; false when a concurrent write won.
pub fn update(conn: &mut AnyConnection, id: &str, version: i64, c: &Changes) -> AppResult<bool> {
    let responsible = serde_json::to_string(&c.responsible_ids).map_err(AppError::internal)?;
    let n = diesel::update(b::table.filter(b::id.eq(id)).filter(b::version.eq(version)))
        .set((
            b::title.eq(&c.title),
            b::description.eq(&c.description),
            b::responsible_ids.eq(responsible),
            b::status.eq(&c.status),
            b::review_on.eq(&c.review_on),
            b::version.eq(version + 1),
            b::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Moves the boundary to `status` (the acknowledgement rule), bumping its version.
pub fn set_status(conn: &mut AnyConnection, id: &str, status: &str) -> QueryResult<()> {
    diesel::update(b::table.filter(b::id.eq(id)))
        .set((b::status.eq(status), b::version.eq(b::version + 1), b::updated_at.eq(now())))
        .execute(conn)
        .map(|_| ())
}

pub struct NewCheckIn<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub boundary_id: &'a str,
    pub reported_by: &'a str,
    pub recorded_by: &'a str,
    pub kept: bool,
    pub note: Option<&'a str>,
}

pub fn create_check_in(conn: &mut AnyConnection, new: &NewCheckIn<'_>) -> QueryResult<CheckInRow> {
    diesel::insert_into(ci::table)
        .values((
            ci::id.eq(new.id),
            ci::practice_id.eq(new.practice_id),
            ci::boundary_id.eq(new.boundary_id),
            ci::reported_by.eq(new.reported_by),
            ci::recorded_by.eq(new.recorded_by),
            ci::kept.eq(new.kept),
            ci::note.eq(new.note),
            ci::created_at.eq(now()),
        ))
        .execute(conn)?;
    ci::table.filter(ci::id.eq(new.id)).select(CheckInRow::as_select()).first(conn)
}

/// Check-ins of a boundary the caller may see, newest first (created_at, id descending).
/// `reported_by` narrows to one client's own check-ins (the portal).
pub fn list_check_ins(
    conn: &mut AnyConnection,
    boundary_id: &str,
    reported_by: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<CheckInRow>> {
    let mut q =
        ci::table.filter(ci::boundary_id.eq(boundary_id.to_string())).select(CheckInRow::as_select()).into_boxed();
    if let Some(client_id) = reported_by {
        q = q.filter(ci::reported_by.eq(client_id.to_string()));
    }
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(ci::created_at.le(at)).filter(ci::created_at.lt(at).or(ci::created_at.eq(at).and(ci::id.lt(id))));
    }
    Ok(q.order((ci::created_at.desc(), ci::id.desc())).limit(page.fetch()).load(conn)?)
}

/// For progress: the couple's active boundaries (one count).
pub fn active_count(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<i64> {
    b::table.filter(b::couple_id.eq(couple_id)).filter(b::status.eq("active")).count().get_result(conn)
}

/// For progress: check-ins on the couple's boundaries since `since`, counted by kept
/// (one aggregate query).
pub fn check_in_counts(conn: &mut AnyConnection, couple_id: &str, since: NaiveDateTime) -> QueryResult<(i64, i64)> {
    let rows: Vec<(bool, i64)> = ci::table
        .filter(ci::boundary_id.eq_any(b::table.filter(b::couple_id.eq(couple_id.to_string())).select(b::id)))
        .filter(ci::created_at.ge(since))
        .group_by(ci::kept)
        .select((ci::kept, diesel::dsl::count_star()))
        .load(conn)?;
    let count = |k: bool| rows.iter().find(|r| r.0 == k).map_or(0, |r| r.1);
    Ok((count(true), count(false)))
}

/// Takes the boundary's row lock for the rest of the transaction (PostgreSQL; SQLite already
/// holds the write lock), so two partners acknowledging at once cannot both miss the other.
pub fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
    diesel::update(b::table.filter(b::id.eq(id))).set(b::id.eq(b::id)).execute(conn).map(|_| ())
}
