//! The worklist in one statement: a UNION ALL of one SELECT per kind, each scoped to the
//! caller's practice and assignments (couples through `couple_counselors`, individual work
//! through `client_counselors`; admins are no exception), then keyset-paged by
//! (since, kind, item) and given the names its titles need, for the page's rows only.
//!
//! "Today" (for due dates and review dates) is the practice's date: the statement reads the
//! practice's zone and picks its day from [`ZoneDays`], so no round trip is spent on the zone.
//! The text is fixed whatever the filter and page (one prepared statement per store); the two
//! stores differ only in how a calendar date becomes a timestamp and how the partners' names
//! are joined (SQLite has no LATERAL).
//!
//! A counselor's history can hold many thousands of sessions and notes: `session_needs_note`
//! reads the partial index of completed sessions without a signed note (`sessions.note_signed`,
//! set when a note is signed) and `note_unsigned` the partial index of draft notes, each in the
//! page's order, stopping at the page's size, so their cost does not grow with the caseload's past.

use std::sync::LazyLock;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::{AnyConnection, MultiBackend as Backend};
use crate::domain::ids::{ClientId, CoupleId, PracticeId, UserId};
use crate::domain::worklist::{WorkKind, ZoneDays};
use crate::domain::ResourceKind;

/// The statement, with `{name}` where a bind parameter goes and `DAY(col)` where a calendar
/// date is read as the start of its day.
const TEMPLATE: &str = "\
WITH mine_c AS (SELECT couple_id FROM couple_counselors WHERE counselor_id = {me} AND practice_id = {practice}), \
mine_k AS (SELECT client_id FROM client_counselors WHERE counselor_id = {me} AND practice_id = {practice}), \
d AS (SELECT CASE \
  WHEN {ahead} LIKE '%,' || REPLACE(timezone, '_', '!_') || ',%' ESCAPE '!' THEN {day_after} \
  WHEN {behind} LIKE '%,' || REPLACE(timezone, '_', '!_') || ',%' ESCAPE '!' THEN {day_before} \
  ELSE {day_utc} END AS today FROM practices WHERE id = {practice}) \
SELECT w.kind, w.since, w.due_on, w.couple_id, w.client_id, w.resource_type, w.resource_id, w.item, w.detail, \
 PARTNER_NAMES, \
 (SELECT COALESCE(NULLIF(c.preferred_name, ''), c.first_name) || ' ' || c.last_name FROM clients c \
   WHERE c.id = w.client_id) AS client_name, \
 (SELECT COALESCE(NULLIF(c.preferred_name, ''), c.first_name) FROM clients c WHERE c.id = w.person_id) AS person_name \
FROM (SELECT * FROM ( \
 SELECT 'letter_submitted' AS kind, COALESCE(l.submitted_at, l.updated_at) AS since, CAST(NULL AS TEXT) AS due_on, \
   l.couple_id AS couple_id, CAST(NULL AS TEXT) AS client_id, 'letter' AS resource_type, l.id AS resource_id, \
   l.id AS item, l.author_id AS person_id, l.kind AS detail \
  FROM letters l WHERE {kind} IN ('*', 'letter_submitted') AND l.practice_id = {practice} \
   AND l.status = 'submitted' AND l.couple_id IN (SELECT couple_id FROM mine_c) \
 UNION ALL \
 SELECT * FROM (SELECT 'note_unsigned' AS kind, n.created_at AS since, CAST(NULL AS TEXT) AS due_on, \
   n.couple_id AS couple_id, n.client_id AS client_id, 'note' AS resource_type, n.id AS resource_id, n.id AS item, \
   CAST(NULL AS TEXT) AS person_id, CAST(NULL AS TEXT) AS detail \
  FROM notes n WHERE {kind} IN ('*', 'note_unsigned') AND n.practice_id = {practice} AND n.status = 'draft' \
   AND n.author_id = {me} AND n.created_at >= {after_since} \
   AND (n.couple_id IN (SELECT couple_id FROM mine_c) OR n.client_id IN (SELECT client_id FROM mine_k)) \
   AND (n.created_at, 'note_unsigned', n.id) > ({after_since}, {after_kind}, {after_item}) \
  ORDER BY n.created_at, n.id LIMIT {limit}) drafts \
 UNION ALL \
 SELECT * FROM (SELECT 'session_needs_note' AS kind, s.ends_at AS since, CAST(NULL AS TEXT) AS due_on, \
   s.couple_id AS couple_id, s.client_id AS client_id, 'session' AS resource_type, s.id AS resource_id, s.id AS item, \
   CAST(NULL AS TEXT) AS person_id, CAST(NULL AS TEXT) AS detail \
  FROM sessions s WHERE {kind} IN ('*', 'session_needs_note') AND s.practice_id = {practice} \
   AND s.status = 'completed' AND NOT s.note_signed AND s.counselor_id = {me} AND s.ends_at >= {after_since} \
   AND (s.couple_id IN (SELECT couple_id FROM mine_c) OR s.client_id IN (SELECT client_id FROM mine_k)) \
   AND (s.ends_at, 'session_needs_note', s.id) > ({after_since}, {after_kind}, {after_item}) \
  ORDER BY s.ends_at, s.id LIMIT {limit}) needs_note \
 UNION ALL \
 SELECT 'session_needs_status', s.ends_at, NULL, s.couple_id, s.client_id, 'session', s.id, s.id, NULL, NULL \
  FROM sessions s WHERE {kind} IN ('*', 'session_needs_status') AND s.practice_id = {practice} \
   AND s.status = 'scheduled' AND s.ends_at <= {hour_ago} \
   AND (s.couple_id IN (SELECT couple_id FROM mine_c) OR s.client_id IN (SELECT client_id FROM mine_k)) \
 UNION ALL \
 SELECT 'summary_unshared', s.ends_at, NULL, s.couple_id, s.client_id, 'session', s.id, s.id, NULL, NULL \
  FROM sessions s WHERE {kind} IN ('*', 'summary_unshared') AND s.practice_id = {practice} \
   AND s.status = 'completed' AND s.summary_text IS NOT NULL AND s.summary_shared_at IS NULL \
   AND (s.couple_id IN (SELECT couple_id FROM mine_c) OR s.client_id IN (SELECT client_id FROM mine_k)) \
 UNION ALL \
 SELECT 'assessment_overdue', DAY(a.due_on), a.due_on, a.couple_id, a.client_id, 'assessment', a.id, a.id, \
   a.client_id, a.instrument \
  FROM assessments a WHERE {kind} IN ('*', 'assessment_overdue') AND a.practice_id = {practice} \
   AND a.status = 'pending' AND a.due_on < (SELECT today FROM d) \
   AND (a.couple_id IN (SELECT couple_id FROM mine_c) \
    OR (a.couple_id IS NULL AND a.client_id IN (SELECT client_id FROM mine_k))) \
 UNION ALL \
 SELECT 'assessment_completed', a.completed_at, a.due_on, a.couple_id, a.client_id, 'assessment', a.id, a.id, \
   a.client_id, a.instrument \
  FROM assessments a WHERE {kind} IN ('*', 'assessment_completed') AND a.practice_id = {practice} \
   AND a.status = 'completed' AND a.completed_at >= {week_ago} \
   AND (a.couple_id IN (SELECT couple_id FROM mine_c) \
    OR (a.couple_id IS NULL AND a.client_id IN (SELECT client_id FROM mine_k))) \
 UNION ALL \
 SELECT 'checkin_broken', ci.created_at, NULL, b.couple_id, NULL, 'boundary', b.id, ci.id, ci.reported_by, b.title \
  FROM boundary_check_ins ci JOIN boundaries b ON b.id = ci.boundary_id \
  WHERE {kind} IN ('*', 'checkin_broken') AND ci.practice_id = {practice} AND NOT ci.kept \
   AND ci.created_at >= {week_ago} AND b.couple_id IN (SELECT couple_id FROM mine_c) \
 UNION ALL \
 SELECT 'boundary_review_due', DAY(b.review_on), b.review_on, b.couple_id, NULL, 'boundary', b.id, b.id, NULL, b.title \
  FROM boundaries b WHERE {kind} IN ('*', 'boundary_review_due') AND b.practice_id = {practice} \
   AND b.review_on <= (SELECT today FROM d) AND b.status <> 'retired' \
   AND b.couple_id IN (SELECT couple_id FROM mine_c) \
 UNION ALL \
 SELECT 'consent_unsigned', cp.created_at, NULL, cp.couple_id, NULL, 'confidentiality_policy', cp.couple_id, cp.id, \
   NULL, NULL \
  FROM confidentiality_policies cp WHERE {kind} IN ('*', 'consent_unsigned') AND cp.practice_id = {practice} \
   AND cp.couple_id IN (SELECT couple_id FROM mine_c) \
   AND cp.version = (SELECT MAX(x.version) FROM confidentiality_policies x WHERE x.couple_id = cp.couple_id) \
   AND EXISTS (SELECT 1 FROM couple_partners p WHERE p.couple_id = cp.couple_id \
    AND NOT EXISTS (SELECT 1 FROM policy_signatures g WHERE g.policy_id = cp.id AND g.client_id = p.client_id)) \
 UNION ALL \
 SELECT 'release_ready', r.updated_at, r.expires_on, r.couple_id, r.client_id, 'release', r.id, r.id, NULL, NULL \
  FROM releases r WHERE {kind} IN ('*', 'release_ready') AND r.practice_id = {practice} \
   AND r.status = 'authorized' AND r.disclosed_at IS NULL AND r.expires_on >= (SELECT today FROM d) \
   AND (r.couple_id IN (SELECT couple_id FROM mine_c) \
    OR (r.couple_id IS NULL AND r.client_id IN (SELECT client_id FROM mine_k))) \
) u WHERE (u.since, u.kind, u.item) > ({after_since}, {after_kind}, {after_item}) \
ORDER BY u.since, u.kind, u.item LIMIT {limit}) w PARTNERS_OF_W\
ORDER BY w.since, w.kind, w.item";

