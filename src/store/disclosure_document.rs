//! The kept copy of what a disclosure carried (`disclosures.document`, JSON), and the names it
//! shows. The copy is written once, in the disclosure's transaction, and only read afterwards.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::schema::{clients as c, disclosures as d, users as u};
use crate::db::AnyConnection;
use crate::domain::ids::PracticeId;
use crate::store::sessions::Subject;

/// Keeps the document of the disclosure `disclosure_id`.
pub fn keep(conn: &mut AnyConnection, disclosure_id: &str, document: &str) -> QueryResult<()> {
    diesel::update(d::table.filter(d::id.eq(disclosure_id))).set(d::document.eq(document)).execute(conn).map(drop)
}

/// The kept document of a release's disclosure: `None` when it has none (not disclosed),
/// `Some(None)` for a disclosure made before documents were kept. The caller has already found
/// the release visible.
pub fn of_release(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    release_id: &str,
) -> QueryResult<Option<Option<String>>> {
    d::table
        .filter(d::practice_id.eq(practice_id.to_string()))
        .filter(d::release_id.eq(release_id.to_string()))
        .select(d::document)
        .first(conn)
        .optional()
}

/// The names of people of the practice, by id: a client's `first_name last_name`, a staff
/// member's display name. Ids of another practice, or of no one, are left out.
pub fn names(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    ids: &[String],
) -> QueryResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let clients: Vec<(String, String, String)> = c::table
        .filter(c::practice_id.eq(practice_id.to_string()))
        .filter(c::id.eq_any(ids))
        .select((c::id, c::first_name, c::last_name))
        .load(conn)?;
    for (id, first, last) in clients {
        out.insert(id, format!("{first} {last}"));
    }
    let users: Vec<(String, String)> = u::table
        .filter(u::practice_id.eq(practice_id.to_string()))
        .filter(u::id.eq_any(ids))
        .select((u::id, u::display_name))
        .load(conn)?;
    out.extend(users);
    Ok(out)
}

/// One staff member assigned to the subject (the first by id), if any: the scope in which a
/// portal client's preview collects what a disclosure would carry (every assigned staff member
/// collects the same records of the subject).
pub fn a_counselor_of(conn: &mut AnyConnection, subject: &Subject) -> QueryResult<Option<String>> {
    use crate::db::schema::{client_counselors as cc, couple_counselors as kc};
    match subject {
        Subject::Couple(id) => kc::table
            .filter(kc::couple_id.eq(id.as_str().to_string()))
            .select(kc::counselor_id)
            .order(kc::counselor_id.asc())
            .first(conn)
            .optional(),
        Subject::Client(id) => cc::table
            .filter(cc::client_id.eq(id.as_str().to_string()))
            .select(cc::counselor_id)
            .order(cc::counselor_id.asc())
            .first(conn)
            .optional(),
    }
}
