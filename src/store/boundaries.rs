//! Boundaries, their acknowledgements and check-ins. Staff see the boundaries of couples they
//! are assigned to (`access::assigned_couples`); portal clients those of couples they belong to
//! (`access::couples_of_client`). There is no unscoped find by id.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    boundaries as b, boundary_acknowledgements as ba, boundary_check_ins as ci, couple_partners as cp,
};
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::domain::ids::{BoundaryId, CheckInId, ClientId, CoupleId, PracticeId, UserId};
use crate::domain::trust::BoundaryStatus;
use crate::domain::value_trust::{BoundaryDescription, CalendarDate, CheckInNote, Title};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::access::{assigned_couples, couples_of_client};

/// A JSON array of client ids, as the `responsible_ids` column holds it. A stored value that is
/// not such an array is a read error, never an empty list.
#[derive(Clone, Debug, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct ClientIds {
    ids: Vec<ClientId>,
    json: String,
}

impl ClientIds {
    pub fn new(ids: Vec<ClientId>) -> ClientIds {
        let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
        ClientIds { json: format!("[{}]", quoted.join(",")), ids }
    }

    pub fn ids(&self) -> &[ClientId] {
        &self.ids
    }

    pub fn into_vec(self) -> Vec<ClientId> {
        self.ids
    }
}

impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for ClientIds
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.json.as_str(), out)
    }
}

impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for ClientIds
where
    DB: diesel::backend::Backend,
    String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        let json = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
        let ids: Vec<ClientId> = serde_json::from_str(&json)?;
        Ok(ClientIds { ids, json })
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = b)]
pub struct BoundaryRow {
    pub id: BoundaryId,
    pub practice_id: PracticeId,
    pub couple_id: CoupleId,
    pub title: String,
    pub description: Option<String>,
    pub requested_by: Option<ClientId>,
    pub responsible_ids: ClientIds,
    pub status: BoundaryStatus,
    pub review_on: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = ba)]
pub struct AckRow {
    pub boundary_id: BoundaryId,
    pub client_id: ClientId,
    pub acknowledged_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = ci)]
pub struct CheckInRow {
    pub id: CheckInId,
    pub boundary_id: BoundaryId,
    pub reported_by: ClientId,
    pub recorded_by: UserId,
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

/// The boundary, if the staff actor may see it (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(boundary.id = %id))]
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &BoundaryId) -> QueryResult<BoundaryRow> {
    visible(actor).filter(b::id.eq(id.clone())).select(BoundaryRow::as_select()).first(conn)
}

/// The boundary, if it belongs to one of the portal client's couples (`NotFound` otherwise,
/// and always for staff).
#[tracing::instrument(skip_all, fields(boundary.id = %id))]
pub fn find_for_client(conn: &mut AnyConnection, actor: &Actor, id: &BoundaryId) -> QueryResult<BoundaryRow> {
    let Some(q) = of_client(actor) else { return Err(diesel::result::Error::NotFound) };
    q.filter(b::id.eq(id.clone())).select(BoundaryRow::as_select()).first(conn)
}

