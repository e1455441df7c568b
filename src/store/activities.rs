//! Shared activities and their logs. Staff see the activities of couples they are assigned to;
//! a portal client those of their couples that are for both partners or for them
//! ([`of_client`]): an activity for the other partner is not in their scope at all.
//!
//! Logs come in two tiers: [`LogRow`] (the partner's own, or every log for staff, reflections
//! included) and [`PartnerLogRow`] (the other partner's logs on an activity for both: the day,
//! whether it was done, and the reflection only where its author shared it, decided in SQL).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{activities as a, activity_logs as lg};
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::domain::activities::{ActivityStatus, Cadence};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::store::access::{assigned_couples, couples_of_client};
use crate::store::boundaries::parse_ts_key;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = a)]
pub struct ActivityRow {
    pub id: String,
    pub practice_id: String,
    pub couple_id: String,
    pub title: String,
    pub instructions: Option<String>,
    /// NULL: both partners.
    pub assignee_id: Option<String>,
    pub cadence: Cadence,
    pub times_per_period: i32,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub reflection_prompt: Option<String>,
    pub template_key: Option<String>,
    pub status: ActivityStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = lg)]
pub struct LogRow {
    pub id: String,
    pub activity_id: String,
    pub client_id: String,
    pub recorded_by: String,
    pub done_on: String,
    pub completed: bool,
    pub reflection: Option<String>,
    pub shared_with_partner: bool,
    pub created_at: NaiveDateTime,
}

/// The other partner's log, as a partner may see it.
#[derive(Queryable, Debug, Clone)]
pub struct PartnerLogRow {
    /// For the list's order only.
    pub id: String,
    pub done_on: String,
    pub completed: bool,
    /// Only when its author shared it (NULL otherwise, by the query).
    pub shared_reflection: Option<String>,
}

/// Activities the staff actor may see: of couples they are assigned to, in their practice.
pub fn visible(actor: &Actor) -> a::BoxedQuery<'static, Backend> {
    a::table
        .filter(a::practice_id.eq(actor.practice_id.clone()))
        .filter(a::couple_id.eq_any(assigned_couples(actor.user_id.clone())))
        .into_boxed()
}

/// Activities a portal client may see: of their couples, for both partners or for them.
pub fn of_client(actor: &Actor) -> Option<a::BoxedQuery<'static, Backend>> {
    let me = actor.client_id.clone()?;
    Some(
        a::table
            .filter(a::practice_id.eq(actor.practice_id.clone()))
            .filter(a::couple_id.eq_any(couples_of_client(me.clone())))
            .filter(a::assignee_id.is_null().or(a::assignee_id.eq(me)))
            .into_boxed(),
    )
}

/// A couple's activities for assigned staff (for one partner only: `assignee`), started within
/// `[from, until)` when given, oldest first.
pub fn of_couple_for_disclosure(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: &str,
    assignee: Option<&str>,
    window: (Option<&str>, Option<&str>),
) -> QueryResult<Vec<ActivityRow>> {
    let mut q = visible(actor).filter(a::couple_id.eq(couple_id.to_string()));
    if let Some(client) = assignee {
        q = q.filter(a::assignee_id.eq(client.to_string()));
    }
    if let Some(from) = window.0 {
        q = q.filter(a::starts_on.ge(from.to_string()));
    }
    if let Some(until) = window.1 {
        q = q.filter(a::starts_on.lt(until.to_string()));
    }
    q.select(ActivityRow::as_select()).order((a::starts_on.asc(), a::id.asc())).load(conn)
}

/// Logs of these activities with the reflection only where its author shared it with the
/// partner (the joint tier: a private reflection is the author's and the counselors').
pub fn joint_logs(conn: &mut AnyConnection, activity_ids: &[String]) -> QueryResult<Vec<LogRow>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Nullable, Text};
    // The unshared reflection never leaves the database (the same CASE as the partner's view).
    lg::table
        .filter(lg::activity_id.eq_any(activity_ids))
        .select((
            lg::id,
            lg::activity_id,
            lg::client_id,
            lg::recorded_by,
            lg::done_on,
            lg::completed,
            sql::<Nullable<Text>>("CASE WHEN activity_logs.shared_with_partner THEN activity_logs.reflection END"),
            lg::shared_with_partner,
            lg::created_at,
        ))
        .order((lg::done_on.asc(), lg::id.asc()))
        .load(conn)
}

pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<ActivityRow>> {
    visible(actor).filter(a::id.eq(id.to_string())).select(ActivityRow::as_select()).first(conn).optional()
}

