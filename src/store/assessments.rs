//! Assessments: one questionnaire for one client. Staff see those of couples they are assigned
//! to, and a client's individual ones when assigned to that client ([`visible`]); a portal
//! client sees only their own ([`own`], `client_id = caller`), never their partner's. There is
//! no unscoped find by id.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{assessments as a, clients, couple_partners as cp, couples};
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::domain::ids::{ClientId, CoupleId, PracticeId, UserId};
use crate::domain::instruments::{AssessmentId, Scored};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::store::access::{assigned_clients, assigned_couples, partners_of_assigned_couples};
use crate::store::boundaries::parse_ts_key;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = a)]
pub struct AssessmentRow {
    pub id: AssessmentId,
    pub practice_id: PracticeId,
    pub instrument: String,
    pub client_id: ClientId,
    pub couple_id: Option<CoupleId>,
    pub status: String,
    pub due_on: Option<String>,
    /// Before this day (in the practice's time zone) the portal does not offer it.
    pub opens_on: Option<String>,
    /// The day a paper form was filled in, as the counselor entered it.
    pub completed_on: Option<String>,
    /// A JSON object: item id -> value.
    pub answers: Option<String>,
    pub score: Option<i32>,
    /// A JSON object: subscale key -> score.
    pub subscales: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
    pub responded_by: Option<UserId>,
    pub created_by: UserId,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AssessmentRow {
    pub fn answers(&self) -> Option<BTreeMap<String, i32>> {
        self.answers.as_deref().and_then(|s| serde_json::from_str(s).ok())
    }

    pub fn subscales(&self) -> BTreeMap<String, i32> {
        self.subscales.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
    }
}

/// The caller's own assessment: only [`own`]'s queries make one, so a portal view built from it
/// can only hold the caller's answers and score.
#[derive(Debug, Clone)]
pub struct OwnAssessment(AssessmentRow);

impl OwnAssessment {
    pub fn row(&self) -> &AssessmentRow {
        &self.0
    }
}

/// Assessments the staff actor may see: a couple's when assigned to the couple; a client's
/// individual ones (no couple) when assigned to that client; always of their practice.
pub fn visible(actor: &Actor) -> a::BoxedQuery<'static, Backend> {
    a::table
        .filter(a::practice_id.eq(actor.practice_id.clone()))
        .filter(
            a::couple_id
                .assume_not_null()
                .eq_any(assigned_couples(actor.user_id.clone()))
                .or(a::couple_id.is_null().and(a::client_id.eq_any(assigned_clients(actor.user_id.clone())))),
        )
        .into_boxed()
}

/// The portal client's own assessments (`client_id` = the caller). Nothing for staff (no
/// client id matches the empty string).
fn own(actor: &Actor) -> a::BoxedQuery<'static, Backend> {
    let q = a::table.filter(a::practice_id.eq(actor.practice_id.clone())).into_boxed();
    match actor.client_id.clone() {
        Some(me) => q.filter(a::client_id.eq(me)),
        None => q.filter(false.into_sql::<diesel::sql_types::Bool>()),
    }
}

/// The assessment, if the staff actor may see it (diesel's `NotFound` otherwise: the 404).
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &AssessmentId) -> QueryResult<AssessmentRow> {
    visible(actor).filter(a::id.eq(id)).select(AssessmentRow::as_select()).first(conn)
}

/// The caller's own assessment (diesel's `NotFound` for anyone else's, the partner's included).
pub fn find_own(conn: &mut AnyConnection, actor: &Actor, id: &AssessmentId) -> QueryResult<OwnAssessment> {
    own(actor).filter(a::id.eq(id)).select(AssessmentRow::as_select()).first(conn).map(OwnAssessment)
}

/// Is the client on the staff actor's caseload (assigned directly or through a couple)?
pub fn client_in_caseload(conn: &mut AnyConnection, actor: &Actor, client_id: &ClientId) -> QueryResult<bool> {
    let uid = actor.user_id.clone();
    clients::table
        .filter(clients::practice_id.eq(actor.practice_id.clone()))
        .filter(clients::id.eq(client_id))
        .filter(
            clients::id.eq_any(assigned_clients(uid.clone())).or(clients::id.eq_any(partners_of_assigned_couples(uid))),
        )
        .select(clients::id)
        .first::<String>(conn)
        .optional()
        .map(|f| f.is_some())
}

pub struct NewAssessment<'a> {
    pub id: &'a AssessmentId,
    pub practice_id: &'a PracticeId,
    pub instrument: &'a str,
    pub client_id: &'a ClientId,
    pub couple_id: Option<&'a CoupleId>,
    pub due_on: Option<&'a str>,
    pub opens_on: Option<&'a str>,
    pub created_by: &'a UserId,
}

