//! Webhooks, through the HTTP API and a receiver on 127.0.0.1: admin endpoints and every other
//! audience, the SSRF rule, the outbox written in the change's transaction, signed thin
//! deliveries, retries with the same `webhook-id`, 410, rotation and manual retry.

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::clinical::*;
use common::webhooks::*;
use common::*;
use mend::webhooks::sign::verify;
use reqwest::Method;
use serde_json::{json, Value};

const HOOK: &str = "https://hooks.example.com/mend";

#[tokio::test]
async fn admin_creates_reads_lists_updates_rotates_and_deletes_a_webhook() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let admin = Some(&p.admin);
    let r = app
        .post(
            "/api/v1/webhooks",
            admin,
            json!({"url": HOOK, "event_types": ["client.created", "note.signed", "client.created"],
                   "description": "Front desk"}),
        )
        .await
        .expect(201);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let w = r.json();
    let id = w["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/webhooks/{id}")));
    assert_eq!(w["url"], HOOK);
    assert_eq!(w["event_types"], json!(["client.created", "note.signed"]));
    assert_eq!(w["active"], true);
    assert_eq!(w["description"], "Front desk");
    let secret = w["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_") && secret.len() == 6 + 44, "{secret}");
    let mut keys: Vec<&String> = w.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["active", "created_at", "description", "event_types", "id", "secret", "url", "version"]);
    assert_eq!(last_audit(&app, &id).await, ("create".into(), "success".into(), p.admin.id.clone()));

    // The secret is shown only on creation and rotation.
    let read = app.get(&format!("/api/v1/webhooks/{id}"), admin).await.expect(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert!(read.json().get("secret").is_none() && !read.text.contains(&secret));
    let list = app.get("/api/v1/webhooks", admin).await.expect(200);
    assert_eq!(ids(&list.json()), vec![id.clone()]);
    assert!(!list.text.contains("whsec_"));

    let path = format!("/api/v1/webhooks/{id}");
    let body = json!({"event_types": ["session.created"], "active": false, "description": null});
    let u = app.req(Method::PATCH, &path).auth(admin).header("if-match", "\"1\"").json(&body).send().await.expect(200);
    assert_eq!(u.header("etag").as_deref(), Some("\"2\""));
    let u = u.json();
    assert_eq!(
        (u["event_types"].clone(), u["active"].clone(), u["description"].clone()),
        (json!(["session.created"]), json!(false), json!(null))
    );
    app.req(Method::PATCH, &path)
        .auth(admin)
        .header("if-match", "\"1\"")
        .json(&json!({"active": true}))
        .send()
        .await
        .problem(412);

    let rot = app.post(&format!("{path}/rotate-secret"), admin, json!({})).await.expect(200);
    let new_secret = rot.json()["secret"].as_str().unwrap().to_string();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);
    assert_eq!(rot.json()["version"], 3);

    app.req(Method::DELETE, &path).auth(admin).header("if-match", "\"2\"").send().await.problem(412);
    let del = app.req(Method::DELETE, &path).auth(admin).send().await.expect(204);
    assert!(del.text.is_empty());
    let actions: Vec<String> = app.audit_rows(&id).await.into_iter().map(|(action, _, _)| action).collect();
    assert!(actions.iter().any(|a| a == "delete"), "the DELETE is audited as delete: {actions:?}");
    app.get(&path, admin).await.problem(404);
    assert_eq!(last_audit(&app, &id).await.0, "read");
}

#[tokio::test]
async fn bad_input_is_a_400_or_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let a = Some(&p.admin);
    let post = |body| app.post("/api/v1/webhooks", a, body);
    let e = post(json!({"url": HOOK, "event_types": []})).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "event_types");
    let e = post(json!({"url": "not a url", "event_types": ["client.created"], "description": " "})).await.problem(422);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["url", "description"]);
    post(json!({"url": HOOK, "event_types": ["client.deleted"]})).await.problem(400);
    post(json!({"url": HOOK, "event_types": ["client.created"], "secret": "mine"})).await.problem(400);
    post(json!({"event_types": ["client.created"]})).await.problem(400);
    let id = register(&app, &p.admin, HOOK, &["client.created"]).await.0;
    let e = app.patch(&format!("/api/v1/webhooks/{id}"), a, json!({"url": null})).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "url");
}

#[tokio::test]
async fn private_and_insecure_urls_are_refused_without_the_insecure_flag() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    refuse_urls(
        &app,
        &p.admin,
        &[
            "http://hooks.example.com/mend",
            "https://127.0.0.1/hook",
            "https://10.0.0.8/hook",
            "https://192.168.1.20/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[fe80::1]/hook",
            "https://0.0.0.0/hook",
            "https://localhost:8443/hook",
        ],
    )
    .await;
    let id = register(&app, &p.admin, HOOK, &["client.created"]).await.0;
    refuse_patched_url(&app, &p.admin, &id, "https://10.1.1.1/x").await;
}