/// A new boundary's row: checked values only.
#[derive(Insertable)]
#[diesel(table_name = b, treat_none_as_default_value = false)]
pub struct NewBoundary {
    pub id: BoundaryId,
    pub practice_id: PracticeId,
    pub couple_id: CoupleId,
    pub title: Title,
    pub description: Option<BoundaryDescription>,
    pub requested_by: Option<ClientId>,
    pub responsible_ids: ClientIds,
    pub status: BoundaryStatus,
    pub review_on: Option<CalendarDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[tracing::instrument(skip_all, fields(boundary.id = %new.id, couple.id = %new.couple_id))]
pub fn create(conn: &mut AnyConnection, new: &NewBoundary) -> QueryResult<()> {
    diesel::insert_into(b::table).values(new).execute(conn).map(|_| ())
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
    couple_id: Option<&CoupleId>,
    page: &PageRequest,
) -> AppResult<Vec<BoundaryRow>> {
    let mut q = scope.select(BoundaryRow::as_select());
    if let Some(couple_id) = couple_id {
        q = q.filter(b::couple_id.eq(couple_id.clone()));
    }
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(b::created_at.ge(at)).filter(b::created_at.gt(at).or(b::created_at.eq(at).and(b::id.gt(id))));
    }
    Ok(q.order((b::created_at.asc(), b::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Acknowledgements of many boundaries (one query for a page), in the order they were made.
pub fn acknowledgements(conn: &mut AnyConnection, boundary_ids: &[BoundaryId]) -> QueryResult<Vec<AckRow>> {
    ba::table
        .filter(ba::boundary_id.eq_any(boundary_ids))
        .select(AckRow::as_select())
        .order((ba::boundary_id, ba::acknowledged_at, ba::client_id))
        .load(conn)
}

/// Records the client's acknowledgement; acknowledging again keeps the first time.
#[tracing::instrument(skip_all, fields(boundary.id = %boundary_id, client.id = %client_id))]
pub fn acknowledge(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    boundary_id: &BoundaryId,
    client_id: &ClientId,
) -> QueryResult<()> {
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
#[tracing::instrument(skip_all, fields(boundary.id = %boundary_id))]
pub fn unacknowledged_partners(
    conn: &mut AnyConnection,
    boundary_id: &BoundaryId,
    couple_id: &CoupleId,
) -> QueryResult<i64> {
    cp::table
        .filter(cp::couple_id.eq(couple_id))
        .filter(cp::client_id.ne_all(ba::table.filter(ba::boundary_id.eq(boundary_id.clone())).select(ba::client_id)))
        .count()
        .get_result(conn)
}

/// A change to a boundary (Lemmy's `UpdateForm`): `None` leaves a column as it is, `Some(None)`
/// clears a nullable one. It carries the version the row moves to.
#[derive(AsChangeset)]
#[diesel(table_name = b)]
pub struct BoundaryChanges {
    pub title: Option<Title>,
    pub description: Option<Option<BoundaryDescription>>,
    pub responsible_ids: Option<ClientIds>,
    pub status: Option<BoundaryStatus>,
    pub review_on: Option<Option<CalendarDate>>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

/// Writes the changes if the row is still at `version` (the changes carry `version + 1`);
/// false when a concurrent write won.
#[tracing::instrument(skip_all, fields(boundary.id = %id))]
pub fn update(conn: &mut AnyConnection, id: &BoundaryId, version: i64, changes: &BoundaryChanges) -> QueryResult<bool> {
    let n = diesel::update(b::table.filter(b::id.eq(id)).filter(b::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

/// Moves the boundary to `status` (the acknowledgement rule), bumping its version.
#[tracing::instrument(skip_all, fields(boundary.id = %id))]
pub fn set_status(conn: &mut AnyConnection, id: &BoundaryId, status: BoundaryStatus) -> QueryResult<()> {
    diesel::update(b::table.filter(b::id.eq(id)))
        .set((b::status.eq(status), b::version.eq(b::version + 1), b::updated_at.eq(now())))
        .execute(conn)
        .map(|_| ())
}

/// A new check-in's row: checked values only.
#[derive(Insertable)]
#[diesel(table_name = ci, treat_none_as_default_value = false)]
pub struct NewCheckIn {
    pub id: CheckInId,
    pub practice_id: PracticeId,
    pub boundary_id: BoundaryId,
    pub reported_by: ClientId,
    pub recorded_by: UserId,
    pub kept: bool,
    pub note: Option<CheckInNote>,
    pub created_at: NaiveDateTime,
}

#[tracing::instrument(skip_all, fields(check_in.id = %new.id, boundary.id = %new.boundary_id))]
pub fn create_check_in(conn: &mut AnyConnection, new: &NewCheckIn) -> QueryResult<CheckInRow> {
    diesel::insert_into(ci::table).values(new).execute(conn)?;
    ci::table.filter(ci::id.eq(&new.id)).select(CheckInRow::as_select()).first(conn)
}

/// Check-ins of a boundary the caller may see, newest first (created_at, id descending).
/// `reported_by` narrows to one client's own check-ins (the portal).
pub fn list_check_ins(
    conn: &mut AnyConnection,
    boundary_id: &BoundaryId,
    reported_by: Option<&ClientId>,
    page: &PageRequest,
) -> AppResult<Vec<CheckInRow>> {
    let mut q = ci::table.filter(ci::boundary_id.eq(boundary_id.clone())).select(CheckInRow::as_select()).into_boxed();
    if let Some(client_id) = reported_by {
        q = q.filter(ci::reported_by.eq(client_id.clone()));
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
    b::table.filter(b::couple_id.eq(couple_id)).filter(b::status.eq(BoundaryStatus::Active)).count().get_result(conn)
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
#[tracing::instrument(skip_all, fields(boundary.id = %id))]
pub fn lock(conn: &mut AnyConnection, id: &BoundaryId) -> QueryResult<()> {
    diesel::update(b::table.filter(b::id.eq(id))).set(b::id.eq(b::id)).execute(conn).map(|_| ())
}
