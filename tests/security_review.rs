//! The outside security review's findings, one test each (named by the finding), on both
//! stores. Each failed on the code before the fix.

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::trust::World;
use common::*;
use consent_helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Denied events on `resource_id`.
async fn denials(app: &TestApp, resource_id: &str) -> usize {
    app.audit_rows(resource_id).await.iter().filter(|(_, outcome, _)| outcome == "denied").count()
}

/// The client's portal account through the API: invite, accept; the token pair of that login.
async fn portal_login(app: &TestApp, staff: &User, client_id: &str) -> Value {
    let invite = app.post(&format!("/api/v1/clients/{client_id}/portal-invite"), Some(staff), json!({})).await;
    let token = invite.expect(201).json()["invite_token"].as_str().expect("token").to_string();
    let body = json!({"token": token, "password": "the client's own passphrase"});
    app.post("/api/v1/auth/accept-invite", None, body).await.expect(200).json()
}

fn bearer(pair: &Value) -> String {
    pair["access_token"].as_str().expect("access token").to_string()
}

async fn get_with(app: &TestApp, path: &str, token: &str) -> Resp {
    app.req(Method::GET, path).bearer(token).send().await
}

// ---- finding 1 (high): staff cannot take over a client's portal account ----

#[tokio::test]
async fn finding_1_staff_cannot_take_over_a_portal_account_or_forge_consent() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let client = app.client(&w.p, Some(&w.counselor)).await;
    let first = portal_login(&app, &w.counselor, &client).await;
    let client_token = bearer(&first);
    get_with(&app, "/api/v1/portal/me", &client_token).await.expect(200);

    // A release of the client's own records, waiting for the client's authorization.
    let body = json!({"client_id": client, "recipient": {"name": "Dr. Rivera"}, "purpose": "Continuity of care",
                      "include": ["sessions"], "expires_on": "2100-01-01"});
    let release = app.post("/api/v1/releases", Some(&w.counselor), body).await.expect(201).json();
    let release_id = release["id"].as_str().expect("id").to_string();

    // Re-invite: the counselor and the admin get 409 portal-active, never a token.
    for staff in [&w.counselor, &w.p.admin] {
        let again = app.post(&format!("/api/v1/clients/{client}/portal-invite"), Some(staff), json!({})).await;
        assert!(!again.text.contains("invite_token"), "{}", again.text);
        let problem = again.problem(409);
        assert_eq!(problem["type"], "https://mend.dev/problems/portal-active");
    }
    // An invite made before the client set a password (still open in the database) cannot set it.
    let old_token = "an-invite-made-before-the-password-was-set";
    let (hash, cid, pid) = (mend::auth::tokens::hash_opaque(old_token), client.clone(), w.p.id.clone());
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::users as u;
        let uid: String = u::table.filter(u::client_id.eq(cid)).select(u::id).first(c).expect("portal user");
        mend::store::auth::replace_invite(c, &pid, &uid, &hash).expect("invite");
    })
    .await;
    let takeover = json!({"token": old_token, "password": "the counselor's chosen passphrase"});
    app.post("/api/v1/auth/accept-invite", None, takeover).await.problem(401);

    // Consent cannot be forged: staff cannot authorize as the client, so nothing is disclosed.
    let authorize_path = format!("/api/v1/portal/releases/{release_id}/authorize");
    app.post(&authorize_path, Some(&w.counselor), json!({"signed_name": "Alex Client"})).await.problem(403);
    app.post(&format!("/api/v1/releases/{release_id}/disclose"), Some(&w.counselor), json!({})).await.problem(409);
    assert_eq!(disclosures_of(&app, &release_id).await, 0);

    // The client's own login still works (password unchanged, refresh token alive).
    get_with(&app, "/api/v1/portal/me", &client_token).await.expect(200);
    let refresh = json!({"refresh_token": first["refresh_token"]});
    app.post("/api/v1/auth/refresh", None, refresh).await.expect(200);
}

// ---- finding 2 (medium): the accounting has the audience of releases ----

