//! No N+1: a page of sessions or notes costs the same number of queries whatever its size.
//!
//! Counts every query diesel starts (a global instrumentation, set before the app makes its
//! connections). One test function: tests in one binary run in parallel and would share the
//! counter.

mod common;
#[path = "common/sessions_helpers.rs"]
mod sessions_helpers;

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use serde_json::json;
use sessions_helpers::*;

static QUERIES: AtomicUsize = AtomicUsize::new(0);
/// The SQL of every statement diesel put into a connection's prepared-statement cache.
static CACHED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

struct Counter;

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                QUERIES.fetch_add(1, Ordering::SeqCst);
            }
            InstrumentationEvent::CacheQuery { sql, .. } => CACHED.lock().unwrap().push(sql.to_string()),
            _ => {}
        }
    }
}

/// Whether a statement whose SQL holds every one of `parts` was prepared and cached (a query
/// with SQL text in it, `diesel::dsl::sql`, is never cached: PostgreSQL would parse and plan it
/// on every request).
/// Identifiers in `parts` are quoted as PostgreSQL quotes them; SQLite's backticks are read as
/// double quotes.
fn cached(parts: &[&str]) -> bool {
    CACHED.lock().unwrap().iter().map(|sql| sql.replace('`', "\"")).any(|sql| parts.iter().all(|p| sql.contains(p)))
}

fn counter() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(Counter))
}

/// Queries one GET costs: the fewest of a few runs (after a warm-up), so a pool connection
/// opened in the background cannot inflate it.
async fn cost(w: &World, path: &str) -> usize {
    cost_as(w, path, &w.counselor).await
}

async fn cost_as(w: &World, path: &str, user: &common::User) -> usize {
    let mut best = usize::MAX;
    for _ in 0..4 {
        let before = QUERIES.load(Ordering::SeqCst);
        w.app.get(path, Some(user)).await.expect(200);
        best = best.min(QUERIES.load(Ordering::SeqCst) - before);
    }
    best
}

#[tokio::test]
async fn pages_cost_a_constant_number_of_queries() {
    diesel::connection::set_default_instrumentation(counter).expect("instrumentation");
    let w = World::new().await;
    let c = Some(&w.counselor);
    for n in 0..24 {
        w.session(n * 2).await;
    }
    // A session with 2 notes and one with 20, every note signed with two addenda.
    let few = id_of(&w.session(100).await);
    let many = id_of(&w.session(102).await);
    for (session, count) in [(&few, 2), (&many, 20)] {
        for i in 0..count {
            let id = id_of(&w.note(session, &format!("note {i}")).await);
            w.app.post(&format!("/api/v1/notes/{id}/sign"), c, json!({})).await.expect(200);
            for a in 0..2 {
                let body = json!({"body": format!("addendum {a}")});
                w.app.post(&format!("/api/v1/notes/{id}/addenda"), c, body).await.expect(201);
            }
        }
    }
    let page = w.app.get("/api/v1/sessions?limit=20", c).await.expect(200).json();
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    let notes = w.app.get(&format!("/api/v1/sessions/{many}/notes?limit=20"), c).await.expect(200).json();
    assert_eq!(notes["items"].as_array().unwrap().len(), 20);
    assert_eq!(notes["items"][19]["addenda"].as_array().unwrap().len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let sessions_2 = cost(&w, "/api/v1/sessions?limit=2").await;
    let sessions_20 = cost(&w, "/api/v1/sessions?limit=20").await;
    assert!(sessions_2 > 0, "the counter sees the app's queries");
    assert_eq!(sessions_2, sessions_20, "GET /sessions: limit=2 vs limit=20");

    let notes_2 = cost(&w, &format!("/api/v1/sessions/{few}/notes")).await;
    let notes_20 = cost(&w, &format!("/api/v1/sessions/{many}/notes")).await;
    assert_eq!(notes_2, notes_20, "GET /sessions/{{id}}/notes: 2 vs 20 notes with addenda");
    // And it is small: auth, transaction, scope check, page, batch, audit.
    assert!(notes_20 <= 10, "{notes_20} queries");

    // The hot reads are one statement each and a prepared one (cached by diesel).
    let client = &w.couple.partners[0];
    // A read is its statement plus its share of the audit batch (here the test's reads come one
    // at a time): one INSERT on PostgreSQL, BEGIN IMMEDIATE, INSERT, COMMIT on SQLite (its write
    // lock first). A page of sessions is three statements (the page, its attendees with their names,
    // its counselors' names).
    let batch = if w.app.config_url.starts_with("postgres") { 1 } else { 3 };
    let read = cost(&w, &format!("/api/v1/clients/{client}")).await;
    assert_eq!(read, 1 + batch, "GET /clients/{{id}}: one statement and the audit batch");
    // The audit batch is one statement text whatever the batch's size: one prepared statement.
    assert!(cached(&["INSERT INTO audit_events", "users u", "RETURNING"]), "the audit INSERT is not prepared");
    assert_eq!(cost(&w, "/api/v1/sessions?limit=20").await, read + 2, "GET /sessions: three statements");
    assert!(cached(&["client_counselors", "string_agg", "EXISTS"]), "GET /clients/{{id}} is not a prepared statement");
    let portal = w.app.get("/api/v1/portal/sessions", Some(&w.partner_a)).await.expect(200).json();
    assert!(!portal["items"].as_array().unwrap().is_empty());
    let page = ["\"sessions\".\"summary_shared_at\" FROM \"sessions\"", "FROM \"session_attendees\""];
    assert!(cached(&page), "the portal's session page is not a prepared statement");
    if w.app.config_url.starts_with("postgres") {
        // One `= ANY` bind whatever the page's size (SQLite's IN list has one bind per id, so
        // diesel does not cache it there, as for a session page's attendees).
        let names = ["SELECT \"users\".\"id\", \"users\".\"display_name\" FROM \"users\"", "= ANY"];
        assert!(cached(&names), "the portal page's counselor names are not a prepared statement");
    }
    // The worklist is one statement (every kind in one UNION ALL, names included) and the batch.
    assert_eq!(cost(&w, "/api/v1/worklist?limit=100").await, read, "GET /worklist: one statement");
    assert!(cached(&["UNION ALL", "mine_c", "couple_counselors"]), "the worklist is not a prepared statement");
    // A page of couples is one statement too: partners' names, counselors and session times
    // are correlated subselects of it.
    assert_eq!(cost(&w, "/api/v1/couples?limit=25").await, read, "GET /couples: one statement");
    assert!(cached(&["string_agg", "couple_partners", "LIMIT"]), "the couple page is not a prepared statement");
    // One couple is read by the page's statement, in the same scope: one statement as well.
    let couple = &w.couple.id;
    assert_eq!(cost(&w, &format!("/api/v1/couples/{couple}")).await, read, "GET /couples/{{id}}: one statement");
    // Like a session page: the page, then its counselors' names for the whole page.
    assert_eq!(cost_as(&w, "/api/v1/portal/sessions", &w.partner_a).await, read + 1, "GET /portal/sessions");
    eprintln!("queries: sessions {sessions_2}/{sessions_20}, notes {notes_2}/{notes_20}");
}
