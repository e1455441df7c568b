//! Clients: create, list and search, read, update (assignments included), portal invites.
//! Every endpoint against every audience, with nasty inputs, on the store under test.

mod common;

use common::clinical::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const CLIENTS: &str = "/api/v1/clients";

fn path(id: &str) -> String {
    format!("{CLIENTS}/{id}")
}

#[tokio::test]
async fn create_assigns_a_counselor_creator_and_stores_text_exactly() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let body = json!({
        "first_name": "Robert'); DROP TABLE clients;--",
        "last_name": "Zoë 🦀 O'Brien \"Ω\"",
        "preferred_name": "Bobby <script>",
        "pronouns": "he/him",
        "date_of_birth": "1990-02-28",
        "email": "Bob@Example.ORG",
        "phone": "+1 (555) 010-9999 ext. 7",
    });
    let r = app.post(CLIENTS, Some(&c.counselor), body.clone()).await.expect(201);
    let v = r.json();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(path(&id)));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    for f in ["first_name", "last_name", "preferred_name", "pronouns", "date_of_birth", "phone"] {
        assert_eq!(v[f], body[f], "{f}");
    }
    assert_eq!(v["email"], "bob@example.org");
    assert_eq!(v["status"], "active");
    assert_eq!(v["counselor_ids"], json!([c.counselor.id]));
    assert_eq!(v["has_portal_access"], false);
    assert_eq!(v["version"], 1);
    assert!(v["created_at"].as_str().unwrap().ends_with('Z'));
    // What was stored is what was sent.
    let back = app.get(&path(&id), Some(&c.counselor)).await.expect(200).json();
    assert_eq!(back, v);
    assert_eq!(app.audit_rows(&id).await[0], ("create".into(), "success".into(), c.counselor.id.clone()));

    // An admin creates without being assigned; the other counselor cannot see either.
    let v = app.post(CLIENTS, Some(&c.p.admin), json!({"first_name": "A", "last_name": "B"})).await.expect(201).json();
    assert_eq!(v["counselor_ids"], json!([]));
    assert_eq!(v["preferred_name"], Value::Null);
    app.get(&path(v["id"].as_str().unwrap()), Some(&c.other)).await.problem(404);

    // Clients may never create clients; no token is 401.
    app.post(CLIENTS, Some(&c.partner_a), json!({"first_name": "A", "last_name": "B"})).await.problem(403);
    app.post(CLIENTS, None, json!({"first_name": "A", "last_name": "B"})).await.problem(401);
}

