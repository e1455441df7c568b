//! Who an audit event is about: the subjects of each sealed event (the clients whose records it
//! touched), resolved when it is sealed, and the access report read from them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{audit_events as a, audit_subjects as s};
use crate::db::AnyConnection;

/// The subjects of each of `event_ids`.
pub fn subjects_of(conn: &mut AnyConnection, event_ids: &[String]) -> QueryResult<HashMap<String, Vec<String>>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for ids in event_ids.chunks(500) {
        let rows: Vec<(String, String)> =
            s::table.filter(s::event_id.eq_any(ids)).select((s::event_id, s::client_id)).load(conn)?;
        for (event, client) in rows {
            map.entry(event).or_default().push(client);
        }
    }
    Ok(map)
}

#[derive(QueryableByName)]
struct Subject {
    #[diesel(sql_type = Text)]
    resource_id: String,
    #[diesel(sql_type = Text)]
    practice_id: String,
    #[diesel(sql_type = Text)]
    client_id: String,
}

/// The clients whose records each resource id is about, resolved from what the id names, one
/// rule per kind of record (ids are UUIDs, unique across tables, so the id alone finds its
/// record; a list's event names its parent, a couple or a session, and resolves the same way):
/// a client is its own subject; a couple, its partners; a session, its attendees; a note, its
/// session's attendees; a boundary, a check-in, a milestone, a confidentiality policy (named by
/// its couple), their couple's partners; a letter, its author until released, then both
/// partners (a submitted letter is the author's and the counselors', never the other
/// partner's); an activity, its assignee, or both partners when it is for both; a log or an
/// assessment, its client; a release, the client or the couple's partners; a disclosure, the
/// clients it carried. Answers `(resource id, practice id, client id)`: the caller keeps only
/// the clients of the event's own practice.
const SUBJECTS: &str = "
SELECT c.id AS resource_id, c.practice_id, c.id AS client_id FROM clients c WHERE c.id IN (SELECT id FROM r)
UNION ALL SELECT p.couple_id, p.practice_id, p.client_id FROM couple_partners p WHERE p.couple_id IN (SELECT id FROM r)
UNION ALL SELECT t.session_id, t.practice_id, t.client_id FROM session_attendees t
    WHERE t.session_id IN (SELECT id FROM r)
UNION ALL SELECT n.id, n.practice_id, t.client_id FROM notes n JOIN session_attendees t ON t.session_id = n.session_id
    WHERE n.id IN (SELECT id FROM r)
UNION ALL SELECT b.id, b.practice_id, p.client_id FROM boundaries b JOIN couple_partners p ON p.couple_id = b.couple_id
    WHERE b.id IN (SELECT id FROM r)
UNION ALL SELECT i.id, i.practice_id, p.client_id FROM boundary_check_ins i JOIN boundaries b ON b.id = i.boundary_id
    JOIN couple_partners p ON p.couple_id = b.couple_id WHERE i.id IN (SELECT id FROM r)
UNION ALL SELECT m.id, m.practice_id, p.client_id FROM milestones m JOIN couple_partners p ON p.couple_id = m.couple_id
    WHERE m.id IN (SELECT id FROM r)
UNION ALL SELECT e.id, e.practice_id, p.client_id FROM letters e JOIN couple_partners p ON p.couple_id = e.couple_id
    WHERE e.id IN (SELECT id FROM r) AND e.status = 'released'
UNION ALL SELECT e.id, e.practice_id, e.author_id FROM letters e WHERE e.id IN (SELECT id FROM r) AND e.status <> 'released'
UNION ALL SELECT v.id, v.practice_id, v.assignee_id FROM activities v
    WHERE v.id IN (SELECT id FROM r) AND v.assignee_id IS NOT NULL
UNION ALL SELECT v.id, v.practice_id, p.client_id FROM activities v JOIN couple_partners p ON p.couple_id = v.couple_id
    WHERE v.id IN (SELECT id FROM r) AND v.assignee_id IS NULL
