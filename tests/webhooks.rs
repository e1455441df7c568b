//! Webhooks, through the HTTP API and a receiver on 127.0.0.1: admin endpoints and every other
//! audience, the SSRF rule, the outbox written in the change's transaction, signed thin
//! deliveries, retries with the same `webhook-id`, 410, rotation and manual retry.

mod common;

use common::clinical::*;
use common::webhooks::*;
use common::*;
use mend::webhooks::sign::verify;
use reqwest::Method;
use serde_json::json;

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
    for url in [
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
    ] {
        let e = app
            .post("/api/v1/webhooks", Some(&p.admin), json!({"url": url, "event_types": ["client.created"]}))
            .await
            .problem(422);
        assert_eq!(e["errors"][0]["field"], "url", "{url}");
    }
    let id = register(&app, &p.admin, HOOK, &["client.created"]).await.0;
    let e = app
        .patch(&format!("/api/v1/webhooks/{id}"), Some(&p.admin), json!({"url": "https://10.1.1.1/x"}))
        .await
        .problem(422);
    assert_eq!(e["errors"][0]["field"], "url");
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