#[tokio::test]
async fn create_rejects_nasty_input() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let who = Some(&c.counselor);
    let ok = json!({"first_name": "A", "last_name": "B"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    // Wrong types, missing fields and mass assignment are 400.
    for bad in [
        json!({"first_name": "A"}),
        with("first_name", json!(5)),
        with("date_of_birth", json!(19900228)),
        with("practice_id", json!(c.foreign.id)),
        with("id", json!(c.solo)),
        with("version", json!(7)),
        with("counselor_ids", json!([c.other.id])),
        with("status", json!("discharged")),
        json!(["A", "B"]),
    ] {
        app.post(CLIENTS, who, bad.clone()).await.problem(400);
    }
    // Broken rules are 422 naming the field.
    for (field, v) in [
        ("first_name", json!("   ")),
        ("first_name", json!("")),
        ("last_name", json!("x".repeat(101))),
        ("preferred_name", json!("")),
        ("pronouns", json!("p".repeat(101))),
        ("date_of_birth", json!("1990-02-30")),
        ("date_of_birth", json!("1990-2-3")),
        ("date_of_birth", json!("02/03/1990")),
        ("date_of_birth", json!("2999-01-01")),
        ("email", json!("not-an-email")),
        ("phone", json!("5".repeat(41))),
        ("last_name", json!("y".repeat(200_000))),
    ] {
        let p = app.post(CLIENTS, who, with(field, v)).await.problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    // Several bad fields: one 422 naming each.
    let p = app
        .post(CLIENTS, who, json!({"first_name": " ", "last_name": "B", "email": "x", "date_of_birth": "1990-02-30"}))
        .await
        .problem(422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["first_name", "date_of_birth", "email"]);
    // Over 1 MiB is 413.
    let huge = format!("{{\"first_name\":\"{}\",\"last_name\":\"B\"}}", "x".repeat(1024 * 1024 + 1));
    app.req(Method::POST, CLIENTS).auth(who).body("application/json", huge).send().await.problem(413);
    // Nothing was created by any of it.
    let list = app.get(CLIENTS, Some(&c.p.admin)).await.expect(200).json();
    assert_eq!(ids(&list).len(), 3);
}

#[tokio::test]
async fn read_by_every_audience() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let solo = path(&c.solo);

    let r = app.get(&solo, Some(&c.counselor)).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.json()["counselor_ids"], json!([c.counselor.id]));
    // Admins see every client's demographics.
    app.get(&solo, Some(&c.p.admin)).await.expect(200);
    // The couple's counselor sees the partners' records (assigned through the couple).
    let partner = app.get(&path(&c.couple.partners[0]), Some(&c.counselor)).await.expect(200).json();
    assert_eq!(partner["counselor_ids"], json!([]));
    assert_eq!(partner["has_portal_access"], true);

    // Another counselor and another practice: 404 and a denial in the trail.
    app.get(&solo, Some(&c.other)).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "read", &c.other);
    app.get(&solo, Some(&c.foreign.admin)).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "read", &c.foreign.admin);
    app.get(&solo, Some(&c.foreign_counselor)).await.problem(404);
    // Portal clients (even for their own record, which is /portal/me) are 403; no token 401.
    app.get(&path(&c.couple.partners[0]), Some(&c.partner_a)).await.problem(403);
    app.get(&path(&c.couple.partners[0]), Some(&c.partner_b)).await.problem(403);
    app.get(&solo, None).await.problem(401);
    // A missing client is the same 404; a bad UUID is 400; DELETE does not exist.
    let missing = mend::db::new_id();
    app.get(&path(&missing), Some(&c.p.admin)).await.problem(404);
    assert_denied(last_audit(&app, &missing).await, "read", &c.p.admin);
    app.get(&path("1 OR 1=1"), Some(&c.p.admin)).await.problem(400);
    let r = app.req(Method::DELETE, &solo).auth(Some(&c.p.admin)).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
    r.problem(405);
}

async fn named(app: &TestApp, who: &User, first: &str, last: &str, preferred: Option<&str>) -> String {
    let body = json!({"first_name": first, "last_name": last, "preferred_name": preferred});
    app.post(CLIENTS, Some(who), body).await.expect(201).json()["id"].as_str().unwrap().to_string()
}

async fn list(app: &TestApp, who: &User, query: &str) -> Value {
    app.get(&format!("{CLIENTS}?{query}"), Some(who)).await.expect(200).json()
}