/// Both partners' names of a row's couple (from the couple's own partner ids), on PostgreSQL
/// by one lateral subquery per row: one lookup of the couple instead of one in couple_partners
/// per partner (+10 % for the statement, pgbench on the benchmark's database). `OFFSET 0` keeps
/// it a subquery run per row of the page; pulled up into a join, a generic plan (which cannot
/// see the LIMIT) hashes every couple of the practice.
const PG_PARTNERS: (&str, &str) = (
    "n.partner_a, n.partner_b",
    "LEFT JOIN LATERAL (SELECT COALESCE(NULLIF(ca.preferred_name, ''), ca.first_name) AS partner_a, \
     COALESCE(NULLIF(cb.preferred_name, ''), cb.first_name) AS partner_b \
     FROM couples k JOIN clients ca ON ca.id = k.partner_a_id JOIN clients cb ON cb.id = k.partner_b_id \
     WHERE k.id = w.couple_id OFFSET 0) n ON true ",
);
/// The same names on SQLite (no LATERAL): a subquery per partner.
const SQLITE_PARTNERS: (&str, &str) = (
    "(SELECT COALESCE(NULLIF(c.preferred_name, ''), c.first_name) FROM couples k JOIN clients c \
     ON c.id = k.partner_a_id WHERE k.id = w.couple_id) AS partner_a, \
     (SELECT COALESCE(NULLIF(c.preferred_name, ''), c.first_name) FROM couples k JOIN clients c \
     ON c.id = k.partner_b_id WHERE k.id = w.couple_id) AS partner_b",
    "",
);