#[tokio::test]
async fn finding_2_disclosures_are_listed_only_to_who_may_read_the_release() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let a = w.couple.partners[0].clone();
    // A's individual work with another counselor, and a disclosed release of it.
    let individual = app.counselor(&w.p).await;
    assign_client(&app, &w.p.id, &a, &individual.id).await;
    let body = json!({"client_id": a, "recipient": {"name": "MARKER-RECIPIENT"}, "purpose": "MARKER-PURPOSE",
                      "include": ["sessions"], "expires_on": "2100-01-01"});
    let release = app.post("/api/v1/releases", Some(&individual), body).await.expect(201).json();
    let release_id = release["id"].as_str().expect("id").to_string();
    authorize(&app, &w.a, &release_id).await.expect(200);
    app.post(&format!("/api/v1/releases/{release_id}/disclose"), Some(&individual), json!({})).await.expect(200);

    let path = format!("/api/v1/clients/{a}/disclosures");
    // The individual counselor sees it in the accounting (and may read the release).
    let own = app.get(&path, Some(&individual)).await.expect(200).json();
    assert_eq!(own["items"].as_array().map(Vec::len), Some(1), "{own}");
    // The couple's counselor: GET /releases/{id} is 404, so the accounting does not list it.
    app.get(&format!("/api/v1/releases/{release_id}"), Some(&w.counselor)).await.problem(404);
    let couple_view = app.get(&path, Some(&w.counselor)).await.expect(200);
    assert!(!couple_view.text.contains("MARKER"), "{}", couple_view.text);
    assert_eq!(couple_view.json()["items"], json!([]));
    // An admin who makes a couple with A (and so is assigned to it) does not see it either.
    let c = app.client(&w.p, None).await;
    let made = app.post("/api/v1/couples", Some(&w.p.admin), json!({"partner_ids": [a, c]})).await;
    made.expect(201);
    let admin_view = app.get(&path, Some(&w.p.admin)).await.expect(200);
    assert!(!admin_view.text.contains("MARKER"), "{}", admin_view.text);
}

// ---- finding 3 (low): sign-out is immediate ----

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.login(email, password).await.expect(200).json()
}

#[tokio::test]
async fn finding_3_logout_reuse_password_change_and_deactivation_end_access_tokens_at_once() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let u = app.counselor(&p).await;

    // Logout.
    let pair = login(&app, &u.email, PASSWORD).await;
    get_with(&app, "/api/v1/me", &bearer(&pair)).await.expect(200);
    let out = app.req(Method::POST, "/api/v1/auth/logout").bearer(&bearer(&pair));
    out.json(&json!({"refresh_token": pair["refresh_token"]})).send().await.expect(204);
    get_with(&app, "/api/v1/me", &bearer(&pair)).await.problem(401);

    // Reuse of a used refresh token ends its whole login, the newest access token included.
    let pair = login(&app, &u.email, PASSWORD).await;
    let next = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": pair["refresh_token"]})).await;
    let next = next.expect(200).json();
    get_with(&app, "/api/v1/me", &bearer(&next)).await.expect(200);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": pair["refresh_token"]})).await.problem(401);
    get_with(&app, "/api/v1/me", &bearer(&next)).await.problem(401);

    // A password change ends every other login, not the one that made it.
    let one = login(&app, &u.email, PASSWORD).await;
    let two = login(&app, &u.email, PASSWORD).await;
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    let changed = app.req(Method::POST, "/api/v1/me/password").bearer(&bearer(&one)).json(&change).send().await;
    changed.expect(204);
    get_with(&app, "/api/v1/me", &bearer(&one)).await.expect(200);
    get_with(&app, "/api/v1/me", &bearer(&two)).await.problem(401);

    // Deactivation ends every login; reactivation does not bring the old tokens back.
    let before = login(&app, &u.email, "a brand new passphrase").await;
    let path = format!("/api/v1/users/{}", u.id);
    app.patch(&path, Some(&p.admin), json!({"active": false})).await.expect(200);
    get_with(&app, "/api/v1/me", &bearer(&before)).await.problem(401);
    app.patch(&path, Some(&p.admin), json!({"active": true})).await.expect(200);
    get_with(&app, "/api/v1/me", &bearer(&before)).await.problem(401);
    get_with(&app, "/api/v1/me", &bearer(&one)).await.problem(401);
    // A new sign-in works.
    let after = login(&app, &u.email, "a brand new passphrase").await;
    get_with(&app, "/api/v1/me", &bearer(&after)).await.expect(200);
}

