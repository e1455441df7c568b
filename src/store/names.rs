//! Names beside ids in staff views: the people a page mentions, loaded in one statement per kind
//! of person for the whole page (never one per row). The ids come from rows the caller already
//! may see; the practice filter is a second fence.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;

use crate::db::schema::{clients as c, users as u};
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, PracticeId, UserId};

/// How a client is named to staff: the name they go by (preferred, else first) and the last name.
pub fn client_name(first: &str, last: &str, preferred: Option<&str>) -> String {
    let given = preferred.filter(|p| !p.is_empty()).unwrap_or(first);
    format!("{given} {last}")
}

/// Display names of users (staff, or a client's portal account) of the practice.
pub fn users(
    conn: &mut AnyConnection,
    practice: &PracticeId,
    ids: impl IntoIterator<Item = UserId>,
) -> QueryResult<HashMap<UserId, String>> {
    let ids: Vec<UserId> = ids.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(UserId, String)> = u::table
        .filter(u::practice_id.eq(practice.clone()))
        .filter(u::id.eq_any(ids))
        .select((u::id, u::display_name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Names of clients of the practice ([`client_name`]).
pub fn clients(
    conn: &mut AnyConnection,
    practice: &PracticeId,
    ids: impl IntoIterator<Item = ClientId>,
) -> QueryResult<HashMap<ClientId, String>> {
    let ids: Vec<ClientId> = ids.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(ClientId, String, String, Option<String>)> = c::table
        .filter(c::practice_id.eq(practice.clone()))
        .filter(c::id.eq_any(ids))
        .select((c::id, c::first_name, c::last_name, c::preferred_name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, first, last, preferred)| (id, client_name(&first, &last, preferred.as_deref())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::client_name;

    #[test]
    fn a_client_goes_by_the_preferred_name_when_there_is_one() {
        assert_eq!(client_name("Margaret", "Okafor", Some("Maggie")), "Maggie Okafor");
        assert_eq!(client_name("Margaret", "Okafor", None), "Margaret Okafor");
        assert_eq!(client_name("Margaret", "Okafor", Some("")), "Margaret Okafor");
    }
}