static POSTGRES: LazyLock<String> = LazyLock::new(|| {
    TEMPLATE
        .replace("DAY(a.due_on)", "CAST(a.due_on AS TIMESTAMP)")
        .replace("DAY(b.review_on)", "CAST(b.review_on AS TIMESTAMP)")
        .replace("PARTNER_NAMES", PG_PARTNERS.0)
        .replace("PARTNERS_OF_W", PG_PARTNERS.1)
});
static SQLITE: LazyLock<String> = LazyLock::new(|| {
    TEMPLATE
        .replace("DAY(a.due_on)", "(a.due_on || ' 00:00:00')")
        .replace("DAY(b.review_on)", "(b.review_on || ' 00:00:00')")
        .replace("PARTNER_NAMES", SQLITE_PARTNERS.0)
        .replace("PARTNERS_OF_W", SQLITE_PARTNERS.1)
});

/// One item as the statement returns it; `person_name` is the client the title speaks of (a
/// letter's author, a check-in's reporter, an assessment's respondent). Never clinical text
/// beyond a boundary's title (`detail`), and never a letter's text.
#[derive(Queryable, Debug, Clone)]
pub struct WorkRow {
    pub kind: WorkKind,
    pub since: NaiveDateTime,
    pub due_on: Option<String>,
    pub couple_id: Option<CoupleId>,
    pub client_id: Option<ClientId>,
    pub resource_type: ResourceKind,
    pub resource_id: String,
    /// What makes the item unique within its kind (a check-in's id for `checkin_broken`, else
    /// the resource's id): the last part of the sort key.
    pub item: String,
    /// A letter's kind, an assessment's instrument, a boundary's title.
    pub detail: Option<String>,
    pub partner_a: Option<String>,
    pub partner_b: Option<String>,
    pub client_name: Option<String>,
    pub person_name: Option<String>,
}

/// The sort key of a row: (since, kind, item).
pub fn key(r: &WorkRow) -> Vec<String> {
    vec![crate::store::boundaries::ts_key(r.since), r.kind.as_str().to_string(), r.item.clone()]
}