// ---- finding 4 (low): an Idempotency-Key replay is a request ----

#[tokio::test]
async fn finding_4_a_replay_needs_a_live_allowed_caller_and_is_audited() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let couple = w.couple.id.clone();
    let path = format!("/api/v1/couples/{couple}/milestones");
    let body = json!({"title": "Apology", "phase": "acknowledge"});
    let send = |key: &'static str, user: &User| {
        app.req(Method::POST, &path).auth(Some(user)).header("idempotency-key", key).json(&body).send()
    };
    let first = send("k-1", &w.counselor).await.expect(201);
    let created = first.json()["id"].as_str().expect("id").to_string();
    let events = |id: String| {
        let app = &app;
        async move { app.audit_rows(&id).await.len() }
    };
    let before = events(created.clone()).await;
    // An allowed replay answers the first response and leaves its own event.
    let replay = send("k-1", &w.counselor).await.expect(201);
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(replay.json()["id"], json!(created));
    assert_eq!(events(created.clone()).await, before + 1, "the replay is audited");

    // Unassigned: the replay is a 404 and a denial on the couple.
    let denied_before = denials(&app, &couple).await;
    app.patch(&format!("/api/v1/couples/{couple}"), Some(&w.p.admin), json!({"counselor_ids": [w.other_counselor.id]}))
        .await
        .expect(200);
    let refused = send("k-1", &w.counselor).await;
    assert!(!refused.text.contains(&created), "{}", refused.text);
    refused.problem(404);
    assert_eq!(denials(&app, &couple).await, denied_before + 1);

    // Deactivated: 401.
    let key2 = w.other_counselor.clone();
    send("k-2", &key2).await.expect(201);
    app.patch(&format!("/api/v1/users/{}", key2.id), Some(&w.p.admin), json!({"active": false})).await.expect(200);
    send("k-2", &key2).await.problem(401);
}

// ---- finding 5 (low): denials are decided and recorded first ----

#[tokio::test]
async fn finding_5_a_filter_or_body_naming_a_hidden_record_is_denied_and_recorded() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let couple = w.couple.id.clone();
    let hidden_client = w.couple.partners[0].clone();

    // A filter naming a couple or client the caller may not see: 404, never an empty list.
    for (path, id) in [
        (format!("/api/v1/sessions?couple_id={couple}"), couple.clone()),
        (format!("/api/v1/sessions?client_id={hidden_client}"), hidden_client.clone()),
        (format!("/api/v1/couples?client_id={hidden_client}"), hidden_client.clone()),
        // ... whatever else is wrong with the query.
        (format!("/api/v1/sessions?couple_id={couple}&limit=0"), couple.clone()),
    ] {
        let before = denials(&app, &id).await;
        app.get(&path, Some(&w.other_counselor)).await.problem(404);
        assert_eq!(denials(&app, &id).await, before + 1, "{path}");
        app.get(&path, Some(&w.foreign_counselor)).await.problem(404);
    }
    // The assigned counselor still gets the list.
    app.get(&format!("/api/v1/sessions?couple_id={couple}"), Some(&w.counselor)).await.expect(200);

    // A body naming a client the caller may not see stays a 422, and is recorded as denied.
    let mine = app.client(&w.p, Some(&w.other_counselor)).await;
    let before = denials(&app, &hidden_client).await;
    let r = app.post("/api/v1/couples", Some(&w.other_counselor), json!({"partner_ids": [mine, hidden_client]})).await;
    r.problem(422);
    assert_eq!(denials(&app, &hidden_client).await, before + 1);
    let body =
        json!({"couple_id": couple, "starts_at": "2030-02-01T10:00:00Z", "duration_minutes": 50, "modality": "phone"});
    let before = denials(&app, &couple).await;
    app.post("/api/v1/sessions", Some(&w.other_counselor), body).await.problem(422);
    assert_eq!(denials(&app, &couple).await, before + 1);
    // ... even when the rest of the body is wrong too.
    let body = json!({"couple_id": couple, "starts_at": "not a time", "surprise": true});
    let before = denials(&app, &couple).await;
    let r = app.post("/api/v1/sessions", Some(&w.other_counselor), body).await;
    assert!(r.status == 400 || r.status == 422, "{} {}", r.status, r.text);
    assert_eq!(denials(&app, &couple).await, before + 1);

    // A foreign path with a malformed body or a bad limit: 404 and a denial with that id.
    let path = format!("/api/v1/couples/{couple}/boundaries");
    for (method, body, query) in [
        (Method::POST, Some("{\"title\": 12, \"unknown\": true}"), ""),
        (Method::POST, Some("{not json"), ""),
        (Method::GET, None, "?limit=0"),
        (Method::GET, None, "?limit=abc"),
    ] {
        let before = denials(&app, &couple).await;
        let mut req = app.req(method.clone(), &format!("{path}{query}")).auth(Some(&w.other_counselor));
        if let Some(b) = body {
            req = req.body("application/json", b.to_string());
        }
        let r = req.send().await;
        assert_eq!(r.status, 404, "{method} {query} {body:?}: {}", r.text);
        assert_eq!(denials(&app, &couple).await, before + 1, "{method} {query} {body:?}");
    }
    // The assigned counselor gets the real refusal.
    let r = app.req(Method::GET, &format!("{path}?limit=0")).auth(Some(&w.counselor)).send().await;
    assert_eq!(r.status, 422, "{}", r.text);
}