#[tokio::test]
async fn list_is_scoped_searchable_and_audited() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let me = &c.counselor;
    let pct = named(&app, me, "Ann", "100% Sure", None).await;
    let under = named(&app, me, "Bea", "snake_case", None).await;
    let mixed = named(&app, me, "Cara", "McDONALD", Some("CeeCee")).await;
    let plain = named(&app, me, "Dan", "Snakexcase", None).await;
    let theirs = named(&app, &c.other, "Eve", "Mcdonald", None).await;

    // The counselor's caseload: direct clients and the couple's partners, never another's.
    let mine = ids(&list(&app, me, "limit=100").await);
    for id in [&pct, &under, &mixed, &plain, &c.solo, &c.couple.partners[0], &c.couple.partners[1]] {
        assert!(mine.contains(id));
    }
    assert!(!mine.contains(&theirs));
    assert_eq!(ids(&list(&app, &c.other, "").await), vec![theirs.clone()]);
    // Admins see the whole practice; another practice sees none of it.
    assert_eq!(ids(&list(&app, &c.p.admin, "limit=100").await).len(), 8);
    assert!(ids(&list(&app, &c.foreign.admin, "").await).is_empty());
    // Each row of a page carries its own counselors and portal flag (loaded for the page at once).
    for item in list(&app, &c.p.admin, "limit=100").await["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let expected = if id == theirs {
            json!([c.other.id])
        } else if c.couple.partners.iter().any(|p| p == id) {
            json!([])
        } else {
            json!([me.id])
        };
        assert_eq!(item["counselor_ids"], expected, "{id}");
        assert_eq!(item["has_portal_access"], json!(c.couple.partners.iter().any(|p| p == id)), "{id}");
    }

    // q: any part of first, last or preferred name, ignoring case; % and _ are literal.
    assert_eq!(ids(&list(&app, me, "q=%25").await), vec![pct.clone()]);
    assert_eq!(ids(&list(&app, me, "q=e_c").await), vec![under.clone()]);
    assert_eq!(ids(&list(&app, me, "q=mcdonald").await), vec![mixed.clone()]);
    assert_eq!(ids(&list(&app, me, "q=ceec").await), vec![mixed.clone()]);
    assert_eq!(ids(&list(&app, &c.p.admin, "q=MCDON").await).len(), 2);
    assert_eq!(ids(&list(&app, me, "q=%5C").await), Vec::<String>::new());
    assert_eq!(ids(&list(&app, me, "q=%27%3B%20DROP%20TABLE%20clients%3B--").await), Vec::<String>::new());
    // Empty q is no filter; status filters.
    assert_eq!(ids(&list(&app, me, "q=&limit=100").await).len(), 7);
    app.patch(&path(&plain), Some(me), json!({"status": "discharged"})).await.expect(200);
    assert_eq!(ids(&list(&app, me, "status=discharged").await), vec![plain.clone()]);
    assert_eq!(ids(&list(&app, me, "status=active&limit=100").await).len(), 6);

    // Bad parameters.
    for (q, status) in [
        ("status=deleted", 400),
        ("limit=0", 422),
        ("limit=101", 422),
        ("limit=x", 400),
        ("cursor=garbage", 400),
        ("practice_id=x", 400),
    ] {
        app.get(&format!("{CLIENTS}?{q}"), Some(me)).await.problem(status);
    }
    let long = "q=".to_string() + &"a".repeat(101);
    app.get(&format!("{CLIENTS}?{long}"), Some(me)).await.problem(422);
    // Clients and no token.
    app.get(CLIENTS, Some(&c.partner_a)).await.problem(403);
    app.get(CLIENTS, None).await.problem(401);
    // Each list is one `list` event.
    let events = audit_by(&app, &c.other).await;
    assert!(events.contains(&("list".into(), "success".into(), "client".into(), None)));
}

#[tokio::test]
async fn pagination_walks_every_page_in_name_order() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    // Same last names and first names, so the id breaks ties.
    let mut made = Vec::new();
    for (first, last) in [
        ("Zed", "Able"),
        ("Amy", "Able"),
        ("Amy", "Able"),
        ("Bo", "Baker"),
        ("Amy", "Able"),
        ("Cy", "Carr"),
        ("A", "Z"),
    ] {
        made.push((last, first, named(&app, &p.admin, first, last, None).await));
    }
    made.sort();
    let expected: Vec<String> = made.into_iter().map(|(_, _, id)| id).collect();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".into(),
        };
        let page = list(&app, &p.admin, &q).await;
        assert!(ids(&page).len() <= 2);
        seen.extend(ids(&page));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, expected);
    // A cursor of another listing is refused.
    app.counselor(&p).await;
    let users = app.get("/api/v1/users?limit=1", Some(&p.admin)).await.expect(200).json();
    let c = users["next_cursor"].as_str().expect("a second page of users");
    app.get(&format!("{CLIENTS}?cursor={c}"), Some(&p.admin)).await.problem(400);
}

