//! Milestones of a couple's plan. Staff see the milestones of couples they are assigned to;
//! portal clients only the `visible_to_clients` milestones of couples they belong to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::milestones as m;
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::domain::ids::{CoupleId, MilestoneId, PracticeId};
use crate::domain::trust::MilestoneStatus;
use crate::domain::value_trust::{CalendarDate, MilestoneDescription, Phase, Title};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::access::{assigned_couples, couples_of_client};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = m)]
pub struct MilestoneRow {
    pub id: MilestoneId,
    pub practice_id: PracticeId,
    pub couple_id: CoupleId,
    pub title: String,
    pub description: Option<String>,
    pub phase: String,
    pub status: MilestoneStatus,
    pub target_on: Option<String>,
    pub achieved_on: Option<String>,
    pub visible_to_clients: bool,
    pub position: i32,
    pub template_key: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Milestones the staff actor may see: those of couples they are assigned to.
pub fn visible(actor: &Actor) -> m::BoxedQuery<'static, Backend> {
    m::table
        .filter(m::practice_id.eq(actor.practice_id.clone()))
        .filter(m::couple_id.eq_any(assigned_couples(actor.user_id.clone())))
        .into_boxed()
}

/// Milestones a portal client may see: visible ones of couples they belong to. None for staff.
pub fn of_client(actor: &Actor) -> Option<m::BoxedQuery<'static, Backend>> {
    let client_id = actor.client_id.clone()?;
    Some(
        m::table
            .filter(m::practice_id.eq(actor.practice_id.clone()))
            .filter(m::visible_to_clients.eq(true))
            .filter(m::couple_id.eq_any(couples_of_client(client_id)))
            .into_boxed(),
    )
}

/// The milestone, if the staff actor may see it (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(milestone.id = %id))]
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &MilestoneId) -> QueryResult<MilestoneRow> {
    visible(actor).filter(m::id.eq(id.clone())).select(MilestoneRow::as_select()).first(conn)
}