/// The caller and the moment a worklist is asked for.
pub struct WorkQuery {
    pub user_id: UserId,
    pub practice_id: PracticeId,
    pub kind: Option<WorkKind>,
    pub now: chrono::DateTime<chrono::Utc>,
    /// (since, kind, item) of the last row of the previous page.
    pub after: Option<(NaiveDateTime, String, String)>,
    /// Rows to fetch (the page and one more).
    pub fetch: i64,
}

/// Before any row: the start of year 1, which both stores hold.
const EPOCH_START: NaiveDateTime = match chrono::NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(d) => d.and_time(chrono::NaiveTime::MIN),
    None => NaiveDateTime::MIN,
};

struct Statement<'a> {
    sql: &'a str,
    me: String,
    practice: String,
    kind: &'static str,
    hour_ago: NaiveDateTime,
    week_ago: NaiveDateTime,
    days: std::sync::Arc<ZoneDays>,
    day_utc: String,
    day_after: String,
    day_before: String,
    after_since: NaiveDateTime,
    after_kind: String,
    after_item: String,
    limit: i64,
}

impl QueryFragment<Backend> for Statement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        let mut rest = self.sql;
        while let Some(open) = rest.find('{') {
            out.push_sql(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .ok_or(diesel::result::Error::QueryBuilderError("worklist: unclosed placeholder".into()))?;
            match &rest[open + 1..close] {
                "me" => out.push_bind_param::<Text, String>(&self.me)?,
                "practice" => out.push_bind_param::<Text, String>(&self.practice)?,
                "kind" => out.push_bind_param::<Text, str>(self.kind)?,
                "hour_ago" => out.push_bind_param::<Timestamp, NaiveDateTime>(&self.hour_ago)?,
                "week_ago" => out.push_bind_param::<Timestamp, NaiveDateTime>(&self.week_ago)?,
                "ahead" => out.push_bind_param::<Text, String>(&self.days.ahead)?,
                "behind" => out.push_bind_param::<Text, String>(&self.days.behind)?,
                "day_utc" => out.push_bind_param::<Text, String>(&self.day_utc)?,
                "day_after" => out.push_bind_param::<Text, String>(&self.day_after)?,
                "day_before" => out.push_bind_param::<Text, String>(&self.day_before)?,
                "after_since" => out.push_bind_param::<Timestamp, NaiveDateTime>(&self.after_since)?,
                "after_kind" => out.push_bind_param::<Text, String>(&self.after_kind)?,
                "after_item" => out.push_bind_param::<Text, String>(&self.after_item)?,
                "limit" => out.push_bind_param::<BigInt, i64>(&self.limit)?,
                other => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        format!("worklist: unknown placeholder {other}").into(),
                    ))
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// The worklist's statement has one text per store, and a connection serves one store: it is
/// kept by type in the connection's statement cache, so its 7,000 characters are not written out
/// and hashed on every run to find it there.
pub struct WorklistStatement;

impl QueryId for Statement<'_> {
    type QueryId = WorklistStatement;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for Statement<'_> {
    type SqlType = (
        Text,
        Timestamp,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Text>,
        Text,
        Text,
        Text,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Text>,
    );
}

impl<C> RunQueryDsl<C> for Statement<'_> {}

/// One page of the caller's worklist (up to `q.fetch` rows), oldest `since` first.
pub fn page(conn: &mut AnyConnection, q: &WorkQuery) -> QueryResult<Vec<WorkRow>> {
    let days = ZoneDays::at(q.now);
    let day = |d: Option<chrono::NaiveDate>| d.unwrap_or(days.utc).format("%Y-%m-%d").to_string();
    let (after_since, after_kind, after_item) = q.after.clone().unwrap_or((EPOCH_START, String::new(), String::new()));
    let now = q.now.naive_utc();
    let statement = Statement {
        sql: match conn {
            AnyConnection::Postgresql(_) => POSTGRES.as_str(),
            AnyConnection::Sqlite(_) => SQLITE.as_str(),
        },
        me: q.user_id.to_string(),
        practice: q.practice_id.to_string(),
        kind: q.kind.map_or("*", WorkKind::as_str),
        hour_ago: now - chrono::Duration::hours(1),
        week_ago: now - chrono::Duration::days(7),
        day_utc: day(None),
        day_after: day(days.utc.succ_opt()),
        day_before: day(days.utc.pred_opt()),
        days,
        after_since,
        after_kind,
        after_item,
        limit: q.fetch,
    };
    statement.load(conn)
}