#[tokio::test]
async fn update_fields_clear_nullables_and_honour_if_match() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let me = Some(&c.counselor);
    let url = path(&c.solo);
    let v = app
        .patch(&url, me, json!({"preferred_name": "Sam 🌱", "phone": "555", "date_of_birth": "2000-02-29"}))
        .await
        .expect(200);
    assert_eq!(v.header("etag").as_deref(), Some("\"2\""));
    let v = v.json();
    assert_eq!(
        (v["preferred_name"].as_str(), v["phone"].as_str(), v["version"].as_i64()),
        (Some("Sam 🌱"), Some("555"), Some(2))
    );
    assert_eq!(v["first_name"], "Alex");
    assert_eq!(app.audit_rows(&c.solo).await.last().unwrap().0, "update");

    // null clears a nullable field; absent leaves it.
    let v = app.patch(&url, me, json!({"phone": null, "email": null})).await.expect(200).json();
    assert_eq!((v["phone"].clone(), v["email"].clone()), (Value::Null, Value::Null));
    assert_eq!(v["preferred_name"], "Sam 🌱");

    // Rules: required fields cannot be null or blank; bad dates; wrong types; mass assignment.
    for bad in [
        json!({"first_name": null}),
        json!({"last_name": " "}),
        json!({"date_of_birth": "1990-02-30"}),
        json!({"status": null}),
        json!({"email": "@"}),
    ] {
        app.patch(&url, me, bad).await.problem(422);
    }
    for bad in [
        json!({"status": "deleted"}),
        json!({"first_name": 1}),
        json!({"practice_id": c.foreign.id}),
        json!({"version": 1}),
        json!({"id": c.solo}),
        json!({"has_portal_access": true}),
    ] {
        app.patch(&url, me, bad).await.problem(400);
    }

    // If-Match: a stale one is 412 and writes nothing; the current one works.
    let r = app
        .req(Method::PATCH, &url)
        .auth(me)
        .header("if-match", "\"1\"")
        .json(&json!({"pronouns": "they"}))
        .send()
        .await;
    r.problem(412);
    let r = app
        .req(Method::PATCH, &url)
        .auth(me)
        .header("if-match", "garbage")
        .json(&json!({"pronouns": "they"}))
        .send()
        .await;
    r.problem(400);
    let now = app.get(&url, me).await.expect(200);
    assert_eq!(now.json()["pronouns"], Value::Null);
    let etag = now.header("etag").unwrap();
    let r =
        app.req(Method::PATCH, &url).auth(me).header("if-match", &etag).json(&json!({"pronouns": "they"})).send().await;
    assert_eq!(r.expect(200).json()["pronouns"], "they");

    // Discharge instead of delete.
    assert_eq!(app.patch(&url, me, json!({"status": "discharged"})).await.expect(200).json()["status"], "discharged");
}

#[tokio::test]
async fn update_by_every_audience() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.solo);
    let change = json!({"pronouns": "she/her"});
    app.patch(&url, Some(&c.other), change.clone()).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "update", &c.other);
    app.patch(&url, Some(&c.foreign.admin), change.clone()).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "update", &c.foreign.admin);
    app.patch(&url, Some(&c.foreign_counselor), change.clone()).await.problem(404);
    app.patch(&path(&c.couple.partners[0]), Some(&c.partner_a), change.clone()).await.problem(403);
    app.patch(&url, None, change.clone()).await.problem(401);
    app.patch(&path("nope"), Some(&c.p.admin), change.clone()).await.problem(400);
    // Nothing changed.
    assert_eq!(app.get(&url, Some(&c.counselor)).await.expect(200).json()["version"], 1);
    // The couple's counselor may edit a partner's record; an admin any client's.
    app.patch(&path(&c.couple.partners[1]), Some(&c.counselor), change.clone()).await.expect(200);
    app.patch(&url, Some(&c.p.admin), change).await.expect(200);
}

