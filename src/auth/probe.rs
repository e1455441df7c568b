//! May the caller see the record a request names? The same scoped queries the handlers use, one
//! per kind of record, for the two places that decide access without running the handler:
//! a request refused for something else (a bad body, query or limit) that names a record the
//! caller may not see is still a 404 and a recorded denial (`denials::first`), and an
//! `Idempotency-Key` replay is answered only to a caller still allowed (`idempotency`).

use diesel::prelude::*;

use crate::auth::access;
use crate::auth::Actor;
use crate::db::schema::{couple_partners as cp, couples};
use crate::db::AnyConnection;
use crate::domain::ResourceKind;
use crate::domain::Role;
use crate::store::{
    activities, assessments, boundaries, letters, milestones, notes, releases, sessions, users, webhooks,
};

/// A record a path or a filter names: what it is and its id (already a well-formed UUID).
#[derive(Clone, Debug)]
pub struct Named {
    pub kind: ResourceKind,
    pub id: String,
    /// Named as the parent of what the request is about (`/couples/{id}/boundaries`, a filter):
    /// the caller must see its clinical records, not only the record itself.
    pub within: bool,
    /// Named as the client of individual work (a body's `client_id`): the caller must be assigned
    /// to the client directly.
    pub direct: bool,
    /// Named by a portal path (`/portal/…`): only the client it belongs to may see it there;
    /// staff never use those paths, clients never use the others.
    pub portal: bool,
}

/// What the path segment before an id names (`/couples/{id}/…` → a couple), or `None` for a
/// segment that names no record Mend keeps (or none this check knows).
pub fn kind_of_segment(segment: &str) -> Option<ResourceKind> {
    Some(match segment {
        "clients" => ResourceKind::Client,
        "couples" | "consents" => ResourceKind::Couple,
        "sessions" => ResourceKind::Session,
        "notes" => ResourceKind::Note,
        "boundaries" => ResourceKind::Boundary,
        "milestones" => ResourceKind::Milestone,
        "letters" => ResourceKind::Letter,
        "activities" => ResourceKind::Activity,
        "assessments" => ResourceKind::Assessment,
        "releases" => ResourceKind::Release,
        "webhooks" => ResourceKind::Webhook,
        "users" => ResourceKind::User,
        _ => return None,
    })
}

/// `Ok(true)` when the row was found; a `NotFound` is `Ok(false)`.
fn found<T>(result: QueryResult<T>) -> QueryResult<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `actor` may see the record (read it through the API at all). An id that does not
/// parse is a record nobody may see.
pub fn may_see(conn: &mut AnyConnection, actor: &Actor, named: &Named) -> QueryResult<bool> {
    let id = named.id.as_str();
    let client = actor.role == Role::Client;
    if named.portal != client {
        return Ok(false);
    }
    macro_rules! typed {
        () => {
            match id.parse() {
                Ok(typed) => typed,
                Err(_) => return Ok(false),
            }
        };
    }
    match named.kind {
        ResourceKind::Client if client => Ok(actor.client_id.as_ref().is_some_and(|own| own.as_str() == id)),
        ResourceKind::Client if named.direct => access::client_assigned(conn, actor, id),
        ResourceKind::Client if !named.within => access::client_visible(conn, actor, id),
        // A client's clinical records: assigned to the client or one of their couples, or the
        // record itself for an admin (whose handlers answer 403 with the reason).
        ResourceKind::Client => Ok(access::client_visible(conn, actor, id)?
            && (actor.is_admin() || crate::store::releases::client_in_care(conn, actor, id)?)),
        ResourceKind::Couple if client => {
            let Some(own) = actor.client_id.clone() else { return Ok(false) };
            diesel::select(diesel::dsl::exists(
                cp::table.filter(cp::couple_id.eq(id.to_string())).filter(cp::client_id.eq(own)),
            ))
            .get_result(conn)
        }
        // Admins see every couple of the practice (to assign counselors), not its clinical content.
        ResourceKind::Couple if actor.is_admin() && !named.within => diesel::select(diesel::dsl::exists(
            couples::table
                .filter(couples::id.eq(id.to_string()))
                .filter(couples::practice_id.eq(actor.practice_id.clone())),
        ))
        .get_result(conn),
        ResourceKind::Couple => access::couple_visible(conn, actor, id),
        ResourceKind::Session if client => Ok(false),
        ResourceKind::Session => found(sessions::find_visible(conn, actor, &typed!())),
        ResourceKind::Note if client => Ok(false),
        ResourceKind::Note => found(notes::find_visible(conn, actor, &typed!())),
        ResourceKind::Boundary if client => found(boundaries::find_for_client(conn, actor, &typed!())),
        ResourceKind::Boundary => found(boundaries::find_visible(conn, actor, &typed!())),
        ResourceKind::Milestone if client => Ok(false),
        ResourceKind::Milestone => found(milestones::find_visible(conn, actor, &typed!())),
        ResourceKind::Letter if client => {
            Ok(letters::find_written(conn, actor, id)?.is_some() || letters::find_received(conn, actor, id)?.is_some())
        }
        ResourceKind::Letter => Ok(letters::find_for_staff(conn, actor, id)?.is_some()),
        ResourceKind::Activity if client => Ok(activities::find_for_client(conn, actor, id)?.is_some()),
        ResourceKind::Activity => Ok(activities::find_visible(conn, actor, id)?.is_some()),
        ResourceKind::Assessment if client => found(assessments::find_own(conn, actor, &typed!())),
        ResourceKind::Assessment => found(assessments::find_visible(conn, actor, &typed!())),
        ResourceKind::Release if client => Ok(releases::find_for_client(conn, actor, id)?.is_some()),
        ResourceKind::Release => Ok(releases::find_visible(conn, actor, id)?.is_some()),
        ResourceKind::Webhook if actor.is_admin() => found(webhooks::find(conn, &actor.practice_id, &typed!())),
        ResourceKind::User if actor.is_admin() => found(users::find_in_practice(conn, &actor.practice_id, &typed!())),
        ResourceKind::User => Ok(actor.user_id.as_str() == id),
        _ => Ok(false),
    }
}
