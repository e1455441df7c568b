//! Clients: the people counselled. Every read goes through `access::visible_clients`.

use diesel::prelude::*;

use diesel::sql_types::{Nullable, Text};

use crate::db::schema::{client_counselors as cc, clients as c, users};
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, PracticeId, UserId};
use crate::domain::value::{Email, Name, PastDate, Phone};
use crate::domain::Actor;
use crate::domain::ClientStatus;
use crate::pagination::PageRequest;
use crate::store::access::visible_clients;
use crate::store::users::UserRow;

diesel::define_sql_function! {
    /// `lower(text)`: the same function on both stores.
    fn lower(x: Text) -> Text;
}

diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower_nullable(x: Nullable<Text>) -> Nullable<Text>;
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = c)]
pub struct ClientRow {
    pub id: ClientId,
    pub practice_id: PracticeId,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: ClientStatus,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// A new client's row: checked values only (Lemmy's `InsertForm`).
#[derive(Insertable)]
#[diesel(table_name = c, treat_none_as_default_value = false)]
pub struct NewClient {
    pub id: ClientId,
    pub practice_id: PracticeId,
    pub first_name: Name,
    pub last_name: Name,
    pub preferred_name: Option<Name>,
    pub pronouns: Option<Name>,
    pub date_of_birth: Option<PastDate>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub status: ClientStatus,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

#[tracing::instrument(skip_all, fields(client.id = %new.id))]
pub fn create(conn: &mut AnyConnection, new: &NewClient) -> QueryResult<()> {
    diesel::insert_into(c::table).values(new).execute(conn).map(|_| ())
}

/// Assigns a counselor to a client (no-op when already assigned).
#[tracing::instrument(skip_all, fields(client.id = %client_id, counselor.id = %counselor_id))]
pub fn assign(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    client_id: &ClientId,
    counselor_id: &UserId,
) -> QueryResult<()> {
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
    practice_id: &PracticeId,
    client_id: &ClientId,
    counselor_ids: &[UserId],
) -> QueryResult<()> {
    diesel::delete(cc::table.filter(cc::client_id.eq(client_id))).execute(conn)?;
    for id in counselor_ids {
        assign(conn, practice_id, client_id, id)?;
    }
    Ok(())
}

/// The client's record, if the actor may see it (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(client.id = %id))]
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &ClientId) -> QueryResult<ClientRow> {
    visible_clients(actor).filter(c::id.eq(id)).select(ClientRow::as_select()).first(conn)
}

/// A client's record with what the staff view needs besides the row, in one statement: the
/// ids of its counselors (`a,b`, in no order: the view sorts them) and whether it has a portal
/// account. Built from the query DSL, not SQL text, so diesel keeps it as a prepared statement
/// (a `sql()` fragment makes a query "unsafe to cache", and PostgreSQL would parse and plan it
/// on every read).
pub type ClientWithExtras = (ClientRow, Option<String>, bool);

/// [`find_visible`] and the view's extras in one round trip.
#[tracing::instrument(skip_all, fields(client.id = %id))]
pub fn find_visible_with_extras(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &ClientId,
) -> QueryResult<ClientWithExtras> {
    let counselors =
        cc::table.filter(cc::client_id.eq(c::id)).select(crate::db::string_agg(cc::counselor_id, ",")).single_value();
    let portal = diesel::dsl::exists(
        users::table
            .filter(users::client_id.eq(c::id.nullable()))
            .filter(users::active.eq(true))
            .filter(users::password_hash.is_not_null()),
    );
    visible_clients(actor).filter(c::id.eq(id)).select((ClientRow::as_select(), counselors, portal)).first(conn)
}

/// Counselor ids of many clients at once (one query for a page).
pub fn counselor_ids(conn: &mut AnyConnection, client_ids: &[ClientId]) -> QueryResult<Vec<(ClientId, UserId)>> {
    cc::table
        .filter(cc::client_id.eq_any(client_ids))
        .select((cc::client_id, cc::counselor_id))
        .order((cc::client_id, cc::counselor_id))
        .load(conn)
}

/// Which of these clients have a portal account.
pub fn with_portal_access(conn: &mut AnyConnection, client_ids: &[ClientId]) -> QueryResult<Vec<ClientId>> {
    users::table
        .filter(users::client_id.eq_any(client_ids))
        .filter(users::active.eq(true))
        .filter(users::password_hash.is_not_null())
        .select(users::client_id.assume_not_null())
        .load(conn)
}

/// Are all these users active counselors or admins of the practice?
pub fn all_staff_of_practice(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    user_ids: &[UserId],
) -> QueryResult<bool> {
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

pub struct ListFilter {
    pub status: Option<ClientStatus>,
    /// Text to find in any part of the first, last or preferred name, case-insensitively.
    pub q: Option<String>,
}

/// `%text%` for `LIKE ... ESCAPE '\'`, with the user's `\`, `%` and `_` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for ch in text.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// Clients the actor may see, ordered by last name, first name, id (the cursor holds those).
///
/// The search compares `lower(column) LIKE lower(pattern) ESCAPE '\'` on both stores, so it
/// matches the same rows on each (ASCII case folding; `lower` of non-ASCII letters depends on
/// the store).
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    filter: &ListFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ClientRow>> {
    let mut q = visible_clients(actor).select(ClientRow::as_select());
    if let Some(status) = filter.status {
        q = q.filter(c::status.eq(status));
    }
    if let Some(text) = &filter.q {
        let pattern = contains_pattern(text);
        q = q.filter(
            lower(c::first_name)
                .like(lower(pattern.clone()))
                .escape('\\')
                .or(lower(c::last_name).like(lower(pattern.clone())).escape('\\'))
                .or(lower_nullable(c::preferred_name)
                    .like(lower_nullable(pattern.into_sql::<Nullable<Text>>()))
                    .escape('\\')
                    .assume_not_null()),
        );
    }
    if let Some(after) = &page.after {
        let (last, first, id) = (after[0].clone(), after[1].clone(), after[2].clone());
        q = q.filter(c::last_name.ge(last.clone())).filter(c::last_name.gt(last.clone()).or(
            c::last_name.eq(last).and(c::first_name.gt(first.clone()).or(c::first_name.eq(first).and(c::id.gt(id)))),
        ));
    }
    q.order((c::last_name.asc(), c::first_name.asc(), c::id.asc())).limit(page.fetch()).load(conn)
}

/// The whole new state of a client's record (checked, and merged with the current one), with
/// the version it moves to (Lemmy's `UpdateForm`).
#[derive(AsChangeset)]
#[diesel(table_name = c, treat_none_as_null = true)]
pub struct ClientChanges {
    pub first_name: Name,
    pub last_name: Name,
    pub preferred_name: Option<Name>,
    pub pronouns: Option<Name>,
    pub date_of_birth: Option<PastDate>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub status: ClientStatus,
    pub version: i64,
    pub updated_at: chrono::NaiveDateTime,
}

/// Writes the record if it is still at `version` (the changes carry `version + 1`); false when
/// a concurrent write won.
#[tracing::instrument(skip_all, fields(client.id = %id))]
pub fn update(conn: &mut AnyConnection, id: &ClientId, version: i64, changes: &ClientChanges) -> QueryResult<bool> {
    let n = diesel::update(c::table.filter(c::id.eq(id)).filter(c::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

/// The portal account of a client (of the practice), if one was ever made.
pub fn portal_user(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    client_id: &ClientId,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::practice_id.eq(practice_id))
        .filter(users::client_id.eq(client_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}
