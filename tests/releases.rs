//! Releases of records through the HTTP API: creation, authorization by exactly the clients
//! whose records they cover, disclosure of exactly the included records, the accounting, and
//! races between revoke and disclose.

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::trust::*;
use common::*;
use consent_helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn counselor_creates_reads_and_lists_releases_with_server_computed_authorizers() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let r =
        app.post("/api/v1/releases", c, release_body(&w.couple.id, json!(["sessions", "summaries"]))).await.expect(201);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let rel = r.json();
    let id = rel["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/releases/{id}")));
    assert_eq!(rel["status"], "pending");
    assert_eq!(rel["couple_id"], w.couple.id);
    assert_eq!(rel["client_id"], json!(null));
    assert_eq!(rel["recipient"], json!({"name": "Dr. Rivera", "organization": "Valley Clinic"}));
    assert_eq!(rel["include"], json!(["sessions", "summaries"]));
    assert_eq!(rel["include_mediation_notes"], false);
    assert_eq!(rel["expires_on"], "2100-01-01");
    assert_eq!(rel["required_ids"], json!(w.couple.partners));
    assert_eq!(rel["authorizations"], json!([]));
    assert!(audited_as(&app, &id, "create", "success", &w.counselor.id).await);
    let read = app.get(&format!("/api/v1/releases/{id}"), c).await.expect(200);
    assert_eq!(read.json(), rel);
    assert!(audited_as(&app, &id, "read", "success", &w.counselor.id).await);

    // A client's own release: that client alone authorizes.
    let solo = app.client(&w.p, Some(&w.counselor)).await;
    let mut body = release_body(&w.couple.id, json!(["sessions"]));
    body.as_object_mut().unwrap().remove("couple_id");
    body["client_id"] = json!(solo);
    let own = release(&app, &w, body).await;
    assert_eq!(own["required_ids"], json!([solo]));

    let list = app.get(&format!("/api/v1/couples/{}/releases", w.couple.id), c).await.expect(200).json();
    assert_eq!(ids(&list), vec![id.clone()]);
    let list = app.get(&format!("/api/v1/clients/{solo}/releases"), c).await.expect(200).json();
    assert_eq!(ids(&list), vec![own["id"].as_str().unwrap().to_string()]);
    // A partner's listing shows the couple's releases they must authorize.
    let list = app.get(&format!("/api/v1/clients/{}/releases", w.couple.partners[0]), c).await.expect(200).json();
    assert_eq!(ids(&list), vec![id.clone()]);
    // Paging.
    release(&app, &w, release_body(&w.couple.id, json!([]))).await;
    let first = app.get(&format!("/api/v1/couples/{}/releases?limit=1", w.couple.id), c).await.expect(200).json();
    assert_eq!(ids(&first), vec![id.clone()]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("/api/v1/couples/{}/releases?limit=1&cursor={cursor}", w.couple.id), c)
        .await
        .expect(200)
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], json!(null));
}