/// A new milestone's row: checked values only.
#[derive(Insertable)]
#[diesel(table_name = m, treat_none_as_default_value = false)]
pub struct NewMilestone {
    pub id: MilestoneId,
    pub practice_id: PracticeId,
    pub couple_id: CoupleId,
    pub title: Title,
    pub description: Option<MilestoneDescription>,
    pub phase: Phase,
    pub status: MilestoneStatus,
    pub target_on: Option<CalendarDate>,
    pub achieved_on: Option<CalendarDate>,
    pub visible_to_clients: bool,
    pub position: i32,
    pub template_key: Option<&'static str>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[tracing::instrument(skip_all, fields(milestone.id = %new.id, couple.id = %new.couple_id))]
pub fn create(conn: &mut AnyConnection, new: &NewMilestone) -> QueryResult<MilestoneRow> {
    diesel::insert_into(m::table).values(new).execute(conn)?;
    m::table.filter(m::id.eq(&new.id)).select(MilestoneRow::as_select()).first(conn)
}

/// The position after the couple's last milestone (0 for the first).
#[tracing::instrument(skip_all, fields(couple.id = %couple_id))]
pub fn next_position(conn: &mut AnyConnection, couple_id: &CoupleId) -> QueryResult<i32> {
    let max: Option<i32> =
        m::table.filter(m::couple_id.eq(couple_id)).select(diesel::dsl::max(m::position)).first(conn)?;
    Ok(max.map_or(0, |p| p.saturating_add(1)))
}

/// Milestones ordered by (position, id), one page. `scope` is [`visible`] or [`of_client`].
pub fn list(
    conn: &mut AnyConnection,
    scope: m::BoxedQuery<'static, Backend>,
    couple_id: Option<&CoupleId>,
    page: &PageRequest,
) -> AppResult<Vec<MilestoneRow>> {
    let mut q = scope.select(MilestoneRow::as_select());
    if let Some(couple_id) = couple_id {
        q = q.filter(m::couple_id.eq(couple_id.clone()));
    }
    if let Some(after) = &page.after {
        let bad = || AppError::BadRequest("The cursor is not one this listing gave out.".into());
        let pos: i32 = after[0].parse().map_err(|_| bad())?;
        let id = after[1].clone();
        q = q.filter(m::position.ge(pos)).filter(m::position.gt(pos).or(m::position.eq(pos).and(m::id.gt(id))));
    }
    Ok(q.order((m::position.asc(), m::id.asc())).limit(page.fetch()).load(conn)?)
}

/// A portal client's milestones across their couples, ordered by (couple_id, position, id).
pub fn list_for_client(conn: &mut AnyConnection, actor: &Actor, page: &PageRequest) -> AppResult<Vec<MilestoneRow>> {
    let Some(scope) = of_client(actor) else { return Ok(Vec::new()) };
    let mut q = scope.select(MilestoneRow::as_select());
    if let Some(after) = &page.after {
        let bad = || AppError::BadRequest("The cursor is not one this listing gave out.".into());
        let couple = after[0].clone();
        let pos: i32 = after[1].parse().map_err(|_| bad())?;
        let id = after[2].clone();
        q = q.filter(
            m::couple_id
                .gt(couple.clone())
                .or(m::couple_id.eq(couple.clone()).and(m::position.gt(pos)))
                .or(m::couple_id.eq(couple).and(m::position.eq(pos)).and(m::id.gt(id))),
        );
    }
    Ok(q.order((m::couple_id.asc(), m::position.asc(), m::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Has this plan been applied to the couple (any milestone made from it, in any status)?
#[tracing::instrument(skip_all, fields(couple.id = %couple_id))]
pub fn template_applied(conn: &mut AnyConnection, couple_id: &CoupleId, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(m::table.filter(m::couple_id.eq(couple_id)).filter(m::template_key.eq(key))))
        .get_result(conn)
}

/// Sets aside the milestones an earlier application of the plan made that are neither achieved
/// nor already set aside (nothing is deleted). Returns the ids it changed.
#[tracing::instrument(skip_all, fields(couple.id = %couple_id))]
pub fn set_aside_template(conn: &mut AnyConnection, couple_id: &CoupleId, key: &str) -> QueryResult<Vec<MilestoneId>> {
    let ids: Vec<MilestoneId> = m::table
        .filter(m::couple_id.eq(couple_id))
        .filter(m::template_key.eq(key))
        .filter(m::status.ne_all([MilestoneStatus::Achieved, MilestoneStatus::SetAside]))
        .select(m::id)
        .load(conn)?;
    diesel::update(m::table.filter(m::id.eq_any(&ids)))
        .set((m::status.eq(MilestoneStatus::SetAside), m::version.eq(m::version + 1), m::updated_at.eq(now())))
        .execute(conn)?;
    Ok(ids)
}

/// A change to a milestone (Lemmy's `UpdateForm`): `None` leaves a column as it is, `Some(None)`
/// clears a nullable one. It carries the version the row moves to.
#[derive(AsChangeset)]
#[diesel(table_name = m)]
pub struct MilestoneChanges {
    pub title: Option<Title>,
    pub description: Option<Option<MilestoneDescription>>,
    pub phase: Option<Phase>,
    pub status: Option<MilestoneStatus>,
    pub target_on: Option<Option<CalendarDate>>,
    pub achieved_on: Option<Option<CalendarDate>>,
    pub visible_to_clients: Option<bool>,
    pub position: Option<i32>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

/// Writes the changes if the row is still at `version` (the changes carry `version + 1`);
/// false when a concurrent write won.
#[tracing::instrument(skip_all, fields(milestone.id = %id))]
pub fn update(
    conn: &mut AnyConnection,
    id: &MilestoneId,
    version: i64,
    changes: &MilestoneChanges,
) -> QueryResult<bool> {
    let n = diesel::update(m::table.filter(m::id.eq(id)).filter(m::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

/// One group of [`counts_by_phase`]: phase, status, how many, the first position.
pub type PhaseCount = (String, String, i64, Option<i32>);

/// Counts of a couple's milestones by (phase, status), with the phase's first position, for
/// progress: one aggregate query whatever the number of milestones.
pub fn counts_by_phase(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<Vec<PhaseCount>> {
    m::table
        .filter(m::couple_id.eq(couple_id))
        .group_by((m::phase, m::status))
        .select((m::phase, m::status, diesel::dsl::count_star(), diesel::dsl::min(m::position)))
        .load(conn)
}

/// For progress: the couple's completed sessions and the start of the next scheduled one
/// (two aggregate queries). Lives here because progress is the milestones' summary view.
pub fn session_counts(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    use crate::db::schema::sessions as s;
    let completed =
        s::table.filter(s::couple_id.eq(couple_id)).filter(s::status.eq("completed")).count().get_result(conn)?;
    let next_at = s::table
        .filter(s::couple_id.eq(couple_id))
        .filter(s::status.eq("scheduled"))
        .filter(s::starts_at.gt(now()))
        .select(diesel::dsl::min(s::starts_at))
        .first(conn)?;
    Ok((completed, next_at))
}