pub fn find_for_client(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<ActivityRow>> {
    let Some(q) = of_client(actor) else { return Ok(None) };
    q.filter(a::id.eq(id.to_string())).select(ActivityRow::as_select()).first(conn).optional()
}

pub struct NewActivity {
    pub id: String,
    pub couple_id: String,
    pub title: String,
    pub instructions: Option<String>,
    pub assignee_id: Option<String>,
    pub cadence: Cadence,
    pub times_per_period: i32,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub reflection_prompt: Option<String>,
    pub template_key: Option<String>,
}

pub fn create(conn: &mut AnyConnection, practice_id: &str, new: &NewActivity) -> QueryResult<ActivityRow> {
    let at = now();
    diesel::insert_into(a::table)
        .values((
            a::id.eq(&new.id),
            a::practice_id.eq(practice_id),
            a::couple_id.eq(&new.couple_id),
            a::title.eq(&new.title),
            a::instructions.eq(&new.instructions),
            a::assignee_id.eq(&new.assignee_id),
            a::cadence.eq(&new.cadence),
            a::times_per_period.eq(new.times_per_period),
            a::starts_on.eq(&new.starts_on),
            a::ends_on.eq(&new.ends_on),
            a::reflection_prompt.eq(&new.reflection_prompt),
            a::template_key.eq(&new.template_key),
            a::status.eq(ActivityStatus::Active),
            a::version.eq(1i64),
            a::created_at.eq(at),
            a::updated_at.eq(at),
        ))
        .execute(conn)?;
    a::table.filter(a::id.eq(&new.id)).select(ActivityRow::as_select()).first(conn)
}

/// Activities in creation order (created_at, id), one page. `scope` is [`visible`] or
/// [`of_client`]; the filters narrow it, never widen it.
pub fn list(
    conn: &mut AnyConnection,
    scope: a::BoxedQuery<'static, Backend>,
    couple_id: Option<&str>,
    statuses: Option<&[ActivityStatus]>,
    page: &PageRequest,
) -> AppResult<Vec<ActivityRow>> {
    let mut q = scope.select(ActivityRow::as_select());
    if let Some(c) = couple_id {
        q = q.filter(a::couple_id.eq(c.to_string()));
    }
    if let Some(s) = statuses {
        q = q.filter(a::status.eq_any(s.to_vec()));
    }
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(a::created_at.ge(at)).filter(a::created_at.gt(at).or(a::created_at.eq(at).and(a::id.gt(id))));
    }
    Ok(q.order((a::created_at.asc(), a::id.asc())).limit(page.fetch()).load(conn)?)
}

pub struct Changes {
    pub title: String,
    pub instructions: Option<String>,
    pub assignee_id: Option<String>,
    pub cadence: Cadence,
    pub times_per_period: i32,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub reflection_prompt: Option<String>,
    pub status: ActivityStatus,
}

/// Writes the changes if the row is still at `version`; false when a concurrent write won.
pub fn update(conn: &mut AnyConnection, id: &str, version: i64, c: &Changes) -> QueryResult<bool> {
    let n = diesel::update(a::table.filter(a::id.eq(id)).filter(a::version.eq(version)))
        .set((
            a::title.eq(&c.title),
            a::instructions.eq(&c.instructions),
            a::assignee_id.eq(&c.assignee_id),
            a::cadence.eq(&c.cadence),
            a::times_per_period.eq(c.times_per_period),
            a::starts_on.eq(&c.starts_on),
            a::ends_on.eq(&c.ends_on),
            a::reflection_prompt.eq(&c.reflection_prompt),
            a::status.eq(&c.status),
            a::version.eq(version + 1),
            a::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub struct NewLog<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub activity_id: &'a str,
    pub client_id: &'a str,
    pub recorded_by: &'a str,
    pub done_on: &'a str,
    pub completed: bool,
    pub reflection: Option<&'a str>,
    pub shared_with_partner: bool,
}

/// Has the partner logged this activity on this day already?
pub fn logged_on(conn: &mut AnyConnection, activity_id: &str, client_id: &str, done_on: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        lg::table
            .filter(lg::activity_id.eq(activity_id.to_string()))
            .filter(lg::client_id.eq(client_id.to_string()))
            .filter(lg::done_on.eq(done_on.to_string())),
    ))
    .get_result(conn)
}

/// Appends a log (the unique index refuses a second one for the same partner and day).
pub fn create_log(conn: &mut AnyConnection, new: &NewLog<'_>) -> QueryResult<LogRow> {
    diesel::insert_into(lg::table)
        .values((
            lg::id.eq(new.id),
            lg::practice_id.eq(new.practice_id),
            lg::activity_id.eq(new.activity_id),
            lg::client_id.eq(new.client_id),
            lg::recorded_by.eq(new.recorded_by),
            lg::done_on.eq(new.done_on),
            lg::completed.eq(new.completed),
            lg::reflection.eq(new.reflection),
            lg::shared_with_partner.eq(new.shared_with_partner),
            lg::created_at.eq(now()),
        ))
        .execute(conn)?;
    lg::table.filter(lg::id.eq(new.id)).select(LogRow::as_select()).first(conn)
}

/// Keyset: newest day first, by (done_on, id) descending; None on the first page.
fn after_key(
    page: &PageRequest,
) -> Option<Box<dyn BoxableExpression<lg::table, Backend, SqlType = diesel::sql_types::Bool>>> {
    let after = page.after.as_ref()?;
    let (day, id) = (after[0].clone(), after[1].clone());
    Some(Box::new(
        lg::done_on.le(day.clone()).and(lg::done_on.lt(day.clone()).or(lg::done_on.eq(day).and(lg::id.lt(id)))),
    ))
}