#[tokio::test]
async fn bad_release_input_is_422_or_400() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let base = release_body(&w.couple.id, json!(["sessions"]));
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let field = |r: Resp| r.problem(422)["errors"][0]["field"].as_str().unwrap().to_string();
    assert_eq!(
        field(app.post("/api/v1/releases", c, with("client_id", json!(w.couple.partners[0]))).await),
        "couple_id"
    );
    let mut neither = base.clone();
    neither.as_object_mut().unwrap().remove("couple_id");
    assert_eq!(field(app.post("/api/v1/releases", c, neither).await), "couple_id");
    assert_eq!(field(app.post("/api/v1/releases", c, with("expires_on", json!("2020-01-01"))).await), "expires_on");
    assert_eq!(field(app.post("/api/v1/releases", c, with("expires_on", json!("2100-02-30"))).await), "expires_on");
    assert_eq!(field(app.post("/api/v1/releases", c, with("purpose", json!(" "))).await), "purpose");
    assert_eq!(
        field(app.post("/api/v1/releases", c, with("include", json!(["sessions", "sessions"]))).await),
        "include"
    );
    assert_eq!(field(app.post("/api/v1/releases", c, with("recipient", json!({"name": ""}))).await), "recipient.name");
    let mut window = with("from", json!("2026-05-01"));
    window["to"] = json!("2026-04-01");
    assert_eq!(field(app.post("/api/v1/releases", c, window).await), "to");
    app.post("/api/v1/releases", c, with("include", json!(["notes"]))).await.problem(400);
    app.post("/api/v1/releases", c, with("required_ids", json!([w.couple.partners[0]]))).await.problem(400);
    app.post("/api/v1/releases", c, with("recipient", json!({"name": "x", "email": "x"}))).await.problem(400);
    // A client the counselor sees only through the couple is not theirs to release alone.
    let mut indiv = base.clone();
    indiv.as_object_mut().unwrap().remove("couple_id");
    indiv["client_id"] = json!(w.couple.partners[0]);
    app.post("/api/v1/releases", c, indiv).await.problem(404);
    assert!(denials(&app, &w.couple.partners[0], &w.counselor.id).await >= 1);
    // Nothing was written.
    let list = app.get(&format!("/api/v1/couples/{}/releases", w.couple.id), c).await.expect(200).json();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn every_audience_on_every_release_path() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let body = release_body(&w.couple.id, json!(["sessions"]));
    assert_staff_only(&app, &w, Method::POST, "/api/v1/releases", Some(body.clone()), &w.couple.id).await;
    let rel = release(&app, &w, body).await;
    let id = rel["id"].as_str().unwrap().to_string();
    let [pa, _] = w.couple.partners.clone();
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/releases/{id}"), None, &id).await;
    assert_staff_only(&app, &w, Method::POST, &format!("/api/v1/releases/{id}/disclose"), None, &id).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/couples/{}/releases", w.couple.id), None, &w.couple.id)
        .await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/clients/{pa}/releases"), None, &pa).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/clients/{pa}/disclosures"), None, &pa).await;

    // Portal paths: staff 403, a client of another couple 404 with a denial, no token 401.
    for action in ["authorize", "revoke"] {
        let path = format!("/api/v1/portal/releases/{id}/{action}");
        let body = json!({"signed_name": "X"});
        let body = (action == "authorize").then_some(body);
        for u in w.staff() {
            call(&app, Method::POST, &path, Some(u), body.as_ref()).await.problem(403);
        }
        let before = denials(&app, &id, &w.outsider.id).await;
        call(&app, Method::POST, &path, Some(&w.outsider), body.as_ref()).await.problem(404);
        assert_eq!(denials(&app, &id, &w.outsider.id).await, before + 1);
        call(&app, Method::POST, &path, None, body.as_ref()).await.problem(401);
    }
    for u in w.staff() {
        app.get("/api/v1/portal/releases", Some(u)).await.problem(403);
    }
    app.get("/api/v1/portal/releases", None).await.problem(401);
    let theirs = app.get("/api/v1/portal/releases", Some(&w.outsider)).await.expect(200).json();
    assert_eq!(theirs["items"], json!([]));
    let mine = app.get("/api/v1/portal/releases", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&mine), vec![id.clone()]);
    let r = app.get(&format!("/api/v1/releases/{id}"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(r["status"], "pending");
    assert_eq!(r["authorizations"], json!([]));
}

#[tokio::test]
async fn a_couples_release_needs_both_partners_and_no_one_authorizes_for_another() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let rel = release(&app, &w, release_body(&w.couple.id, json!(["boundaries"]))).await;
    let id = rel["id"].as_str().unwrap().to_string();
    let a_id = w.a.client_id.clone().unwrap();
    let b_id = w.b.client_id.clone().unwrap();

    // A authorizes: still pending; only A's authorization, in A's name.
    let v = authorize(&app, &w.a, &id).await.expect(200).json();
    assert_eq!(v["status"], "pending");
    assert_eq!(v["authorizations"].as_array().unwrap().len(), 1);
    assert_eq!(v["authorizations"][0]["client_id"], a_id);
    assert!(v["my_authorized_at"].is_string());
    assert!(audited_as(&app, &id, "authorize", "success", &w.a.id).await);
    // A again changes nothing; A cannot name B.
    let again = authorize(&app, &w.a, &id).await.expect(200).json();
    assert_eq!(again["authorizations"], v["authorizations"]);
    app.post(
        &format!("/api/v1/portal/releases/{id}/authorize"),
        Some(&w.a),
        json!({"signed_name": "B", "client_id": b_id}),
    )
    .await
    .problem(400);
    let staff_view = app.get(&format!("/api/v1/releases/{id}"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(staff_view["status"], "pending");
    app.post(&format!("/api/v1/releases/{id}/disclose"), Some(&w.counselor), json!({})).await.problem(409);

    // B's individual release: A (B's partner) cannot see or authorize it.
    assign_client(&app, &w.p.id, &b_id, &w.counselor.id).await;
    let mut body = release_body(&w.couple.id, json!(["sessions"]));
    body.as_object_mut().unwrap().remove("couple_id");
    body["client_id"] = json!(b_id);
    let b_own = release(&app, &w, body).await;
    let b_own_id = b_own["id"].as_str().unwrap().to_string();
    assert_eq!(b_own["required_ids"], json!([b_id]));
    authorize(&app, &w.a, &b_own_id).await.problem(404);
    assert!(denials(&app, &b_own_id, &w.a.id).await >= 1);
    let a_list = app.get("/api/v1/portal/releases", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&a_list), vec![id.clone()]);
    authorize(&app, &w.outsider, &id).await.problem(404);

    // B authorizes: authorized.
    let v = authorize(&app, &w.b, &id).await.expect(200).json();
    assert_eq!(v["status"], "authorized");
    let staff_view = app.get(&format!("/api/v1/releases/{id}"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(staff_view["status"], "authorized");
    assert_eq!(staff_view["authorizations"].as_array().unwrap().len(), 2);
    assert_eq!(staff_view["version"], 3);
    // B's own release, by B alone.
    let v = authorize(&app, &w.b, &b_own_id).await.expect(200).json();
    assert_eq!(v["status"], "authorized");
}

/// Markers in every kind of record of the couple and of partner A's individual work.
struct Records {
    couple_session_in: String,
    a_id: String,
}

async fn records(app: &TestApp, w: &World) -> Records {
    let a_id = w.a.client_id.clone().unwrap();
    let partners = w.couple.partners.to_vec();
    let s = |couple: Option<String>, client: Option<String>, at_: &str, summary: &str, shared: bool| {
        let (couple, client, attendees) = (couple, client, partners.clone());
        let at_ = at_.to_string();
        let summary = summary.to_string();
        let pid = w.p.id.clone();
        let cid = w.counselor.id.clone();
        async move {
            let attendees = if client.is_some() { vec![client.clone().unwrap()] } else { attendees };
            insert_session(
                app,
                NewSession {
                    practice_id: &pid,
                    couple_id: couple.as_deref(),
                    client_id: client.as_deref(),
                    counselor_id: &cid,
                    attendees,
                    starts_at: at(&at_),
                    status: "completed",
                    summary: Some(&summary),
                    shared,
                },
            )
            .await
        }
    };
    let k = Some(w.couple.id.clone());
    let shared = s(k.clone(), None, "2026-03-10T15:00:00", "MARK-SHARED", true).await;
    let unshared = s(k.clone(), None, "2026-03-17T15:00:00", "MARK-UNSHARED", false).await;
    s(k.clone(), None, "2025-01-10T15:00:00", "MARK-OUTSIDE", true).await;
    let individual = s(None, Some(a_id.clone()), "2026-03-12T15:00:00", "MARK-INDIVIDUAL", true).await;
    let (p, c) = (w.p.id.clone(), w.counselor.id.clone());
    insert_signed_note(app, &p, &shared, Some(&w.couple.id), None, &c, "MARK-NOTE").await;
    insert_note(app, &p, &unshared, &w.couple.id, &c, "MARK-DRAFT-NOTE").await;
    insert_signed_note(app, &p, &individual, None, Some(&a_id), &c, "MARK-IND-NOTE").await;
    boundary(app, w, &w.couple, "MARK-BOUNDARY").await;
    milestone(app, w, &w.couple, json!({"title": "MARK-MILESTONE", "phase": "acknowledge"})).await;
    // What the partners were never shown never leaves the practice: a milestone hidden from
    // them, and a session that has not taken place yet (in the window, still scheduled).
    let hidden = json!({"title": "MARK-HIDDEN-MILESTONE", "phase": "acknowledge", "visible_to_clients": false});
    milestone(app, w, &w.couple, hidden).await;
    insert_session(
        app,
        NewSession {
            practice_id: &w.p.id,
            couple_id: Some(&w.couple.id),
            client_id: None,
            counselor_id: &w.counselor.id,
            attendees: partners.clone(),
            starts_at: at("2026-12-30T15:00:00"),
            status: "scheduled",
            summary: None,
            shared: false,
        },
    )
    .await;
    assign_client(app, &p, &a_id, &c).await;
    Records { couple_session_in: shared, a_id }
}

const ALL: &[&str] = &[
    "MARK-SHARED",
    "MARK-UNSHARED",
    "MARK-OUTSIDE",
    "MARK-INDIVIDUAL",
    "MARK-NOTE",
    "MARK-DRAFT-NOTE",
    "MARK-IND-NOTE",
    "MARK-BOUNDARY",
    "MARK-MILESTONE",
    "MARK-HIDDEN-MILESTONE",
];

#[track_caller]
fn holds_exactly(text: &str, expected: &[&str]) {
    for m in ALL {
        // MARK-NOTE is a prefix of nothing else; MARK-IND-NOTE and MARK-DRAFT-NOTE contain "NOTE" only.
        let found = text.contains(&format!("\"{m}\""));
        assert_eq!(found, expected.contains(m), "{m} in the disclosed document: {text}");
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v["records"].as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn the_disclosed_document_holds_the_included_records_and_nothing_else() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let recs = records(&app, &w).await;
    let c = Some(&w.counselor);
    let windowed = |include: Value, notes: bool| {
        let mut b = release_body(&w.couple.id, include);
        b["from"] = json!("2026-01-01");
        b["to"] = json!("2026-12-31");
        b["include_mediation_notes"] = json!(notes);
        b
    };

    // Sessions and summaries of the couple, in the window: only the shared summary.
    let id = authorized_release(&app, &w, windowed(json!(["sessions", "summaries"]), false)).await;
    let r = app.post(&format!("/api/v1/releases/{id}/disclose"), c, json!({})).await.expect(200);
    let doc = r.json();
    assert_eq!(keys(&doc), vec!["sessions", "summaries"]);
    holds_exactly(&r.text, &["MARK-SHARED"]);
    let sessions = doc["records"]["sessions"].as_array().unwrap();
    assert_eq!(
        sessions.len(),
        2,
        "the couple's two completed sessions in the window: not A's individual one, not the scheduled one"
    );
    assert!(sessions.iter().all(|s| s["couple_id"] == json!(w.couple.id)));
    assert_eq!(doc["records"]["summaries"][0]["session_id"], recs.couple_session_in);
    assert_eq!(doc["release"]["status"], "disclosed");
    assert!(doc["release"]["disclosed_at"].is_string());
    // Audited `disclose` for the release and once for each partner whose records it carried.
    assert_eq!(disclose_events(&app, &id).await, 1);
    for p in &w.couple.partners {
        assert_eq!(disclose_events(&app, p).await, 1);
    }

    // The plan, the boundaries, the kinds other areas fill in, and mediation notes (signed only).
    let id2 = authorized_release(
        &app,
        &w,
        windowed(json!(["boundaries", "milestones", "letters", "activities", "assessments"]), true),
    )
    .await;
    let r = app.post(&format!("/api/v1/releases/{id2}/disclose"), c, json!({})).await.expect(200);
    let doc = r.json();
    assert_eq!(keys(&doc), vec!["activities", "assessments", "boundaries", "letters", "mediation_notes", "milestones"]);
    holds_exactly(&r.text, &["MARK-NOTE", "MARK-BOUNDARY", "MARK-MILESTONE"]);
    assert_eq!(doc["records"]["letters"], json!([]));

    // Without a window: the session outside it too; still no individual session or unshared summary.
    let id3 = authorized_release(&app, &w, release_body(&w.couple.id, json!(["summaries"]))).await;
    let r = app.post(&format!("/api/v1/releases/{id3}/disclose"), c, json!({})).await.expect(200);
    holds_exactly(&r.text, &["MARK-SHARED", "MARK-OUTSIDE"]);

    // A's individual release: A's own session, summary and note, nothing of the couple's.
    let mut body = release_body(&w.couple.id, json!(["sessions", "summaries", "boundaries"]));
    body.as_object_mut().unwrap().remove("couple_id");
    body["client_id"] = json!(recs.a_id);
    body["include_mediation_notes"] = json!(true);
    let own = release(&app, &w, body).await;
    let own_id = own["id"].as_str().unwrap().to_string();
    authorize(&app, &w.a, &own_id).await.expect(200);
    let r = app.post(&format!("/api/v1/releases/{own_id}/disclose"), c, json!({})).await.expect(200);
    holds_exactly(&r.text, &["MARK-INDIVIDUAL", "MARK-IND-NOTE"]);
    assert_eq!(r.json()["records"]["boundaries"], json!([]));
    assert_eq!(r.json()["records"]["sessions"].as_array().unwrap().len(), 1);

    // The accounting: every disclosure for each client, oldest first.
    let a = app.get(&format!("/api/v1/clients/{}/disclosures", recs.a_id), c).await.expect(200).json();
    let released: Vec<&str> =
        a["items"].as_array().unwrap().iter().map(|i| i["release_id"].as_str().unwrap()).collect();
    assert_eq!(released, vec![id.as_str(), id2.as_str(), id3.as_str(), own_id.as_str()]);
    let first = &a["items"][0];
    assert_eq!(first["recipient"], json!({"name": "Dr. Rivera", "organization": "Valley Clinic"}));
    assert_eq!(first["purpose"], "Continuity of care");
    assert_eq!(first["include"], json!(["sessions", "summaries"]));
    assert!(first["disclosed_at"].is_string());
    assert!(audited_as(&app, &recs.a_id, "list", "success", &w.counselor.id).await);
    let b = app.get(&format!("/api/v1/clients/{}/disclosures", w.couple.partners[1]), c).await.expect(200).json();
    assert_eq!(b["items"].as_array().unwrap().len(), 3);
    // Disclosing again: 409, nothing more in the accounting.
    app.post(&format!("/api/v1/releases/{id}/disclose"), c, json!({})).await.problem(409);
    assert_eq!(disclosures_of(&app, &id).await, 1);
    assert_eq!(disclose_events(&app, &id).await, 1);
}

#[tokio::test]
async fn pending_revoked_and_expired_releases_cannot_be_disclosed() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let disclose = |id: &str| format!("/api/v1/releases/{id}/disclose");

    let pending = release(&app, &w, release_body(&w.couple.id, json!(["sessions"]))).await;
    let pending = pending["id"].as_str().unwrap().to_string();
    app.post(&disclose(&pending), c, json!({})).await.problem(409);

    let revoked = authorized_release(&app, &w, release_body(&w.couple.id, json!(["sessions"]))).await;
    let v =
        app.post(&format!("/api/v1/portal/releases/{revoked}/revoke"), Some(&w.b), json!({})).await.expect(200).json();
    assert_eq!(v["status"], "revoked");
    assert!(audited_as(&app, &revoked, "revoke", "success", &w.b.id).await);
    app.post(&disclose(&revoked), c, json!({})).await.problem(409);
    // Revoked is final.
    authorize(&app, &w.a, &revoked).await.problem(409);
    app.post(&format!("/api/v1/portal/releases/{revoked}/revoke"), Some(&w.a), json!({})).await.problem(409);

    let expired = authorized_release(&app, &w, release_body(&w.couple.id, json!(["sessions"]))).await;
    expire(&app, &expired).await;
    let v = app.get(&format!("/api/v1/releases/{expired}"), c).await.expect(200).json();
    assert_eq!(v["status"], "expired");
    app.post(&disclose(&expired), c, json!({})).await.problem(409);
    // A pending release that expires cannot be authorized any more.
    let late = release(&app, &w, release_body(&w.couple.id, json!(["sessions"]))).await;
    let late = late["id"].as_str().unwrap().to_string();
    authorize(&app, &w.a, &late).await.expect(200);
    expire(&app, &late).await;
    authorize(&app, &w.b, &late).await.problem(409);
    let v = app.get("/api/v1/portal/releases", Some(&w.b)).await.expect(200).json();
    let late_view = v["items"].as_array().unwrap().iter().find(|i| i["id"] == json!(late)).unwrap().clone();
    assert_eq!(late_view["status"], "expired");
    assert_eq!(late_view["authorizations"].as_array().unwrap().len(), 1);

    for id in [&pending, &revoked, &expired, &late] {
        assert_eq!(disclosures_of(&app, id).await, 0);
        assert_eq!(disclose_events(&app, id).await, 0);
    }
    for p in &w.couple.partners {
        let list = app.get(&format!("/api/v1/clients/{p}/disclosures"), c).await.expect(200).json();
        assert_eq!(list["items"], json!([]));
        assert_eq!(disclose_events(&app, p).await, 0);
    }
}

#[tokio::test]
async fn a_revoke_racing_a_disclose_has_exactly_one_outcome() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let (mut disclosed, mut revoked) = (0, 0);
    for _ in 0..6 {
        let id = authorized_release(&app, &w, release_body(&w.couple.id, json!(["sessions", "boundaries"]))).await;
        let (dp, rp) = (format!("/api/v1/releases/{id}/disclose"), format!("/api/v1/portal/releases/{id}/revoke"));
        let disclose = app.post(&dp, Some(&w.counselor), json!({}));
        let revoke = app.post(&rp, Some(&w.a), json!({}));
        let (d, r) = tokio::join!(disclose, revoke);
        let status = app.get(&format!("/api/v1/releases/{id}"), Some(&w.counselor)).await.expect(200).json();
        match (d.status, r.status) {
            (200, 409) => {
                disclosed += 1;
                assert_eq!(status["status"], "disclosed");
                assert_eq!(disclosures_of(&app, &id).await, 1);
                assert_eq!(disclose_events(&app, &id).await, 1);
            }
            (409, 200) => {
                revoked += 1;
                assert_eq!(status["status"], "revoked");
                assert_eq!(status["disclosed_at"], json!(null));
                assert_eq!(disclosures_of(&app, &id).await, 0);
                assert_eq!(disclose_events(&app, &id).await, 0);
            }
            other => panic!("both or neither won: {other:?}: {} / {}", d.text, r.text),
        }
    }
    assert_eq!(disclosed + revoked, 6);
    let a = app.get(&format!("/api/v1/clients/{}/disclosures", w.couple.partners[0]), Some(&w.counselor)).await;
    assert_eq!(a.expect(200).json()["items"].as_array().unwrap().len(), disclosed);
}

/// What the areas of part two add to a couple's release: released letters (never a draft, a
/// submitted or returned one, a revision or a counselor's comment), activities with only the
/// reflections shared with the partner, and completed assessments (never a pending one).
#[tokio::test]
async fn a_release_carries_released_letters_shared_reflections_and_completed_assessments_only() {
    use common::between::{activity, id_of, letter, portal_log, release as release_letter, send_back, submit};
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    letter(&app, &w.a, &w.couple, "MARK-L-DRAFT", "MARK-L-DRAFT").await;
    let submitted = id_of(&letter(&app, &w.a, &w.couple, "MARK-L-SUBMITTED", "MARK-L-SUBMITTED").await);
    submit(&app, &w.a, &submitted).await;
    let released = id_of(&letter(&app, &w.a, &w.couple, "MARK-L-RELEASED", "MARK-L-FIRST").await);
    submit(&app, &w.a, &released).await;
    send_back(&app, &w.counselor, &released, "MARK-L-COMMENT").await;
    app.patch(&format!("/api/v1/portal/letters/{released}"), Some(&w.a), json!({"body": "MARK-L-RELEASED"}))
        .await
        .expect(200);
    submit(&app, &w.a, &released).await;
    release_letter(&app, &w.counselor, &released).await;

    let act = id_of(&activity(&app, &w, &w.couple, json!({"title": "MARK-A-TITLE"})).await);
    let log = |done_on: String, reflection: &str, share: bool| json!({"done_on": done_on, "completed": true, "reflection": reflection, "share_with_partner": share});
    portal_log(&app, &w.a, &act, log(common::between::day(-1), "MARK-A-SHARED", true)).await.expect(201);
    portal_log(&app, &w.b, &act, log(common::between::day(-1), "MARK-A-PRIVATE", false)).await.expect(201);

    let made = app
        .post(&format!("/api/v1/couples/{}/assessments", w.couple.id), c, json!({"instrument": "csi-4"}))
        .await
        .expect(201)
        .json();
    let (done, pending) = (id_of(&made["items"][0]), id_of(&made["items"][1]));
    app.post(
        &format!("/api/v1/assessments/{done}/responses"),
        c,
        json!({"answers": {"q1": 6, "q2": 5, "q3": 5, "q4": 5}}),
    )
    .await
    .expect(200);

    let id =
        authorized_release(&app, &w, release_body(&w.couple.id, json!(["letters", "activities", "assessments"]))).await;
    let r = app.post(&format!("/api/v1/releases/{id}/disclose"), c, json!({})).await.expect(200);
    let text = r.text.clone();
    for present in ["MARK-L-RELEASED", "MARK-A-TITLE", "MARK-A-SHARED"] {
        assert!(text.contains(present), "{present} missing from {text}");
    }
    for absent in ["MARK-L-DRAFT", "MARK-L-SUBMITTED", "MARK-L-FIRST", "MARK-L-COMMENT", "MARK-A-PRIVATE"] {
        assert!(!text.contains(absent), "{absent} leaked into {text}");
    }
    let doc = r.json();
    let letters = doc["records"]["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["id"], json!(released));
    let logs = doc["records"]["activities"][0]["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2, "both partners' logs, the private one without its reflection");
    let assessments: Vec<&str> =
        doc["records"]["assessments"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(assessments, vec![done.as_str()]);
    assert!(!text.contains(&pending));
}
