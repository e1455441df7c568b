//! Who may see what, in one place. Every rule is a query: a caller who may not see a row never
//! gets it back, and the handler answers 404.
//!
//! - Nothing crosses practices.
//! - Clinical access needs assignment: to the client (`client_counselors`) or to the couple
//!   (`couple_counselors`). Admins are no exception for clinical content.
//! - Admins also see every client's demographics (the client record itself).
//! - Clients see only their own records, through the portal.

use diesel::dsl::exists;
use diesel::prelude::*;

use crate::auth::Actor;
use crate::db::schema::{
    client_counselors as cc, clients, couple_counselors as kc, couple_partners as cp, couples, notes, sessions,
};
use crate::db::{AnyConnection, MultiBackend as Backend};

/// Couples the user is assigned to (a subquery; the practice is checked on the outer query).
#[diesel::dsl::auto_type(no_type_alias)]
pub fn assigned_couples(user_id: String) -> _ {
    kc::table.filter(kc::counselor_id.eq(user_id)).select(kc::couple_id)
}

/// Clients the user is assigned to directly.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn assigned_clients(user_id: String) -> _ {
    cc::table.filter(cc::counselor_id.eq(user_id)).select(cc::client_id)
}

/// Partners of the couples the user is assigned to.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn partners_of_assigned_couples(user_id: String) -> _ {
    cp::table
        .filter(cp::couple_id.eq_any(kc::table.filter(kc::counselor_id.eq(user_id)).select(kc::couple_id)))
        .select(cp::client_id)
}

/// Clients whose record (demographics) the actor may see: all of the practice for an admin;
/// for a counselor, clients assigned to them directly or through a couple.
pub fn visible_clients(actor: &Actor) -> clients::BoxedQuery<'static, Backend> {
    let q = clients::table.filter(clients::practice_id.eq(actor.practice_id.clone())).into_boxed();
    if actor.is_admin() {
        q
    } else {
        q.filter(
            clients::id
                .eq_any(assigned_clients(actor.user_id.clone()))
                .or(clients::id.eq_any(partners_of_assigned_couples(actor.user_id.clone()))),
        )
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
        .filter(
            sessions::couple_id
                .eq_any(kc::table.filter(kc::counselor_id.eq(actor.user_id.clone())).select(kc::couple_id.nullable()))
                .or(sessions::client_id.eq_any(
                    cc::table.filter(cc::counselor_id.eq(actor.user_id.clone())).select(cc::client_id.nullable()),
                )),
        )
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
        .filter(
            notes::couple_id
                .eq_any(kc::table.filter(kc::counselor_id.eq(actor.user_id.clone())).select(kc::couple_id.nullable()))
                .or(notes::client_id.eq_any(
                    cc::table.filter(cc::counselor_id.eq(actor.user_id.clone())).select(cc::client_id.nullable()),
                )),
        )
        .into_boxed()
}

/// Couples a portal client belongs to.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn couples_of_client(client_id: String) -> _ {
    cp::table.filter(cp::client_id.eq(client_id)).select(cp::couple_id)
}