/// What the server accepts is what the schema's pattern states: a public IP, a port, a query,
/// an upper-case host or a character outside the pattern (schemathesis found "https://ouc2s.net*"
/// answered 201) is refused with 422 on `url`, and nothing is registered.
#[tokio::test]
async fn urls_outside_the_schema_pattern_are_refused_and_register_nothing() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    refuse_urls(
        &app,
        &p.admin,
        &[
            "https://ouc2s.net*",
            "https://Hooks.example.com/mend",
            "https://hooks.example.com:8443/mend",
            "https://hooks.example.com/mend?token=1",
            "https://hooks.example.com/a%20b",
            "https://93.184.216.34/mend",
            "https://hooks.example.com./mend",
        ],
    )
    .await;
    let list = app.get("/api/v1/webhooks", Some(&p.admin)).await.expect(200).json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    let id = register(&app, &p.admin, HOOK, &["client.created"]).await.0;
    refuse_patched_url(&app, &p.admin, &id, "https://hooks.example.com:8443/x").await;
    let read = app.get(&format!("/api/v1/webhooks/{id}"), Some(&p.admin)).await.expect(200).json();
    assert_eq!(read["url"], HOOK);
}

#[tokio::test]
async fn only_admins_of_the_practice_reach_webhooks() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let id = register(&app, &c.p.admin, HOOK, &["client.created"]).await.0;
    let delivery = {
        // A delivery row to address: emit one event for the practice.
        let (pid, cid) = (c.p.id.clone(), c.solo.clone());
        app.sql(move |conn| {
            mend::webhooks::outbox::emit(
                conn,
                Some(&pid),
                mend::audit::Action::Create,
                mend::domain::ResourceKind::Client,
                Some(&cid),
            )
            .expect("emit")
        })
        .await;
        deliveries(&app, &c.p.admin, &id).await[0]["id"].as_str().unwrap().to_string()
    };
    let foreign_admin = c.foreign.admin.clone();
    let paths: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, "/api/v1/webhooks".into(), None),
        (Method::POST, "/api/v1/webhooks".into(), Some(json!({"url": HOOK, "event_types": ["client.created"]}))),
        (Method::GET, format!("/api/v1/webhooks/{id}"), None),
        (Method::PATCH, format!("/api/v1/webhooks/{id}"), Some(json!({"active": false}))),
        (Method::DELETE, format!("/api/v1/webhooks/{id}"), None),
        (Method::POST, format!("/api/v1/webhooks/{id}/rotate-secret"), Some(json!({}))),
        (Method::GET, format!("/api/v1/webhooks/{id}/deliveries"), None),
        (Method::POST, format!("/api/v1/webhooks/{id}/deliveries/{delivery}/retry"), Some(json!({}))),
    ];
    for (method, path, body) in &paths {
        let send = |user: Option<&User>| {
            let mut r = app.req(method.clone(), path).auth(user);
            if let Some(b) = body {
                r = r.json(b);
            }
            r.send()
        };
        for staff in [&c.counselor, &c.other] {
            send(Some(staff)).await.problem(403);
        }
        send(Some(&c.partner_a)).await.problem(403);
        send(None).await.problem(401);
        // Another practice's admin: the webhook does not exist for them (lists are their own).
        let r = send(Some(&foreign_admin)).await;
        if path.contains(&id) {
            r.problem(404);
            let (action, outcome, actor) = last_audit(&app, if path.contains("retry") { &delivery } else { &id }).await;
            assert_eq!(
                (outcome.as_str(), actor.as_str()),
                ("denied", foreign_admin.id.as_str()),
                "{method} {path} {action}"
            );
        } else if *method == Method::GET {
            assert_eq!(ids(&r.expect(200).json()), Vec::<String>::new());
        } else {
            r.expect(201);
        }
    }
    // Nothing changed for the owner.
    let w = app.get(&format!("/api/v1/webhooks/{id}"), Some(&c.p.admin)).await.expect(200).json();
    assert_eq!((w["active"].clone(), w["version"].clone()), (json!(true), json!(1)));
}

#[tokio::test]
async fn a_committed_change_writes_its_event_and_a_rolled_back_one_none() {
    use mend::audit::Action;
    use mend::domain::ResourceKind;
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let (hook, _) = register(&app, &p.admin, HOOK, &["client.created"]).await;
    // No subscriber for couples: no outbox row for them.
    let body = json!({"first_name": "Zebulon-Marker", "last_name": "Quixote-Marker", "email": "marker@example.org"});
    let client = app.post("/api/v1/clients", Some(&p.admin), body).await.expect(201).json();
    let rows = outbox(&app, &p.id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "client.created");
    let payload: serde_json::Value = serde_json::from_str(&rows[0].1).unwrap();
    assert_eq!(payload["type"], "client.created");
    assert_eq!(payload["data"], json!({"practice_id": p.id, "id": client["id"]}));
    assert!(!rows[0].1.contains("Marker") && !rows[0].1.contains("marker@"));
    let log = deliveries(&app, &p.admin, &hook).await;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0]["attempt"].clone(), log[0]["status_code"].clone()), (json!(1), json!(null)));

    // The same emit inside a transaction that rolls back leaves nothing behind.
    let pid = p.id.clone();
    app.sql(move |c| {
        let r: Result<(), diesel::result::Error> = mend::db::write_tx(c, |c| {
            mend::webhooks::outbox::emit(c, Some(&pid), Action::Create, ResourceKind::Client, Some("x"))?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(r.is_err());
    })
    .await;
    assert_eq!(outbox(&app, &p.id).await.len(), 1);
    assert_eq!(deliveries(&app, &p.admin, &hook).await.len(), 1);

    // Through HTTP: a create whose audit finds the user deactivated rolls back whole.
    let counselor = app.counselor(&p).await;
    let cid = counselor.id.clone();
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::users as u;
        diesel::update(u::table.filter(u::id.eq(cid))).set(u::active.eq(false)).execute(c).expect("deactivate")
    })
    .await;
    app.post("/api/v1/clients", Some(&counselor), json!({"first_name": "A", "last_name": "B"})).await.problem(401);
    assert_eq!(outbox(&app, &p.id).await.len(), 1);
}