pub fn create(conn: &mut AnyConnection, new: &NewAssessment<'_>) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(a::table)
        .values((
            a::id.eq(new.id),
            a::practice_id.eq(new.practice_id),
            a::instrument.eq(new.instrument),
            a::client_id.eq(new.client_id),
            a::couple_id.eq(new.couple_id),
            a::status.eq("pending"),
            a::due_on.eq(new.due_on),
            a::opens_on.eq(new.opens_on),
            a::created_by.eq(new.created_by),
            a::version.eq(1i64),
            a::created_at.eq(at),
            a::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Which assessments a listing is of.
pub enum Of<'a> {
    Couple(&'a CoupleId),
    Client(&'a ClientId),
}

/// Staff listing, oldest first (created_at, id), narrowed from [`visible`].
pub fn list_visible(
    conn: &mut AnyConnection,
    actor: &Actor,
    of: Of<'_>,
    instrument: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<AssessmentRow>> {
    let q = match of {
        Of::Couple(id) => visible(actor).filter(a::couple_id.eq(id.clone())),
        Of::Client(id) => visible(actor).filter(a::client_id.eq(id.clone())),
    };
    list(conn, q, instrument, page)
}

/// The caller's own assessments that have opened by `today` (`YYYY-MM-DD` in the practice's
/// time zone), oldest first. `couple_id` narrows to one of the caller's couples (the handler has
/// checked it is theirs).
pub fn list_own(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: Option<&CoupleId>,
    instrument: Option<&str>,
    today: &str,
    page: &PageRequest,
) -> AppResult<Vec<OwnAssessment>> {
    let mut scope = own(actor).filter(a::opens_on.is_null().or(a::opens_on.le(today.to_string())));
    if let Some(couple_id) = couple_id {
        scope = scope.filter(a::couple_id.eq(couple_id.clone()));
    }
    Ok(list(conn, scope, instrument, page)?.into_iter().map(OwnAssessment).collect())
}

/// Is the portal client a partner of this couple (of their practice)?
pub fn is_own_couple(conn: &mut AnyConnection, actor: &Actor, couple_id: &CoupleId) -> QueryResult<bool> {
    let Some(me) = actor.client_id.clone() else { return Ok(false) };
    diesel::select(diesel::dsl::exists(
        cp::table
            .inner_join(couples::table)
            .filter(couples::practice_id.eq(actor.practice_id.clone()))
            .filter(cp::couple_id.eq(couple_id.to_string()))
            .filter(cp::client_id.eq(me)),
    ))
    .get_result(conn)
}

fn list(
    conn: &mut AnyConnection,
    scope: a::BoxedQuery<'static, Backend>,
    instrument: Option<&str>,
    page: &PageRequest,
) -> AppResult<Vec<AssessmentRow>> {
    let mut q = scope.select(AssessmentRow::as_select());
    if let Some(key) = instrument {
        q = q.filter(a::instrument.eq(key.to_string()));
    }
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(a::created_at.ge(at)).filter(a::created_at.gt(at).or(a::created_at.eq(at).and(a::id.gt(id))));
    }
    Ok(q.order((a::created_at.asc(), a::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Completed assessments for a release of records, oldest first by completion: a couple's (both
/// partners') or one client's own, completed within `[from, until)`. Pending ones never.
pub fn completed_for_disclosure(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: Option<&CoupleId>,
    client_id: Option<&ClientId>,
    window: (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>),
) -> QueryResult<Vec<AssessmentRow>> {
    let mut q = visible(actor).filter(a::status.eq("completed"));
    if let Some(k) = couple_id {
        q = q.filter(a::couple_id.eq(k.to_string()));
    }
    if let Some(c) = client_id {
        q = q.filter(a::client_id.eq(c.to_string()));
    }
    if let Some(from) = window.0 {
        q = q.filter(a::completed_at.ge(from));
    }
    if let Some(until) = window.1 {
        q = q.filter(a::completed_at.lt(until));
    }
    q.select(AssessmentRow::as_select()).order((a::completed_at.asc(), a::id.asc())).load(conn)
}

/// Completed assessments of a couple on one instrument, oldest first by completion.
pub fn completed_of_couple(
    conn: &mut AnyConnection,
    actor: &Actor,
    couple_id: &CoupleId,
    instrument: &str,
) -> QueryResult<Vec<AssessmentRow>> {
    visible(actor)
        .filter(a::couple_id.eq(couple_id.to_string()))
        .filter(a::instrument.eq(instrument.to_string()))
        .filter(a::status.eq("completed"))
        .select(AssessmentRow::as_select())
        .order((a::completed_at.asc(), a::id.asc()))
        .load(conn)
}

/// Completes a pending assessment at `version` with its answers and score. False when it is no
/// longer pending at that version (another response won).
pub fn complete(
    conn: &mut AnyConnection,
    id: &AssessmentId,
    version: i64,
    answers: &BTreeMap<String, i32>,
    scored: &Scored,
    responded_by: &UserId,
    completed_on: Option<&str>,
) -> AppResult<bool> {
    let answers = serde_json::to_string(answers).map_err(AppError::internal)?;
    let subscales = serde_json::to_string(&scored.subscales).map_err(AppError::internal)?;
    let at = now();
    let n =
        diesel::update(a::table.filter(a::id.eq(id)).filter(a::version.eq(version)).filter(a::status.eq("pending")))
            .set((
                a::status.eq("completed"),
                a::answers.eq(Some(answers)),
                a::score.eq(Some(scored.total)),
                a::subscales.eq(Some(subscales)),
                a::completed_at.eq(Some(at)),
                a::completed_on.eq(completed_on),
                a::responded_by.eq(Some(responded_by)),
                a::version.eq(version + 1),
                a::updated_at.eq(at),
            ))
            .execute(conn)?;
    Ok(n == 1)
}

/// The caller's own completed assessments on `instrument`, oldest first (never the partner's).
pub fn own_completed(conn: &mut AnyConnection, actor: &Actor, instrument: &str) -> QueryResult<Vec<AssessmentRow>> {
    own(actor)
        .filter(a::instrument.eq(instrument.to_string()))
        .filter(a::status.eq("completed"))
        .select(AssessmentRow::as_select())
        .order((a::completed_at.asc(), a::id.asc()))
        .load(conn)
}
