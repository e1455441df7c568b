use diesel::prelude::*;

use crate::db::schema::users as u;
use crate::db::{now, AnyConnection};
use crate::domain::ids::{ClientId, PracticeId, UserId};
use crate::domain::value_trust::DisplayName;
use crate::domain::Role;
use crate::pagination::PageRequest;
use crate::problem::AppResult;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = u)]
pub struct UserRow {
    pub id: UserId,
    pub practice_id: PracticeId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub client_id: Option<ClientId>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

pub fn create(conn: &mut AnyConnection, new: &NewUser<'_>) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(u::table)
        .values((
            u::id.eq(new.id),
            u::practice_id.eq(new.practice_id),
            u::email.eq(new.email),
            u::display_name.eq(new.display_name),
            u::role.eq(new.role.as_str()),
            u::password_hash.eq(new.password_hash),
            u::active.eq(true),
            u::client_id.eq(new.client_id),
            u::version.eq(1i64),
            u::created_at.eq(at),
            u::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A user of the caller's practice (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(user.id = %id))]
pub fn find_in_practice(conn: &mut AnyConnection, practice_id: &PracticeId, id: &UserId) -> QueryResult<UserRow> {
    u::table.filter(u::practice_id.eq(practice_id)).filter(u::id.eq(id)).select(UserRow::as_select()).first(conn)
}

/// For sign-in: the user with this email, with their password hash.
pub fn find_for_login(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<(UserRow, Option<String>)>> {
    u::table.filter(u::email.eq(email)).select((UserRow::as_select(), u::password_hash)).first(conn).optional()
}

#[tracing::instrument(skip_all, fields(user.id = %id))]
pub fn password_hash(conn: &mut AnyConnection, id: &UserId) -> QueryResult<Option<String>> {
    u::table.filter(u::id.eq(id)).select(u::password_hash).first(conn)
}

#[tracing::instrument(skip_all, fields(user.id = %id))]
pub fn set_password(conn: &mut AnyConnection, id: &UserId, hash: &str) -> QueryResult<()> {
    diesel::update(u::table.filter(u::id.eq(id)))
        .set((u::password_hash.eq(hash), u::version.eq(u::version + 1), u::updated_at.eq(now())))
        .execute(conn)
        .map(|_| ())
}

pub fn email_taken(conn: &mut AnyConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(u::table.filter(u::email.eq(email)))).get_result(conn)
}

pub struct ListFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// Users of a practice, ordered by id (creation order).
#[tracing::instrument(skip_all, fields(practice.id = %practice_id))]
pub fn list(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    filter: &ListFilter,
    page: &PageRequest,
) -> AppResult<Vec<UserRow>> {
    let mut q = u::table.filter(u::practice_id.eq(practice_id)).select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(u::role.eq(role));
    }
    if let Some(active) = filter.active {
        q = q.filter(u::active.eq(active));
    }
    if let Some(after) = &page.after {
        q = q.filter(u::id.gt(after[0].clone()));
    }
    Ok(q.order(u::id.asc()).limit(page.fetch()).load(conn)?)
}

/// Active admins of a practice, other than `except`.
#[tracing::instrument(skip_all, fields(practice.id = %practice_id, user.id = %except))]
pub fn other_active_admins(conn: &mut AnyConnection, practice_id: &PracticeId, except: &UserId) -> QueryResult<i64> {
    u::table
        .filter(u::practice_id.eq(practice_id))
        .filter(u::role.eq(Role::Admin))
        .filter(u::active.eq(true))
        .filter(u::id.ne(except))
        .count()
        .get_result(conn)
}

/// A change to a user (Lemmy's `UpdateForm`): `None` leaves the name as it is. It carries the
/// version the row moves to.
#[derive(AsChangeset)]
#[diesel(table_name = u)]
pub struct UserChanges {
    pub display_name: Option<DisplayName>,
    pub role: Role,
    pub active: bool,
    pub version: i64,
    pub updated_at: chrono::NaiveDateTime,
}

/// Writes the changes if the row is still at `version` (the changes carry `version + 1`);
/// false when a concurrent write won.
#[tracing::instrument(skip_all, fields(user.id = %id))]
pub fn update(conn: &mut AnyConnection, id: &UserId, version: i64, changes: &UserChanges) -> QueryResult<bool> {
    let n = diesel::update(u::table.filter(u::id.eq(id)).filter(u::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

pub fn count_all(conn: &mut AnyConnection) -> QueryResult<i64> {
    u::table.count().get_result(conn)
}

/// For token refresh and invites: the user a token belongs to (the token itself is the proof).
#[tracing::instrument(skip_all, fields(user.id = %id))]
pub fn find_by_id_for_auth(conn: &mut AnyConnection, id: &UserId) -> QueryResult<Option<UserRow>> {
    u::table.filter(u::id.eq(id)).select(UserRow::as_select()).first(conn).optional()
}
