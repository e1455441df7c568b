//! Clients: the people counselled. Every read goes through `access::visible_clients`.

use diesel::prelude::*;

use crate::auth::access::visible_clients;
use crate::auth::Actor;
use crate::db::schema::{client_counselors as cc, clients as c, users};
use crate::db::{now, AnyConnection};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = c)]
pub struct ClientRow {
    pub id: String,
    pub practice_id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The fields of a new client (already validated).
pub struct NewClient {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub fn create(conn: &mut AnyConnection, practice_id: &str, new: &NewClient) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(c::table)
        .values((
            c::id.eq(&new.id),
            c::practice_id.eq(practice_id),
            c::first_name.eq(&new.first_name),
            c::last_name.eq(&new.last_name),
            c::preferred_name.eq(&new.preferred_name),
            c::pronouns.eq(&new.pronouns),
            c::date_of_birth.eq(&new.date_of_birth),
            c::email.eq(&new.email),
            c::phone.eq(&new.phone),
            c::status.eq("active"),
            c::version.eq(1i64),
            c::created_at.eq(at),
            c::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Assigns a counselor to a client (no-op when already assigned).
pub fn assign(conn: &mut AnyConnection, practice_id: &str, client_id: &str, counselor_id: &str) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        cc::table.filter(cc::client_id.eq(client_id)).filter(cc::counselor_id.eq(counselor_id)),
    ))
    .get_result(conn)?;
    if !exists {
        diesel::insert_into(cc::table)
            .values((cc::client_id.eq(client_id), cc::counselor_id.eq(counselor_id), cc::practice_id.eq(practice_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces a client's counselors.
pub fn set_counselors(
    conn: &mut AnyConnection,
    practice_id: &str,
    client_id: &str,
    counselor_ids: &[String],
) -> QueryResult<()> {
    diesel::delete(cc::table.filter(cc::client_id.eq(client_id))).execute(conn)?;
    for id in counselor_ids {
        assign(conn, practice_id, client_id, id)?;
    }
    Ok(())
}

/// The client's record, if the actor may see it.
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<ClientRow>> {
    visible_clients(actor).filter(c::id.eq(id.to_string())).select(ClientRow::as_select()).first(conn).optional()
}

/// Counselor ids of many clients at once (one query for a page).
pub fn counselor_ids(conn: &mut AnyConnection, client_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    cc::table
        .filter(cc::client_id.eq_any(client_ids))
        .select((cc::client_id, cc::counselor_id))
        .order((cc::client_id, cc::counselor_id))
        .load(conn)
}

/// Which of these clients have a portal account.
pub fn with_portal_access(conn: &mut AnyConnection, client_ids: &[String]) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::client_id.eq_any(client_ids))
        .filter(users::active.eq(true))
        .filter(users::password_hash.is_not_null())
        .select(users::client_id.assume_not_null())
        .load(conn)
}

/// Are all these users active counselors or admins of the practice?
pub fn all_staff_of_practice(conn: &mut AnyConnection, practice_id: &str, user_ids: &[String]) -> QueryResult<bool> {
    let n: i64 = users::table
        .filter(users::practice_id.eq(practice_id))
        .filter(users::id.eq_any(user_ids))
        .filter(users::role.ne("client"))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?;
    let mut unique = user_ids.to_vec();
    unique.sort();
    unique.dedup();
    Ok(n == unique.len() as i64)
}