#[tokio::test]
async fn only_admins_change_counselors_and_it_is_audited() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.solo);

    // A counselor (even the assigned one) sending counselor_ids: 403, nothing changes, denial logged.
    let body = json!({"counselor_ids": [c.counselor.id, c.other.id], "pronouns": "x"});
    app.patch(&url, Some(&c.counselor), body).await.problem(403);
    assert_denied(last_audit(&app, &c.solo).await, "assign", &c.counselor);
    let v = app.get(&url, Some(&c.counselor)).await.expect(200).json();
    assert_eq!((v["version"].as_i64(), v["pronouns"].clone()), (Some(1), Value::Null));
    app.get(&url, Some(&c.other)).await.problem(404);
    // A counselor who cannot see the client: 404, decided before the role rule, and logged.
    app.patch(&url, Some(&c.other), json!({"counselor_ids": [c.other.id]})).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "assign", &c.other);

    // Counselors must be active staff of the practice.
    for bad in
        [json!([c.foreign_counselor.id]), json!([c.partner_a.id]), json!([mend::db::new_id()]), json!(["not-a-uuid"])]
    {
        let p = app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": bad})).await.problem(422);
        assert_eq!(p["errors"][0]["field"], "counselor_ids");
    }
    app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": null})).await.problem(422);
    app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": "x"})).await.problem(400);

    // The admin moves the client to the other counselor: audited `assign`, version moves on.
    let r = app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": [c.other.id, c.other.id]})).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(r.json()["counselor_ids"], json!([c.other.id]));
    assert_eq!(last_audit(&app, &c.solo).await, ("assign".into(), "success".into(), c.p.admin.id.clone()));
    app.get(&url, Some(&c.other)).await.expect(200);
    app.get(&url, Some(&c.counselor)).await.problem(404);

    // With other fields too: both `update` and `assign` are in the trail.
    app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": [], "pronouns": "they"})).await.expect(200);
    let events: Vec<String> = app.audit_rows(&c.solo).await.into_iter().rev().take(2).map(|e| e.0).collect();
    assert!(events.contains(&"update".to_string()) && events.contains(&"assign".to_string()), "{events:?}");
    app.get(&url, Some(&c.other)).await.problem(404);
}

#[tokio::test]
async fn concurrent_patches_with_one_if_match_make_one_change() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.solo);
    let sends = (0..6).map(|i| {
        app.req(Method::PATCH, &url)
            .auth(Some(&c.counselor))
            .header("if-match", "\"1\"")
            .json(&json!({"preferred_name": format!("writer {i}")}))
            .send()
    });
    let results = futures_util::future::join_all(sends).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    let failed = results.iter().filter(|r| r.status == 412).count();
    assert_eq!((ok, failed), (1, 5), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(app.get(&url, Some(&c.counselor)).await.expect(200).json()["version"], 2);
}

fn invite_url(id: &str) -> String {
    format!("{CLIENTS}/{id}/portal-invite")
}

async fn accept(app: &TestApp, token: &str) -> Resp {
    app.post("/api/v1/auth/accept-invite", None, json!({"token": token, "password": "a long enough password"})).await
}