#[tokio::test]
async fn a_delivery_arrives_signed_with_ids_only_and_never_crosses_practices() {
    let app = TestApp::spawn_with(INSECURE).await;
    let _worker = worker(&app);
    let ours = Receiver::start().await;
    let theirs = Receiver::start().await;
    let p = app.practice().await;
    let foreign = app.practice().await;
    let (hook, secret) = register(&app, &p.admin, &ours.url, &["client.created"]).await;
    register(&app, &foreign.admin, &theirs.url, &["client.created"]).await;

    let marker = json!({"first_name": "Zebulon-Marker", "last_name": "Quixote-Marker", "email": "marker@example.org",
                        "phone": "555-MARKER"});
    let client = app.post("/api/v1/clients", Some(&p.admin), marker).await.expect(201).json();
    let got = ours.wait_for(1, 15).await;
    assert_eq!(got.len(), 1);
    let d = &got[0];
    assert_eq!(d.path, "/hook");
    assert_eq!(d.header("content-type"), "application/json");
    let (id, ts) = (d.header("webhook-id"), d.header("webhook-timestamp").parse::<i64>().unwrap());
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    assert!(d.header("webhook-signature").starts_with("v1,"));
    assert!(verify(&secret, id, ts, d.body.as_bytes(), d.header("webhook-signature")));
    assert!(!verify(&secret, id, ts + 1, d.body.as_bytes(), d.header("webhook-signature")));
    let body = d.json();
    assert_eq!(body["type"], "client.created");
    assert_eq!(body["data"], json!({"practice_id": p.id, "id": client["id"]}));
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    for leak in ["Marker", "marker@", "MARKER"] {
        assert!(!d.body.contains(leak), "{leak} in {}", d.body);
    }
    // The log shows the attempt and its event id (the webhook-id header).
    let log = wait_log(&app, &p.admin, &hook, |l| l.first().is_some_and(|d| d["status_code"] == 200)).await;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0]["event_id"].as_str(), log[0]["attempt"].clone()), (Some(id), json!(1)));
    assert!(log[0]["delivered_at"].is_string() && log[0]["next_attempt_at"].is_null());

    // The other practice's receiver never saw our event, nor ours theirs.
    app.post("/api/v1/clients", Some(&foreign.admin), json!({"first_name": "F", "last_name": "G"})).await.expect(201);
    let theirs_got = theirs.wait_for(1, 15).await;
    assert_eq!(theirs_got.len(), 1);
    assert_ne!(theirs_got[0].json()["data"]["practice_id"], json!(p.id));
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(ours.received().len(), 1);
}

#[tokio::test]
async fn a_500_is_retried_with_the_same_webhook_id_and_a_410_disables_the_webhook() {
    let app = TestApp::spawn_with(INSECURE).await;
    let _worker = worker(&app);
    let rx = Receiver::start().await;
    let p = app.practice().await;
    let (hook, secret) = register(&app, &p.admin, &rx.url, &["client.created"]).await;
    rx.answer(&[500, 503]);
    app.post("/api/v1/clients", Some(&p.admin), json!({"first_name": "A", "last_name": "B"})).await.expect(201);
    let got = rx.wait_for(3, 20).await;
    assert_eq!(got.len(), 3);
    let id = got[0].header("webhook-id").to_string();
    for d in &got {
        assert_eq!(d.header("webhook-id"), id);
        assert_eq!(d.body, got[0].body);
        let ts = d.header("webhook-timestamp").parse().unwrap();
        assert!(verify(&secret, &id, ts, d.body.as_bytes(), d.header("webhook-signature")));
    }
    let log = wait_log(&app, &p.admin, &hook, |l| l.len() == 3 && l[0]["status_code"] == 200).await;
    let seen: Vec<(serde_json::Value, serde_json::Value)> =
        log.iter().map(|d| (d["attempt"].clone(), d["status_code"].clone())).collect();
    assert_eq!(seen, [(json!(3), json!(200)), (json!(2), json!(503)), (json!(1), json!(500))]);
    assert!(log.iter().all(|d| d["event_id"] == json!(id)));

    // A manual retry of the first attempt sends the event again, with the same id.
    let first = log[2]["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/webhooks/{hook}/deliveries/{first}/retry"), Some(&p.admin), json!({})).await;
    let queued = r.expect(202).json();
    assert_eq!((queued["attempt"].clone(), queued["event_id"].clone()), (json!(4), json!(id)));
    let got = rx.wait_for(4, 15).await;
    assert_eq!(got[3].header("webhook-id"), id);

    // 410 Gone: the webhook is disabled, and not retried.
    rx.answer(&[410]);
    app.post("/api/v1/clients", Some(&p.admin), json!({"first_name": "C", "last_name": "D"})).await.expect(201);
    rx.wait_for(5, 15).await;
    let log = wait_log(&app, &p.admin, &hook, |l| l[0]["status_code"] == 410).await;
    assert_eq!(log[0]["status_code"], 410);
    let w = app.get(&format!("/api/v1/webhooks/{hook}"), Some(&p.admin)).await.expect(200).json();
    assert_eq!(w["active"], false);
    app.post(&format!("/api/v1/webhooks/{hook}/deliveries/{first}/retry"), Some(&p.admin), json!({}))
        .await
        .problem(409);
    app.post("/api/v1/clients", Some(&p.admin), json!({"first_name": "E", "last_name": "F"})).await.expect(201);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(rx.received().len(), 5);
    assert_eq!(deliveries(&app, &p.admin, &hook).await.len(), log.len());
}

