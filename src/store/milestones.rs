//! Milestones of a couple's plan. Staff see the milestones of couples they are assigned to;
//! portal clients only the `visible_to_clients` milestones of couples they belong to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::access::{assigned_couples, couples_of_client};
use crate::auth::Actor;
use crate::db::schema::milestones as m;
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = m)]
pub struct MilestoneRow {
    pub id: String,
    pub practice_id: String,
    pub couple_id: String,
    pub title: String,
    pub description: Option<String>,
    pub phase: String,
    pub status: String,
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

pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<MilestoneRow>> {
    visible(actor).filter(m::id.eq(id.to_string())).select(MilestoneRow::as_select()).first(conn).optional()
}

pub struct NewMilestone {
    pub id: String,
    pub couple_id: String,
    pub title: String,
    pub description: Option<String>,
    pub phase: String,
    pub target_on: Option<String>,
    pub visible_to_clients: bool,
    pub position: i32,
    pub template_key: Option<String>,
}

pub fn create(conn: &mut AnyConnection, practice_id: &str, new: &NewMilestone) -> QueryResult<MilestoneRow> {
    let at = now();
    diesel::insert_into(m::table)
        .values((
            m::id.eq(&new.id),
            m::practice_id.eq(practice_id),
            m::couple_id.eq(&new.couple_id),
            m::title.eq(&new.title),
            m::description.eq(&new.description),
            m::phase.eq(&new.phase),
            m::status.eq("not_started"),
            m::target_on.eq(&new.target_on),
            m::achieved_on.eq(None::<String>),
            m::visible_to_clients.eq(new.visible_to_clients),
            m::position.eq(new.position),
            m::template_key.eq(&new.template_key),
            m::version.eq(1i64),
            m::created_at.eq(at),
            m::updated_at.eq(at),
        ))
        .execute(conn)?;
    m::table.filter(m::id.eq(&new.id)).select(MilestoneRow::as_select()).first(conn)
}

/// The position after the couple's last milestone (0 for the first).
pub fn next_position(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<i32> {
    let max: Option<i32> =
        m::table.filter(m::couple_id.eq(couple_id)).select(diesel::dsl::max(m::position)).first(conn)?;
    Ok(max.map_or(0, |p| p.saturating_add(1)))
}

/// Milestones ordered by (position, id), one page. `scope` is [`visible`] or [`of_client`].
pub fn list(
    conn: &mut AnyConnection,
    scope: m::BoxedQuery<'static, Backend>,
    couple_id: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<MilestoneRow>> {
    let mut q = scope.select(MilestoneRow::as_select());
    if let Some(couple_id) = couple_id {
        q = q.filter(m::couple_id.eq(couple_id.to_string()));
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
pub fn template_applied(conn: &mut AnyConnection, couple_id: &str, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(m::table.filter(m::couple_id.eq(couple_id)).filter(m::template_key.eq(key))))
        .get_result(conn)
}

/// Sets aside the milestones an earlier application of the plan made that are neither achieved
/// nor already set aside (nothing is deleted). Returns the ids it changed.
pub fn set_aside_template(conn: &mut AnyConnection, couple_id: &str, key: &str) -> QueryResult<Vec<String>> {
    let ids: Vec<String> = m::table
        .filter(m::couple_id.eq(couple_id))
        .filter(m::template_key.eq(key))
        .filter(m::status.ne_all(["achieved", "set_aside"]))
        .select(m::id)
        .load(conn)?;
    diesel::update(m::table.filter(m::id.eq_any(&ids)))
        .set((m::status.eq("set_aside"), m::version.eq(m::version + 1), m::updated_at.eq(now())))
        .execute(conn)?;
    Ok(ids)
}

pub struct Changes {
    pub title: String,
    pub description: Option<String>,
    pub phase: String,
    pub status: String,
    pub target_on: Option<String>,
    pub achieved_on: Option<String>,
    pub visible_to_clients: bool,
    pub position: i32,
}

/// Writes the changes if the row is still at `version`; false when a concurrent write won.
pub fn update(conn: &mut AnyConnection, id: &str, version: i64, c: &Changes) -> QueryResult<bool> {
    let n = diesel::update(m::table.filter(m::id.eq(id)).filter(m::version.eq(version)))
        .set((
            m::title.eq(&c.title),
            m::description.eq(&c.description),
            m::phase.eq(&c.phase),
            m::status.eq(&c.status),
            m::target_on.eq(&c.target_on),
            m::achieved_on.eq(&c.achieved_on),
            m::visible_to_clients.eq(c.visible_to_clients),
            m::position.eq(c.position),
            m::version.eq(version + 1),
            m::updated_at.eq(now()),
        ))
        .execute(conn)?;
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