#[tokio::test]
async fn portal_invite_makes_a_client_login_and_voids_the_previous_invite() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = invite_url(&c.solo);

    let first = app.post(&url, Some(&c.counselor), json!({})).await.expect(201).json();
    let first_token = first["invite_token"].as_str().unwrap().to_string();
    assert!(first["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(last_audit(&app, &c.solo).await, ("invite".into(), "success".into(), c.counselor.id.clone()));
    // Not yet accepted: no portal access.
    assert_eq!(app.get(&path(&c.solo), Some(&c.counselor)).await.json()["has_portal_access"], false);
    // An admin invites again: the first invite is void, the account is reused.
    let second = app.post(&url, Some(&c.p.admin), json!({})).await.expect(201).json();
    let second_token = second["invite_token"].as_str().unwrap().to_string();
    assert_ne!(first_token, second_token);
    accept(&app, &first_token).await.problem(401);

    let pair = accept(&app, &second_token).await.expect(200).json();
    let access = pair["access_token"].as_str().unwrap();
    let me = app.req(Method::GET, "/api/v1/me").bearer(access).send().await.expect(200).json();
    assert_eq!(me["role"], "client");
    assert_eq!(me["client_id"], json!(c.solo));
    assert_eq!(me["display_name"], "Alex");
    assert_eq!(me["practice_id"], json!(c.p.id));
    app.req(Method::GET, CLIENTS).bearer(access).send().await.problem(403);
    app.req(Method::GET, &path(&c.solo)).bearer(access).send().await.problem(403);
    // The token works once; the client now has portal access.
    accept(&app, &second_token).await.problem(401);
    assert_eq!(app.get(&path(&c.solo), Some(&c.counselor)).await.json()["has_portal_access"], true);
    let users = app.get("/api/v1/users?role=client&limit=100", Some(&c.p.admin)).await.expect(200).json();
    assert_eq!(users["items"].as_array().unwrap().iter().filter(|u| u["email"] == me["email"]).count(), 1);
}

#[tokio::test]
async fn portal_invite_rules_and_audiences() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = invite_url(&c.solo);
    // Who may not: 404 + denial for the unassigned and other practices; 403 clients; 401 anonymous.
    app.post(&url, Some(&c.other), json!({})).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "invite", &c.other);
    app.post(&url, Some(&c.foreign.admin), json!({})).await.problem(404);
    assert_denied(last_audit(&app, &c.solo).await, "invite", &c.foreign.admin);
    app.post(&url, Some(&c.partner_a), json!({})).await.problem(403);
    app.post(&url, None, json!({})).await.problem(401);
    app.post(&invite_url("zzz"), Some(&c.counselor), json!({})).await.problem(400);

    // No email: 422 on email.
    app.patch(&path(&c.solo), Some(&c.counselor), json!({"email": null})).await.expect(200);
    let p = app.post(&url, Some(&c.counselor), json!({})).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "email");
    // An email another account uses (a staff member's): 409, and no account is made.
    app.patch(&path(&c.solo), Some(&c.counselor), json!({"email": c.other.email})).await.expect(200);
    app.post(&url, Some(&c.counselor), json!({})).await.problem(409);
    // The partner's portal account already uses its own email; another client with that email: 409.
    let partner_email = c.partner_a.email.clone();
    app.patch(&path(&c.solo), Some(&c.counselor), json!({"email": partner_email})).await.expect(200);
    app.post(&url, Some(&c.counselor), json!({})).await.problem(409);
    // A partner who already set a password: 409 portal-active, no token (the partner's own login
    // keeps working). tests/security_review.rs holds the takeover it prevents.
    let r = app.post(&invite_url(&c.couple.partners[0]), Some(&c.counselor), json!({})).await;
    assert!(!r.text.contains("invite_token"), "{}", r.text);
    assert_eq!(r.problem(409)["type"], "https://mend.dev/problems/portal-active");
    app.get("/api/v1/me", Some(&c.partner_a)).await.expect(200);
}

#[tokio::test]
async fn create_with_an_idempotency_key_creates_once() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let body = json!({"first_name": "Ida", "last_name": "Empotent"});
    let send = |b: Value| {
        app.req(Method::POST, CLIENTS)
            .auth(Some(&c.counselor))
            .header("idempotency-key", "create-ida-1")
            .json(&b)
            .send()
    };
    let first = send(body.clone()).await.expect(201);
    let again = send(body.clone()).await.expect(201);
    assert_eq!(first.json(), again.json());
    send(json!({"first_name": "Other", "last_name": "Body"})).await.problem(422);
    assert_eq!(ids(&list(&app, &c.counselor, "q=empotent").await).len(), 1);
}
