//! Who may see what, in one place. Every rule is a query: a caller who may not see a row never
//! gets it back, and the handler answers 404.
//!
//! - Nothing crosses practices.
//! - Clinical access needs assignment: to the client (`client_counselors`) or to the couple
//!   (`couple_counselors`). Admins are no exception for clinical content.
//! - Admins also see every client's demographics (the client record itself).
//! - Clients see only their own records, through the portal.

use diesel::dsl::exists;
use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};

use crate::db::schema::{
    client_counselors as cc, clients, couple_counselors as kc, couple_partners as cp, couples, notes, sessions,
};
use crate::db::{AnyConnection, MultiBackend as Backend};
use crate::domain::ids::{ClientId, UserId};
use crate::domain::Actor;

/// Couples the user is assigned to (a subquery; the practice is checked on the outer query).
#[diesel::dsl::auto_type(no_type_alias)]
pub fn assigned_couples(user_id: UserId) -> _ {
    kc::table.filter(kc::counselor_id.eq(user_id)).select(kc::couple_id)
}

/// Clients the user is assigned to directly.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn assigned_clients(user_id: UserId) -> _ {
    cc::table.filter(cc::counselor_id.eq(user_id)).select(cc::client_id)
}

/// Partners of the couples the user is assigned to.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn partners_of_assigned_couples(user_id: UserId) -> _ {
    cp::table
        .filter(cp::couple_id.eq_any(kc::table.filter(kc::counselor_id.eq(user_id)).select(kc::couple_id)))
        .select(cp::client_id)
}

/// How a row reaches the counselor: the assignment table probed for `column`.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// `column` is a couple id: an assignment to that couple.
    Couple,
    /// `column` is a client id: an assignment to that client.
    Client,
    /// `column` is a client id: an assignment to a couple the client is a partner in.
    PartnerOfCouple,
}

/// `EXISTS (SELECT 1 FROM <assignments> WHERE <key> = <column> AND counselor_id = $user)`.
///
/// A correlated probe of one index entry per candidate row, so a single-row check costs the same
/// whatever the counselor's caseload; PostgreSQL may still choose to hash the caseload when it
/// scans many rows. (The `IN (SELECT ...)` form this replaced, inside an OR, always hashed the
/// whole caseload: 100 to 300 rows read on every request in the benchmark's practice.)
#[derive(Debug, Clone)]
pub struct Assigned<C> {
    column: C,
    via: Via,
    user_id: UserId,
}

fn assigned<C>(column: C, via: Via, actor: &Actor) -> Assigned<C> {
    Assigned { column, via, user_id: actor.user_id.clone() }
}

impl<C> Expression for Assigned<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for Assigned<C> {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for Assigned<C> {}

impl<C, GB> ValidGrouping<GB> for Assigned<C> {
    type IsAggregate = is_aggregate::Never;
}

impl<C> QueryId for Assigned<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Backend>> QueryFragment<Backend> for Assigned<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql(match self.via {
            Via::Couple => "EXISTS (SELECT 1 FROM couple_counselors a WHERE a.couple_id = ",
            Via::Client => "EXISTS (SELECT 1 FROM client_counselors a WHERE a.client_id = ",
            Via::PartnerOfCouple => {
                "EXISTS (SELECT 1 FROM couple_partners p JOIN couple_counselors a ON a.couple_id = p.couple_id \
                 WHERE p.client_id = "
            }
        });
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" AND a.counselor_id = ");
        out.push_bind_param::<Text, UserId>(&self.user_id)?;
        out.push_sql(")");
        Ok(())
    }
}

/// Clients whose record (demographics) the actor may see: all of the practice for an admin;
/// for a counselor, clients assigned to them directly or through a couple.
pub fn visible_clients(actor: &Actor) -> clients::BoxedQuery<'static, Backend> {
    let q = clients::table.filter(clients::practice_id.eq(actor.practice_id.clone())).into_boxed();
    if actor.is_admin() {
        q
    } else {
        q.filter(assigned(clients::id, Via::Client, actor).or(assigned(clients::id, Via::PartnerOfCouple, actor)))
    }
}

