//! Couples: two partners (clients) with counselors of their own. Every read goes through
//! `access::visible_couples`.

use diesel::prelude::*;

use crate::auth::access::{assignable_couples, couples_of_client, visible_couples};
use crate::auth::Actor;
use crate::db::schema::{couple_counselors as kc, couple_partners as cp, couples as k};
use crate::db::{now, AnyConnection};
use crate::domain::ids::ClientId;
use crate::domain::CoupleStatus;
use crate::pagination::PageRequest;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = k)]
pub struct CoupleRow {
    pub id: String,
    pub practice_id: String,
    pub status: String,
    pub presenting_concern: Option<String>,
    pub relationship_started_on: Option<String>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub struct NewCouple {
    pub id: String,
    pub partner_ids: [String; 2],
    pub presenting_concern: Option<String>,
    pub relationship_started_on: Option<String>,
}

pub fn create(conn: &mut AnyConnection, practice_id: &str, new: &NewCouple) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(k::table)
        .values((
            k::id.eq(&new.id),
            k::practice_id.eq(practice_id),
            k::status.eq("active"),
            k::presenting_concern.eq(&new.presenting_concern),
            k::relationship_started_on.eq(&new.relationship_started_on),
            k::version.eq(1i64),
            k::created_at.eq(at),
            k::updated_at.eq(at),
        ))
        .execute(conn)?;
    for (position, client_id) in new.partner_ids.iter().enumerate() {
        diesel::insert_into(cp::table)
            .values((
                cp::couple_id.eq(&new.id),
                cp::client_id.eq(client_id),
                cp::practice_id.eq(practice_id),
                cp::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn assign(conn: &mut AnyConnection, practice_id: &str, couple_id: &str, counselor_id: &str) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        kc::table.filter(kc::couple_id.eq(couple_id)).filter(kc::counselor_id.eq(counselor_id)),
    ))
    .get_result(conn)?;
    if !exists {
        diesel::insert_into(kc::table)
            .values((kc::couple_id.eq(couple_id), kc::counselor_id.eq(counselor_id), kc::practice_id.eq(practice_id)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_counselors(
    conn: &mut AnyConnection,
    practice_id: &str,
    couple_id: &str,
    counselor_ids: &[String],
) -> QueryResult<()> {
    diesel::delete(kc::table.filter(kc::couple_id.eq(couple_id))).execute(conn)?;
    for id in counselor_ids {
        assign(conn, practice_id, couple_id, id)?;
    }
    Ok(())
}

/// The couple, if the actor is assigned to it.
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<CoupleRow>> {
    visible_couples(actor).filter(k::id.eq(id.to_string())).select(CoupleRow::as_select()).first(conn).optional()
}

/// The couple, if the actor may change its counselors (an admin of its practice), whether or
/// not the actor is assigned. Only for assignment changes: the row carries clinical content
/// that the caller must not show to an unassigned admin.
pub fn find_assignable(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<CoupleRow>> {
    assignable_couples(actor).filter(k::id.eq(id.to_string())).select(CoupleRow::as_select()).first(conn).optional()
}

pub struct ListFilter {
    pub status: Option<CoupleStatus>,
    /// Only couples this client is a partner of.
    pub client_id: Option<String>,
}

/// Couples the actor is assigned to, in creation order (by id).
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    filter: &ListFilter,
    page: &PageRequest,
) -> QueryResult<Vec<CoupleRow>> {
    let mut q = visible_couples(actor).select(CoupleRow::as_select());
    if let Some(status) = filter.status {
        q = q.filter(k::status.eq(status.as_str()));
    }
    if let Some(client_id) = &filter.client_id {
        let Ok(client_id) = client_id.parse::<ClientId>() else { return Ok(Vec::new()) };
        q = q.filter(k::id.eq_any(couples_of_client(client_id)));
    }
    if let Some(after) = &page.after {
        q = q.filter(k::id.gt(after[0].clone()));
    }
    q.order(k::id.asc()).limit(page.fetch()).load(conn)
}

/// The whole new state of a couple's own fields (validated, merged with the current one).
pub struct CoupleChanges {
    pub status: CoupleStatus,
    pub presenting_concern: Option<String>,
    pub relationship_started_on: Option<String>,
}

/// Writes the couple if it is still at `version`; false when a concurrent write won.
pub fn update(conn: &mut AnyConnection, id: &str, version: i64, ch: &CoupleChanges) -> QueryResult<bool> {
    let n = diesel::update(k::table.filter(k::id.eq(id)).filter(k::version.eq(version)))
        .set((
            k::status.eq(ch.status.as_str()),
            k::presenting_concern.eq(&ch.presenting_concern),
            k::relationship_started_on.eq(&ch.relationship_started_on),
            k::version.eq(version + 1),
            k::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Partner ids of many couples at once, in partner order.
pub fn partner_ids(conn: &mut AnyConnection, couple_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    cp::table
        .filter(cp::couple_id.eq_any(couple_ids))
        .select((cp::couple_id, cp::client_id))
        .order((cp::couple_id, cp::position))
        .load(conn)
}

/// Counselor ids of many couples at once.
pub fn counselor_ids(conn: &mut AnyConnection, couple_ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    kc::table
        .filter(kc::couple_id.eq_any(couple_ids))
        .select((kc::couple_id, kc::counselor_id))
        .order((kc::couple_id, kc::counselor_id))
        .load(conn)
}

/// The partners of one couple.
pub fn partners_of(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<Vec<String>> {
    cp::table.filter(cp::couple_id.eq(couple_id)).select(cp::client_id).order(cp::position).load(conn)
}

/// Groups `(key, value)` pairs (sorted by key) into a lookup.
pub fn group<K: std::hash::Hash + Eq, V>(pairs: Vec<(K, V)>) -> std::collections::HashMap<K, Vec<V>> {
    let mut map: std::collections::HashMap<K, Vec<V>> = std::collections::HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}