#[tokio::test]
async fn after_a_rotation_deliveries_carry_both_signatures() {
    let app = TestApp::spawn_with(INSECURE).await;
    let _worker = worker(&app);
    let rx = Receiver::start().await;
    let p = app.practice().await;
    let (hook, old) = register(&app, &p.admin, &rx.url, &["client.created"]).await;
    let new =
        app.post(&format!("/api/v1/webhooks/{hook}/rotate-secret"), Some(&p.admin), json!({})).await.expect(200).json()
            ["secret"]
            .as_str()
            .unwrap()
            .to_string();
    app.post("/api/v1/clients", Some(&p.admin), json!({"first_name": "A", "last_name": "B"})).await.expect(201);
    let got = rx.wait_for(1, 15).await;
    let d = &got[0];
    let sig = d.header("webhook-signature");
    assert_eq!(sig.split(' ').count(), 2, "{sig}");
    let (id, ts) = (d.header("webhook-id"), d.header("webhook-timestamp").parse().unwrap());
    assert!(verify(&old, id, ts, d.body.as_bytes(), sig) && verify(&new, id, ts, d.body.as_bytes(), sig));
}

/// Emits `n` client.created events for the practice, as committed changes would.
async fn burst(app: &TestApp, practice_id: &str, n: usize) {
    let pid = practice_id.to_string();
    app.sql(move |c| {
        for _ in 0..n {
            let id = mend::db::new_id();
            mend::webhooks::outbox::emit(
                c,
                Some(&pid),
                mend::audit::Action::Create,
                mend::domain::ResourceKind::Client,
                Some(&id),
            )
            .expect("emit");
        }
    })
    .await;
}

