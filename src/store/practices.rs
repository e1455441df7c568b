use diesel::prelude::*;

use crate::db::schema::practices as p;
use crate::db::{now, AnyConnection};
use crate::domain::ids::PracticeId;
use crate::domain::value_trust::PracticeName;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = p)]
pub struct PracticeRow {
    pub id: PracticeId,
    pub name: String,
    pub timezone: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub require_staff_mfa: bool,
}

pub fn create(conn: &mut AnyConnection, id: &str, name: &str, timezone: &str) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(p::table)
        .values((
            p::id.eq(id),
            p::name.eq(name),
            p::timezone.eq(timezone),
            p::version.eq(1i64),
            p::created_at.eq(at),
            p::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The caller's own practice (the only one anyone can see).
#[tracing::instrument(skip_all, fields(practice.id = %practice_id))]
pub fn own(conn: &mut AnyConnection, practice_id: &PracticeId) -> QueryResult<PracticeRow> {
    p::table.filter(p::id.eq(practice_id)).select(PracticeRow::as_select()).first(conn)
}

/// A change to the practice (Lemmy's `UpdateForm`): `None` leaves a column as it is. It
/// carries the version the row moves to.
#[derive(AsChangeset)]
#[diesel(table_name = p)]
pub struct PracticeChanges {
    pub name: Option<PracticeName>,
    /// An IANA time zone name (checked by the request's rule).
    pub timezone: Option<String>,
    pub require_staff_mfa: Option<bool>,
    pub version: i64,
    pub updated_at: chrono::NaiveDateTime,
}

/// Writes the changes if the row is still at `version` (the changes carry `version + 1`);
/// false when a concurrent write won.
#[tracing::instrument(skip_all, fields(practice.id = %id))]
pub fn update(conn: &mut AnyConnection, id: &PracticeId, version: i64, changes: &PracticeChanges) -> QueryResult<bool> {
    let n = diesel::update(p::table.filter(p::id.eq(id)).filter(p::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}