/// May the actor see this client's record?
pub fn client_visible(conn: &mut AnyConnection, actor: &Actor, client_id: &str) -> QueryResult<bool> {
    visible_clients(actor)
        .filter(clients::id.eq(client_id.to_string()))
        .select(clients::id)
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// The refusal for a client's clinical records: 403 with `why` for a caller who may see the
/// client's record itself (an admin, a counselor of another part of the client's care), since
/// they know the client exists; 404 for anyone else.
pub fn clinical_refusal(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: &str,
    why: &'static str,
) -> Result<crate::problem::AppError, crate::problem::AppError> {
    Ok(if client_visible(conn, actor, client_id)? {
        crate::problem::AppError::Forbidden(why)
    } else {
        crate::problem::AppError::NotFound
    })
}

/// The `why` of most clinical refusals.
pub const NEEDS_ASSIGNMENT: &str =
    "A client's clinical records need assignment: only a counselor assigned to the client (or to their couple) may see them.";

/// Is the actor assigned to this client directly (clinical access to individual work)?
pub fn client_assigned(conn: &mut AnyConnection, actor: &Actor, client_id: &str) -> QueryResult<bool> {
    diesel::select(exists(assigned_clients(actor.user_id.clone()).filter(cc::client_id.eq(client_id.to_string()))))
        .get_result(conn)
}

/// Couples the actor may see (clinical): those they are assigned to, in their practice.
pub fn visible_couples(actor: &Actor) -> couples::BoxedQuery<'static, Backend> {
    couples::table
        .filter(couples::practice_id.eq(actor.practice_id.clone()))
        .filter(couples::id.eq_any(assigned_couples(actor.user_id.clone())))
        .into_boxed()
}

/// Couples whose counselor assignments the actor may change: for an admin, every couple of the
/// practice (admins fix assignments, also of couples they are not assigned to, without seeing
/// their clinical content); for anyone else, none.
pub fn assignable_couples(actor: &Actor) -> couples::BoxedQuery<'static, Backend> {
    let q = couples::table.filter(couples::practice_id.eq(actor.practice_id.clone())).into_boxed();
    if actor.is_admin() {
        q
    } else {
        q.filter(false.into_sql::<diesel::sql_types::Bool>())
    }
}

pub fn couple_visible(conn: &mut AnyConnection, actor: &Actor, couple_id: &str) -> QueryResult<bool> {
    visible_couples(actor)
        .filter(couples::id.eq(couple_id.to_string()))
        .select(couples::id)
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Sessions the actor may see (clinical): couple sessions of assigned couples, individual
/// sessions of directly assigned clients.
pub fn visible_sessions(actor: &Actor) -> sessions::BoxedQuery<'static, Backend> {
    sessions::table
        .filter(sessions::practice_id.eq(actor.practice_id.clone()))
        .filter(assigned(sessions::couple_id, Via::Couple, actor).or(assigned(sessions::client_id, Via::Client, actor)))
        .into_boxed()
}

pub fn session_visible(conn: &mut AnyConnection, actor: &Actor, session_id: &str) -> QueryResult<bool> {
    visible_sessions(actor)
        .filter(sessions::id.eq(session_id.to_string()))
        .select(sessions::id)
        .first::<String>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Mediation notes the actor may see: the same rule as their session (a note carries its
/// session's couple or client), staff only. Handlers for notes take `Staff`, so a client never
/// reaches this query.
pub fn visible_notes(actor: &Actor) -> notes::BoxedQuery<'static, Backend> {
    notes::table
        .filter(notes::practice_id.eq(actor.practice_id.clone()))
        .filter(assigned(notes::couple_id, Via::Couple, actor).or(assigned(notes::client_id, Via::Client, actor)))
        .into_boxed()
}

/// Couples a portal client belongs to.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn couples_of_client(client_id: ClientId) -> _ {
    cp::table.filter(cp::client_id.eq(client_id)).select(cp::couple_id)
}