#[tokio::test]
async fn two_instances_deliver_each_of_200_events_once() {
    let app = TestApp::spawn_with(INSECURE).await;
    let rx = Receiver::start().await;
    let p = app.practice().await;
    register(&app, &p.admin, &rx.url, &["client.created"]).await;
    let second_db = {
        let cfg = config(&app.config_url, INSECURE);
        tokio::task::spawn_blocking(move || mend::cli::open_db(&cfg).expect("second instance")).await.unwrap()
    };
    let settings = mend::webhooks::worker::Settings { allow_insecure: true, retry_ms: Some(200) };
    let (_one, _two) = (worker(&app), mend::webhooks::worker::Worker::start(second_db, settings).expect("worker"));
    burst(&app, &p.id, 200).await;
    let got = rx.wait_for(200, 90).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let got_all = rx.received();
    let mut ids: Vec<&str> = got_all.iter().map(|d| d.header("webhook-id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len() >= 200, ids.len(), got_all.len()), (true, 200, 200), "each event exactly once");
}

#[tokio::test]
async fn attempts_claimed_by_a_crashed_instance_are_sent_when_its_lease_expires() {
    use diesel::prelude::*;
    use mend::db::schema::webhook_deliveries as d;
    let app = TestApp::spawn_with(INSECURE).await;
    let rx = Receiver::start().await;
    let p = app.practice().await;
    let (hook, _) = register(&app, &p.admin, &rx.url, &["client.created"]).await;
    burst(&app, &p.id, 3).await;
    // A crashed instance claimed them a minute ago; its lease runs out in a second.
    app.sql(|c| {
        let until = mend::db::now() + chrono::Duration::seconds(1);
        diesel::update(d::table)
            .set((d::claimed_by.eq("crashed"), d::claimed_until.eq(Some(until))))
            .execute(c)
            .unwrap()
    })
    .await;
    let _worker = worker(&app);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(rx.received().len(), 0, "a live lease is respected");
    assert_eq!(rx.wait_for(3, 15).await.len(), 3);
    let log = wait_log(&app, &p.admin, &hook, |l| l.iter().all(|d| d["status_code"] == 200)).await;
    assert_eq!(log.len(), 3);
}

#[tokio::test]
async fn the_address_is_checked_again_before_each_delivery() {
    // Registered while insecure URLs were allowed; delivered by a worker that refuses them.
    let app = TestApp::spawn_with(INSECURE).await;
    let rx = Receiver::start().await;
    let p = app.practice().await;
    let (hook, _) = register(&app, &p.admin, &rx.url, &["client.created"]).await;
    let settings = mend::webhooks::worker::Settings { allow_insecure: false, retry_ms: Some(200) };
    let _worker = mend::webhooks::worker::Worker::start(app.db.clone(), settings).expect("worker");
    app.post("/api/v1/clients", Some(&p.admin), json!({"first_name": "A", "last_name": "B"})).await.expect(201);
    let log = wait_log(&app, &p.admin, &hook, |l| l.len() >= 2).await;
    assert!(log.len() >= 2, "{log:?}");
    let first = log.last().unwrap();
    assert_eq!(first["status_code"], json!(null));
    assert_eq!(first["error"], "must be an https:// URL");
    assert_eq!(rx.received().len(), 0);
}

/// Every event type of the contract.
const ALL_TYPES: &[&str] = &[
    "client.created",
    "couple.created",
    "session.created",
    "session.updated",
    "summary.shared",
    "note.signed",
    "boundary.activated",
    "milestone.achieved",
    "letter.released",
    "activity.logged",
    "assessment.completed",
    "release.authorized",
    "release.disclosed",
];

/// Clinical text that must never reach a payload.
const TEXT: &str = "SECRET-CLINICAL-TEXT";

/// Each URL, registered by `admin`, is refused with 422 naming `url`.
async fn refuse_urls(app: &TestApp, admin: &User, urls: &[&str]) {
    for url in urls {
        let e = app
            .post("/api/v1/webhooks", Some(admin), json!({"url": url, "event_types": ["client.created"]}))
            .await
            .problem(422);
        assert_eq!(e["errors"][0]["field"], "url", "{url}");
    }
}

/// Changing webhook `id`'s URL to `url` is refused with 422 naming `url`.
async fn refuse_patched_url(app: &TestApp, admin: &User, id: &str, url: &str) {
    let e = app.patch(&format!("/api/v1/webhooks/{id}"), Some(admin), json!({"url": url})).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "url", "{url}");
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// The practice's outbox as (type, data), in the order the events were made; each payload is
/// checked to be `{type, timestamp, data}` with ids only.
async fn events(app: &TestApp, practice_id: &str) -> Vec<(String, Value)> {
    let is_id =
        |v: &Value| v.as_str().is_some_and(|s| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
    let mut out = Vec::new();
    for (event_type, payload) in outbox(app, practice_id).await {
        for leak in [TEXT, "Alex", "Marker", "marker@", "555-MARKER", "555-0100", "example.org", "@"] {
            assert!(!payload.contains(leak), "{leak} in {payload}");
        }
        let body: Value = serde_json::from_str(&payload).expect("json");
        let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["data", "timestamp", "type"], "{payload}");
        assert_eq!(body["type"], json!(event_type));
        let data = body["data"].as_object().expect("data");
        assert!(data.values().all(is_id), "ids only: {payload}");
        out.push((event_type, body["data"].clone()));
    }
    out
}

/// A partner acknowledges a boundary in the portal.
async fn ack(app: &TestApp, user: &User, boundary_id: &str) -> Resp {
    app.post(&format!("/api/v1/portal/boundaries/{boundary_id}/acknowledge"), Some(user), json!({})).await
}

/// `{practice_id, id}` and the given links.
fn data(practice_id: &str, id: &str, links: &[(&str, &str)]) -> Value {
    let mut d = json!({"practice_id": practice_id, "id": id});
    for (k, v) in links {
        d[*k] = json!(v);
    }
    d
}

#[tokio::test]
async fn each_event_type_is_emitted_once_by_the_change_that_causes_it_with_ids_only() {
    use common::between::{self as lt, day};
    use common::measures::{self, csi4};
    use common::trust::World;
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    register(&app, &w.p.admin, HOOK, ALL_TYPES).await;
    register(&app, &w.foreign.admin, HOOK, ALL_TYPES).await;
    let c = Some(&w.counselor);
    let (pid, couple, [pa, pb]) =
        (w.p.id.as_str(), w.couple.id.as_str(), [&w.couple.partners[0], &w.couple.partners[1]]);
    let d = |id: &str, links: &[(&str, &str)]| data(pid, id, links);
    let mut want: Vec<(&str, Value)> = Vec::new();

    // client.created, couple.created.
    let person = |n: &str| {
        json!({"first_name": format!("Marker{n}"), "last_name": "Markerson", "email": format!("marker{n}@example.org"),
               "phone": "555-0100"})
    };
    let x = id(&app.post("/api/v1/clients", c, person("1")).await.expect(201).json());
    let y = id(&app.post("/api/v1/clients", c, person("2")).await.expect(201).json());
    want.extend([("client.created", d(&x, &[])), ("client.created", d(&y, &[]))]);
    let body = json!({"partner_ids": [x, y], "presenting_concern": TEXT});
    let k = id(&app.post("/api/v1/couples", c, body).await.expect(201).json());
    want.push(("couple.created", d(&k, &[])));

    // session.created (a couple's and a client's), session.updated, summary.shared once.
    let body = json!({"couple_id": couple, "starts_at": "2030-01-07T15:00:00Z", "duration_minutes": 50, "modality": "in_person"});
    let s = id(&app.post("/api/v1/sessions", c, body).await.expect(201).json());
    let body =
        json!({"client_id": x, "starts_at": "2030-01-08T15:00:00Z", "duration_minutes": 50, "modality": "phone"});
    let solo = id(&app.post("/api/v1/sessions", c, body).await.expect(201).json());
    want.extend([
        ("session.created", d(&s, &[("couple_id", couple)])),
        ("session.created", d(&solo, &[("client_id", &x)])),
    ]);
    app.patch(&format!("/api/v1/sessions/{s}"), c, json!({"modality": "telehealth"})).await.expect(200);
    app.put(&format!("/api/v1/sessions/{s}/summary"), c, json!({"text": TEXT})).await.expect(200);
    want.extend([
        ("session.updated", d(&s, &[("couple_id", couple)])),
        ("session.updated", d(&s, &[("couple_id", couple)])),
    ]);
    app.post(&format!("/api/v1/sessions/{s}/summary/share"), c, json!({})).await.expect(200);
    app.post(&format!("/api/v1/sessions/{s}/summary/share"), c, json!({})).await.expect(200);
    want.push(("summary.shared", d(&s, &[("couple_id", couple)])));

    // note.signed; a draft and an addendum emit nothing.
    let n = id(&app.post(&format!("/api/v1/sessions/{s}/notes"), c, json!({"body": TEXT})).await.expect(201).json());
    app.post(&format!("/api/v1/notes/{n}/sign"), c, json!({})).await.expect(200);
    app.post(&format!("/api/v1/notes/{n}/sign"), c, json!({})).await.problem(409);
    app.post(&format!("/api/v1/notes/{n}/addenda"), c, json!({"body": TEXT})).await.expect(201);
    want.push(("note.signed", d(&n, &[("session_id", &s), ("couple_id", couple)])));

    // boundary.activated: by the last acknowledgement, and by a counselor setting it.
    let boundaries = format!("/api/v1/couples/{couple}/boundaries");
    let body = json!({"title": TEXT, "description": TEXT, "responsible_ids": [pa]});
    let b1 = id(&app.post(&boundaries, c, body.clone()).await.expect(201).json());
    assert_eq!(ack(&app, &w.a, &b1).await.expect(200).json()["status"], "proposed");
    assert_eq!(ack(&app, &w.b, &b1).await.expect(200).json()["status"], "active");
    ack(&app, &w.b, &b1).await.expect(200);
    want.push(("boundary.activated", d(&b1, &[("couple_id", couple)])));
    let b2 = id(&app.post(&boundaries, c, body).await.expect(201).json());
    let b2_path = format!("/api/v1/boundaries/{b2}");
    for status in ["active", "active", "revised", "active"] {
        app.patch(&b2_path, c, json!({"status": status})).await.expect(200);
    }
    app.patch(&b2_path, c, json!({"title": "Reworded"})).await.expect(200);
    want.extend([
        ("boundary.activated", d(&b2, &[("couple_id", couple)])),
        ("boundary.activated", d(&b2, &[("couple_id", couple)])),
    ]);

    // milestone.achieved, once per move to achieved.
    let body = json!({"title": TEXT, "description": TEXT, "phase": "acknowledge"});
    let m = id(&app.post(&format!("/api/v1/couples/{couple}/milestones"), c, body).await.expect(201).json());
    let m_path = format!("/api/v1/milestones/{m}");
    for change in [json!({"status": "in_progress"}), json!({"status": "achieved"}), json!({"title": "Renamed"})] {
        app.patch(&m_path, c, change).await.expect(200);
    }
    want.push(("milestone.achieved", d(&m, &[("couple_id", couple)])));

    // letter.released: not its draft, submission or return.
    let l = id(&lt::letter(&app, &w.a, &w.couple, TEXT, TEXT).await);
    lt::submit(&app, &w.a, &l).await;
    lt::release(&app, &w.counselor, &l).await;
    want.push(("letter.released", d(&l, &[("couple_id", couple)])));

    // activity.logged, in the portal and in session.
    let a = id(&lt::activity(&app, &w, &w.couple, json!({"instructions": TEXT})).await);
    let log = lt::portal_log(&app, &w.a, &a, json!({"done_on": day(0), "completed": true, "reflection": TEXT})).await;
    let log_a = id(&log.expect(201).json());
    let body = json!({"client_id": pb, "done_on": day(-1), "completed": false, "reflection": TEXT});
    let log_b = id(&app.post(&format!("/api/v1/activities/{a}/logs"), c, body).await.expect(201).json());
    want.extend([
        ("activity.logged", d(&log_a, &[("activity_id", &a), ("couple_id", couple), ("client_id", pa)])),
        ("activity.logged", d(&log_b, &[("activity_id", &a), ("couple_id", couple), ("client_id", pb)])),
    ]);

    // assessment.completed, by a partner and on a paper form; a second response is refused.
    let [q_a, q_b] = measures::assign(&app, &w, &w.couple).await;
    measures::answer(&app, &w.a, &q_a, csi4(3, 3, 3, 3)).await.expect(200);
    measures::answer(&app, &w.a, &q_a, csi4(3, 3, 3, 3)).await.problem(409);
    app.post(&format!("/api/v1/assessments/{q_b}/responses"), c, csi4(4, 4, 4, 4)).await.expect(200);
    want.extend([
        ("assessment.completed", d(&q_a, &[("couple_id", couple), ("client_id", pa)])),
        ("assessment.completed", d(&q_b, &[("couple_id", couple), ("client_id", pb)])),
    ]);

    // release.authorized when the last required partner authorizes; release.disclosed.
    let r = id(&consent_helpers::release(&app, &w, consent_helpers::release_body(couple, json!(["sessions"]))).await);
    assert_eq!(consent_helpers::authorize(&app, &w.a, &r).await.expect(200).json()["status"], "pending");
    assert_eq!(consent_helpers::authorize(&app, &w.b, &r).await.expect(200).json()["status"], "authorized");
    consent_helpers::authorize(&app, &w.b, &r).await.expect(200);
    app.post(&format!("/api/v1/releases/{r}/disclose"), c, json!({})).await.expect(200);
    app.post(&format!("/api/v1/releases/{r}/disclose"), c, json!({})).await.problem(409);
    want.extend([
        ("release.authorized", d(&r, &[("couple_id", couple)])),
        ("release.disclosed", d(&r, &[("couple_id", couple)])),
    ]);

    let got = events(&app, pid).await;
    let want: Vec<(String, Value)> = want.into_iter().map(|(t, d)| (t.to_string(), d)).collect();
    assert_eq!(got, want);
    let mut types: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    types.sort();
    types.dedup();
    assert_eq!(types.len(), ALL_TYPES.len(), "every event type was emitted: {types:?}");
    assert_eq!(events(&app, &w.foreign.id).await, Vec::new(), "nothing reaches another practice's webhooks");
}

#[tokio::test]
async fn a_transition_whose_change_rolls_back_emits_nothing() {
    use common::trust::World;
    use diesel::prelude::*;
    use mend::db::schema::users as u;
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    register(&app, &w.p.admin, HOOK, ALL_TYPES).await;
    let c = Some(&w.counselor);
    let couple = w.couple.id.as_str();
    let set_active = |user: &User, active: bool| {
        let uid = user.id.clone();
        app.sql(move |conn| {
            diesel::update(u::table.filter(u::id.eq(uid))).set(u::active.eq(active)).execute(conn).unwrap()
        })
    };

    // A milestone achieved with a stale If-Match: 412, nothing.
    let body = json!({"title": "T", "phase": "amends"});
    let m = id(&app.post(&format!("/api/v1/couples/{couple}/milestones"), c, body).await.expect(201).json());
    let stale = app.req(Method::PATCH, &format!("/api/v1/milestones/{m}")).auth(c).header("if-match", "\"9\"");
    stale.json(&json!({"status": "achieved"})).send().await.problem(412);

    // The last acknowledgement and the last authorization, by a partner deactivated meanwhile:
    // the work ran, its audit event found the user gone, and all of it rolled back (401).
    let body = json!({"title": "T", "responsible_ids": [w.couple.partners[0]]});
    let b = id(&app.post(&format!("/api/v1/couples/{couple}/boundaries"), c, body).await.expect(201).json());
    let ack = format!("/api/v1/portal/boundaries/{b}/acknowledge");
    app.post(&ack, Some(&w.a), json!({})).await.expect(200);
    let r = id(&consent_helpers::release(&app, &w, consent_helpers::release_body(couple, json!(["sessions"]))).await);
    consent_helpers::authorize(&app, &w.a, &r).await.expect(200);
    set_active(&w.b, false).await;
    app.post(&ack, Some(&w.b), json!({})).await.problem(401);
    consent_helpers::authorize(&app, &w.b, &r).await.problem(401);
    assert_eq!(events(&app, &w.p.id).await, Vec::new());
    let boundary = app.get(&format!("/api/v1/boundaries/{b}"), c).await.expect(200).json();
    assert_eq!(boundary["status"], "proposed");

    // Once the change commits, its event is there, once.
    set_active(&w.b, true).await;
    app.post(&ack, Some(&w.b), json!({})).await.expect(200);
    consent_helpers::authorize(&app, &w.b, &r).await.expect(200);
    let got: Vec<String> = events(&app, &w.p.id).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(got, ["boundary.activated", "release.authorized"]);
}

/// The event ids of the practice's outbox, in creation order.
async fn event_ids(app: &TestApp, practice_id: &str) -> Vec<String> {
    use diesel::prelude::*;
    use mend::db::schema::webhook_events as e;
    let pid = practice_id.to_string();
    app.sql(move |c| e::table.filter(e::practice_id.eq(pid)).select(e::id).order(e::id).load(c).expect("events")).await
}

#[tokio::test]
async fn a_webhook_gets_its_events_in_order_one_at_a_time_while_others_go_on() {
    let app = TestApp::spawn_with(INSECURE).await;
    let (slow, fast) = (Receiver::start().await, Receiver::start().await);
    let p = app.practice().await;
    register(&app, &p.admin, &slow.url, &["client.created"]).await;
    register(&app, &p.admin, &fast.url, &["client.created"]).await;
    slow.delay(300);
    // Six events due before any worker runs: all due at once, for both webhooks.
    burst(&app, &p.id, 6).await;
    let order = event_ids(&app, &p.id).await;
    let _worker = worker(&app);
    let started = std::time::Instant::now();
    let got = fast.wait_for(6, 15).await;
    let fast_done = started.elapsed();
    let ids =
        |got: &[common::webhooks::Received]| got.iter().map(|d| d.header("webhook-id").to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&got), order, "in the order the events were made");
    assert!(
        fast_done < std::time::Duration::from_millis(1500),
        "a slow webhook does not hold up another: {fast_done:?}"
    );
    let got = slow.wait_for(6, 15).await;
    assert_eq!(ids(&got), order);
    assert_eq!((slow.most_open(), fast.most_open()), (1, 1), "one attempt of a webhook in flight at a time");
    let slow_done = started.elapsed();
    assert!(slow_done >= std::time::Duration::from_millis(1400), "the slow one was sent one by one: {slow_done:?}");
    // Let the last answer go out before the worker is dropped (dropping it waits for its attempt,
    // and blocks this test's runtime, which runs the receiver).
    while slow.open() > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_event_waiting_for_its_retry_does_not_hold_up_the_later_ones() {
    let app = TestApp::spawn_with(INSECURE).await;
    let rx = Receiver::start().await;
    let p = app.practice().await;
    register(&app, &p.admin, &rx.url, &["client.created"]).await;
    rx.answer(&[500]);
    burst(&app, &p.id, 3).await;
    let order = event_ids(&app, &p.id).await;
    let settings = mend::webhooks::worker::Settings { allow_insecure: true, retry_ms: Some(1500) };
    let _worker = mend::webhooks::worker::Worker::start(app.db.clone(), settings).expect("worker");
    let got = rx.wait_for(4, 15).await;
    let ids: Vec<&str> = got.iter().map(|d| d.header("webhook-id")).collect();
    assert_eq!(
        ids,
        [&order[0], &order[1], &order[2], &order[0]],
        "the first failed, the others went on, then its retry"
    );
}

#[tokio::test]
async fn stopping_the_worker_finishes_and_records_the_attempt_in_flight() {
    use diesel::prelude::*;
    use mend::db::schema::webhook_deliveries as d;
    let app = TestApp::spawn_with(INSECURE).await;
    let rx = Receiver::start().await;
    let p = app.practice().await;
    let (hook, _) = register(&app, &p.admin, &rx.url, &["client.created"]).await;
    rx.delay(1200);
    let worker = worker(&app);
    burst(&app, &p.id, 2).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while rx.open() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(rx.open(), 1, "an attempt is in flight");
    let started = std::time::Instant::now();
    tokio::task::spawn_blocking(move || worker.stop()).await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(500), "stop waited for the attempt in flight");
    // The attempt was answered and recorded; the other event was never claimed; no claim is left.
    let log = deliveries(&app, &p.admin, &hook).await;
    let codes: Vec<Value> = log.iter().map(|d| d["status_code"].clone()).collect();
    assert_eq!(codes, [json!(null), json!(200)], "{log:?}");
    let claimed: i64 = app
        .sql(|c| {
            d::table
                .filter(d::status.eq("pending"))
                .filter(d::claimed_until.is_not_null())
                .count()
                .get_result(c)
                .unwrap()
        })
        .await;
    assert_eq!(claimed, 0);
    assert_eq!(rx.received().len(), 1);
    // A new worker sends the rest at once (no lease to wait for).
    let _next = common::webhooks::worker(&app);
    assert_eq!(rx.wait_for(2, 5).await.len(), 2);
}

#[tokio::test]
async fn after_the_overlap_only_the_new_secret_signs() {
    use diesel::prelude::*;
    use mend::db::schema::webhooks as w;
    let app = TestApp::spawn_with(INSECURE).await;
    let _worker = worker(&app);
    let rx = Receiver::start().await;
    let p = app.practice().await;
    let (hook, old) = register(&app, &p.admin, &rx.url, &["client.created"]).await;
    let rot = app.post(&format!("/api/v1/webhooks/{hook}/rotate-secret"), Some(&p.admin), json!({})).await;
    let new = rot.expect(200).json()["secret"].as_str().unwrap().to_string();
    let expires: Option<chrono::NaiveDateTime> =
        app.sql(|c| w::table.select(w::previous_secret_expires_at).first(c).unwrap()).await;
    let hours = (expires.unwrap() - mend::db::now()).num_minutes() as f64 / 60.0;
    assert!((23.9..=24.0).contains(&hours), "the old secret stays valid 24 h: {hours}");
    app.sql(|c| {
        let past = mend::db::now() - chrono::Duration::seconds(1);
        diesel::update(w::table).set(w::previous_secret_expires_at.eq(Some(past))).execute(c).unwrap()
    })
    .await;
    burst(&app, &p.id, 1).await;
    let got = rx.wait_for(1, 15).await;
    let dl = &got[0];
    let (id, ts, sig) =
        (dl.header("webhook-id"), dl.header("webhook-timestamp").parse().unwrap(), dl.header("webhook-signature"));
    assert_eq!(sig.split(' ').count(), 1, "{sig}");
    assert!(verify(&new, id, ts, dl.body.as_bytes(), sig));
    assert!(!verify(&old, id, ts, dl.body.as_bytes(), sig));
}

#[tokio::test]
async fn both_partners_at_once_make_one_transition_and_one_event() {
    use common::trust::World;
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    register(&app, &w.p.admin, HOOK, ALL_TYPES).await;
    let c = Some(&w.counselor);
    let couple = w.couple.id.as_str();
    let mut ids = Vec::new();
    for round in 0..3 {
        let body = json!({"title": format!("T{round}"), "responsible_ids": [w.couple.partners[0]]});
        let b = id(&app.post(&format!("/api/v1/couples/{couple}/boundaries"), c, body).await.expect(201).json());
        let r =
            id(&consent_helpers::release(&app, &w, consent_helpers::release_body(couple, json!(["sessions"]))).await);
        let (a1, b1, a2, b2) = tokio::join!(
            ack(&app, &w.a, &b),
            ack(&app, &w.b, &b),
            consent_helpers::authorize(&app, &w.a, &r),
            consent_helpers::authorize(&app, &w.b, &r),
        );
        for resp in [a1, b1, a2, b2] {
            resp.expect(200);
        }
        ids.extend([("boundary.activated".to_string(), b), ("release.authorized".to_string(), r)]);
    }
    let mut got: Vec<(String, String)> =
        events(&app, &w.p.id).await.into_iter().map(|(t, d)| (t, d["id"].as_str().unwrap().to_string())).collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "one event per transition");
}