// ---- finding 6 (low, PostgreSQL): U+0000 is 422 on both stores ----

#[tokio::test]
async fn finding_6_nul_in_text_or_query_is_a_422_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let body = json!({"first_name": "Al\u{0}ex", "last_name": "Nul"});
    let problem = app.post("/api/v1/clients", Some(&w.counselor), body).await.problem(422);
    assert_eq!(problem["errors"][0]["field"], "first_name", "{problem}");
    let body = json!({"first_name": "Alex", "last_name": "Nul", "pronouns": "they\u{0}"});
    app.post("/api/v1/clients", Some(&w.counselor), body).await.problem(422);
    let list = app.get("/api/v1/clients?q=Nul", Some(&w.counselor)).await.expect(200).json();
    assert_eq!(list["items"], json!([]), "nothing was stored");
    let problem = app.get("/api/v1/clients?q=a%00b", Some(&w.counselor)).await.problem(422);
    assert_eq!(problem["errors"][0]["field"], "q");
    // A PATCH too, and nothing changes.
    let path = format!("/api/v1/couples/{}", w.couple.id);
    app.patch(&path, Some(&w.counselor), json!({"presenting_concern": "x\u{0}"})).await.problem(422);
    // A backslash followed by "u0000" is text like any other.
    let body = json!({"first_name": "Alex", "last_name": "Back\\u0000slash"});
    app.post("/api/v1/clients", Some(&w.counselor), body).await.expect(201);
}

// ---- finding 7: password change limit, /docs, 403 where existence is known ----

#[tokio::test]
async fn finding_7_wrong_current_passwords_lock_password_changes() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let u = app.counselor(&p).await;
    let wrong = json!({"current_password": "not my password", "new_password": "a brand new passphrase"});
    for _ in 0..5 {
        app.post("/api/v1/me/password", Some(&u), wrong.clone()).await.problem(422);
    }
    let right = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    let locked = app.post("/api/v1/me/password", Some(&u), right).await;
    assert!(locked.header("retry-after").is_some());
    locked.problem(429);
    // The password did not change, and each wrong attempt was recorded as a denial.
    app.login(&u.email, PASSWORD).await.expect(200);
    assert!(denials(&app, &u.id).await >= 5);
}

#[tokio::test]
async fn finding_7_docs_run_no_inline_script() {
    let app = TestApp::spawn().await;
    let r = app.get("/docs/", None).await.expect(200);
    let csp = r.header("content-security-policy").expect("csp");
    let script = csp.split(';').find(|d| d.trim().starts_with("script-src")).expect("script-src");
    assert!(!script.contains("unsafe-inline"), "{csp}");
    assert!(!r.text.contains("<script>"), "an inline script in /docs would not run");
}
