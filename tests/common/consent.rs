//! Helpers for the consent and release tests. Included with
//! `#[path = "common/consent.rs"] mod consent_helpers;` (no line in common/mod.rs).
#![allow(dead_code)]

use diesel::prelude::*;
use mend::db::new_id;
use mend::db::schema::notes;
use serde_json::{json, Value};

use crate::common::trust::World;
use crate::common::*;

pub fn policy_path(couple_id: &str) -> String {
    format!("/api/v1/couples/{couple_id}/confidentiality-policy")
}

/// A release body for a couple (or with `client_id` instead), expiring in 2100.
pub fn release_body(couple_id: &str, include: Value) -> Value {
    json!({"couple_id": couple_id, "recipient": {"name": "Dr. Rivera", "organization": "Valley Clinic"},
           "purpose": "Continuity of care", "include": include, "expires_on": "2100-01-01"})
}

/// A release made through the API by the assigned counselor.
pub async fn release(app: &TestApp, w: &World, body: Value) -> Value {
    app.post("/api/v1/releases", Some(&w.counselor), body).await.expect(201).json()
}

pub async fn authorize(app: &TestApp, user: &User, release_id: &str) -> Resp {
    app.post(
        &format!("/api/v1/portal/releases/{release_id}/authorize"),
        Some(user),
        json!({"signed_name": "Alex Client"}),
    )
    .await
}

/// A couple release both partners have authorized.
pub async fn authorized_release(app: &TestApp, w: &World, body: Value) -> String {
    let r = release(app, w, body).await;
    let id = r["id"].as_str().expect("id").to_string();
    authorize(app, &w.a, &id).await.expect(200);
    let done = authorize(app, &w.b, &id).await.expect(200).json();
    assert_eq!(done["status"], "authorized");
    id
}

/// Inserts a signed mediation note on a session (couple or individual), straight into the
/// database.
pub async fn insert_signed_note(
    app: &TestApp,
    practice_id: &str,
    session_id: &str,
    couple_id: Option<&str>,
    client_id: Option<&str>,
    author_id: &str,
    body: &str,
) {
    let (id, pid, sid, kid, cid, aid, text) = (
        new_id(),
        practice_id.to_string(),
        session_id.to_string(),
        couple_id.map(String::from),
        client_id.map(String::from),
        author_id.to_string(),
        body.to_string(),
    );
    app.sql(move |c| {
        let now = mend::db::now();
        diesel::insert_into(notes::table)
            .values((
                notes::id.eq(id),
                notes::practice_id.eq(pid),
                notes::session_id.eq(sid),
                notes::couple_id.eq(kid),
                notes::client_id.eq(cid),
                notes::author_id.eq(aid.clone()),
                notes::body.eq(text),
                notes::topics.eq("[]"),
                notes::agreements.eq("[]"),
                notes::status.eq("signed"),
                notes::signed_at.eq(Some(now)),
                notes::signed_by.eq(Some(aid)),
                notes::version.eq(2i64),
                notes::created_at.eq(now),
                notes::updated_at.eq(now),
            ))
            .execute(c)
            .expect("note");
    })
    .await;
}

/// Assigns the counselor to the client directly (individual work).
pub async fn assign_client(app: &TestApp, practice_id: &str, client_id: &str, counselor_id: &str) {
    let (p, c, k) = (practice_id.to_string(), client_id.to_string(), counselor_id.to_string());
    use mend::domain::ids::{ClientId, PracticeId, UserId};
    let (p, c, k) = (PracticeId::from_db(p), ClientId::from_db(c), UserId::from_db(k));
    app.sql(move |conn| mend::store::clients::assign(conn, &p, &c, &k).expect("assign")).await;
}

/// Rows of the accounting for one release (straight from the database).
pub async fn disclosures_of(app: &TestApp, release_id: &str) -> i64 {
    use mend::db::schema::disclosures as d;
    let id = release_id.to_string();
    app.sql(move |c| d::table.filter(d::release_id.eq(id)).count().get_result::<i64>(c).expect("count")).await
}

/// Moves a release's expiry into the past, as time would.
pub async fn expire(app: &TestApp, release_id: &str) {
    use mend::db::schema::releases as r;
    let id = release_id.to_string();
    app.sql(move |c| {
        diesel::update(r::table.filter(r::id.eq(id))).set(r::expires_on.eq("2020-01-01")).execute(c).expect("expire")
    })
    .await;
}

/// `disclose` events (success) on `resource_id`.
pub async fn disclose_events(app: &TestApp, resource_id: &str) -> usize {
    app.audit_rows(resource_id).await.iter().filter(|(a, o, _)| a == "disclose" && o == "success").count()
}