/// Logs of an activity the caller may see (checked by the caller first), newest day first.
/// `client_id` narrows to one partner's own logs (the portal).
pub fn list_logs(
    conn: &mut AnyConnection,
    activity_id: &str,
    client_id: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<LogRow>> {
    let mut q = lg::table.filter(lg::activity_id.eq(activity_id.to_string())).select(LogRow::as_select()).into_boxed();
    if let Some(c) = client_id {
        q = q.filter(lg::client_id.eq(c.to_string()));
    }
    if let Some(k) = after_key(page) {
        q = q.filter(k);
    }
    Ok(q.order((lg::done_on.desc(), lg::id.desc())).limit(page.fetch()).load(conn)?)
}

/// The other partners' logs on an activity for both that the caller may see, newest day first:
/// day and completion always, the reflection only where shared. Empty for an activity that is
/// not for both, or not the caller's.
pub fn list_partner_logs(
    conn: &mut AnyConnection,
    actor: &Actor,
    activity_id: &str,
    page: &PageRequest,
) -> AppResult<Vec<PartnerLogRow>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Nullable, Text};
    let Some(me) = actor.client_id.clone() else { return Ok(Vec::new()) };
    // The activity, if it is the caller's and for both partners (the same rule as `of_client`).
    let shared_for_both = a::table
        .filter(a::practice_id.eq(actor.practice_id.clone()))
        .filter(a::couple_id.eq_any(couples_of_client(me.clone())))
        .filter(a::id.eq(activity_id.to_string()))
        .filter(a::assignee_id.is_null())
        .select(a::id);
    let mut q = lg::table
        .filter(lg::activity_id.eq_any(shared_for_both))
        .filter(lg::client_id.ne(me))
        .select((
            lg::id,
            lg::done_on,
            lg::completed,
            sql::<Nullable<Text>>("CASE WHEN activity_logs.shared_with_partner THEN activity_logs.reflection END"),
        ))
        .into_boxed();
    if let Some(k) = after_key(page) {
        q = q.filter(k);
    }
    Ok(q.order((lg::done_on.desc(), lg::id.desc())).limit(page.fetch()).load(conn)?)
}

/// For progress: the couple's active activities (one count).
pub fn active_count(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<i64> {
    a::table.filter(a::couple_id.eq(couple_id)).filter(a::status.eq(ActivityStatus::Active)).count().get_result(conn)
}

/// For progress: adherence of the couple's activities over `[since, today]` (`YYYY-MM-DD` in
/// the practice's time zone): completed logs, and the logs short of each plan
/// ([`adherence`](crate::domain::activities::adherence)); paused, completed and retired
/// activities miss nothing. Two statements: the activities, their completed logs in the window.
pub fn log_counts(
    conn: &mut AnyConnection,
    couple_id: &str,
    since: NaiveDate,
    today: NaiveDate,
) -> QueryResult<(i64, i64)> {
    use crate::domain::activities::{adherence, Plan};
    #[derive(Queryable)]
    struct Row {
        id: String,
        assignee: Option<String>,
        cadence: Cadence,
        times: i32,
        starts_on: String,
        ends_on: Option<String>,
        status: ActivityStatus,
    }
    let plans: Vec<Row> = a::table
        .filter(a::couple_id.eq(couple_id.to_string()))
        .select((a::id, a::assignee_id, a::cadence, a::times_per_period, a::starts_on, a::ends_on, a::status))
        .load(conn)?;
    let logs: Vec<(String, String, String)> = lg::table
        .filter(lg::activity_id.eq_any(a::table.filter(a::couple_id.eq(couple_id.to_string())).select(a::id)))
        .filter(lg::completed.eq(true))
        .filter(lg::done_on.ge(since.format("%Y-%m-%d").to_string()))
        .select((lg::activity_id, lg::client_id, lg::done_on))
        .load(conn)?;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (mut completed, mut missed) = (0, 0);
    for Row { id, assignee, cadence, times, starts_on, ends_on, status } in plans {
        let mut by_person: std::collections::BTreeMap<&str, Vec<NaiveDate>> = std::collections::BTreeMap::new();
        for (_, client, on) in logs.iter().filter(|l| l.0 == id) {
            by_person.entry(client.as_str()).or_default().extend(day(on));
        }
        let done: Vec<Vec<NaiveDate>> = by_person.into_values().collect();
        let Some(starts_on) = day(&starts_on) else { continue };
        let plan = Plan {
            cadence,
            times_per_period: times,
            starts_on,
            ends_on: ends_on.as_deref().and_then(day),
            people: if assignee.is_some() { 1 } else { 2 },
        };
        let (c, m) = adherence(&plan, &done, since, today);
        completed += c;
        if status == ActivityStatus::Active {
            missed += m;
        }
    }
    Ok((completed, missed))
}