UNION ALL SELECT g.id, g.practice_id, g.client_id FROM activity_logs g WHERE g.id IN (SELECT id FROM r)
UNION ALL SELECT q.id, q.practice_id, q.client_id FROM assessments q WHERE q.id IN (SELECT id FROM r)
UNION ALL SELECT x.id, x.practice_id, x.client_id FROM releases x WHERE x.id IN (SELECT id FROM r) AND x.client_id IS NOT NULL
UNION ALL SELECT x.id, x.practice_id, p.client_id FROM releases x JOIN couple_partners p ON p.couple_id = x.couple_id
    WHERE x.id IN (SELECT id FROM r)
UNION ALL SELECT d.id, d.practice_id, j.client_id FROM disclosures d JOIN disclosure_subjects j ON j.disclosure_id = d.id
    WHERE d.id IN (SELECT id FROM r)";

/// The subjects of each resource id of `ids` within `practice` (see [`SUBJECTS`]): resource id
/// -> practice id -> client ids, sorted and without repeats.
pub fn resolve_subjects(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, HashMap<String, Vec<String>>>> {
    let mut map: HashMap<String, HashMap<String, Vec<String>>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let json = serde_json::to_string(chunk).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        let with = match conn {
            AnyConnection::Postgresql(_) => "WITH r(id) AS (SELECT json_array_elements_text(CAST($1 AS json)))",
            AnyConnection::Sqlite(_) => "WITH r(id) AS (SELECT value FROM json_each(?))",
        };
        let rows: Vec<Subject> = diesel::sql_query(format!("{with} {SUBJECTS}")).bind::<Text, _>(json).load(conn)?;
        for row in rows {
            map.entry(row.resource_id).or_default().entry(row.practice_id).or_default().push(row.client_id);
        }
    }
    for by_practice in map.values_mut() {
        for clients in by_practice.values_mut() {
            clients.sort();
            clients.dedup();
        }
    }
    Ok(map)
}

/// One line of an access report: a sealed event whose subjects include the client, with the
/// actor's display name.
#[derive(Queryable, Debug, Clone)]
pub struct ReportRow {
    pub event_id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_role: Option<crate::domain::Role>,
    pub action: crate::domain::audit::Action,
    pub resource_type: crate::domain::ResourceKind,
    pub resource_id: Option<String>,
    pub outcome: crate::domain::audit::Outcome,
}

/// The window and page of a report.
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Keyset: strictly before this `(at, event id)`.
    pub before: Option<(NaiveDateTime, String)>,
    pub limit: i64,
}

/// Every sealed event of `practice_id` whose subjects include `client_id`, newest first (the
/// report index: `audit_subjects (client_id, at, event_id)`).
pub fn access_report(
    conn: &mut AnyConnection,
    practice_id: &str,
    client_id: &str,
    q: &ReportQuery,
) -> QueryResult<Vec<ReportRow>> {
    use crate::db::schema::users as u;
    let mut query = s::table
        .inner_join(a::table)
        .left_join(u::table.on(u::id.nullable().eq(a::actor_id)))
        .filter(s::client_id.eq(client_id))
        .filter(s::practice_id.eq(practice_id))
        .select((
            a::id,
            a::at,
            a::actor_id,
            u::display_name.nullable(),
            a::actor_role,
            a::action,
            a::resource_type,
            a::resource_id,
            a::outcome,
        ))
        .into_boxed();
    if let Some(from) = q.from {
        query = query.filter(s::at.ge(from));
    }
    if let Some(to) = q.to {
        query = query.filter(s::at.lt(to));
    }
    if let Some((at, id)) = &q.before {
        query = query.filter(s::at.lt(*at).or(s::at.eq(*at).and(s::event_id.lt(id.clone()))));
    }
    query.order((s::at.desc(), s::event_id.desc())).limit(q.limit).load(conn)
}
