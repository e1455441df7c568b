use diesel::prelude::*;

use crate::db::schema::practices as p;
use crate::db::{now, AnyConnection};
use crate::problem::AppResult;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = p)]
pub struct PracticeRow {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
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
pub fn own(conn: &mut AnyConnection, practice_id: &str) -> AppResult<PracticeRow> {
    Ok(p::table.filter(p::id.eq(practice_id)).select(PracticeRow::as_select()).first(conn)?)
}

/// Writes the changes if the row is still at `version`; false when a concurrent write won.
pub fn update(conn: &mut AnyConnection, id: &str, version: i64, name: &str, timezone: &str) -> QueryResult<bool> {
    let n = diesel::update(p::table.filter(p::id.eq(id)).filter(p::version.eq(version)))
        .set((p::name.eq(name), p::timezone.eq(timezone), p::version.eq(version + 1), p::updated_at.eq(now())))
        .execute(conn)?;
    Ok(n == 1)
}
