//! Shared activities: the library, a couple's activities, partners' logs with their rules, the
//! three tiers of a log, and every audience of every endpoint.

mod common;

use common::between::*;
use common::trust::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn logs(id: &str) -> String {
    format!("/api/v1/activities/{id}/logs")
}

fn portal_logs(id: &str) -> String {
    format!("/api/v1/portal/activities/{id}/logs")
}

#[tokio::test]
async fn the_library_has_at_least_six_plain_language_templates() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let list = app.get("/api/v1/activity-templates", Some(&w.counselor)).await.expect(200).json();
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 6);
    for t in items {
        assert_eq!(keys(t), ["cadence", "instructions", "key", "reflection_prompt", "times_per_period", "title"]);
        assert!(t["instructions"].as_str().unwrap().len() > 80, "{t}");
    }
    let keys: Vec<&str> = items.iter().map(|t| t["key"].as_str().unwrap()).collect();
    for k in ["daily-check-in", "weekly-meeting", "something-new", "appreciation-exchange", "walk-together"] {
        assert!(keys.contains(&k), "{k}");
    }
    app.get("/api/v1/activity-templates", Some(&w.other_counselor)).await.expect(200);
    app.get("/api/v1/activity-templates", Some(&w.a)).await.problem(403);
    app.get("/api/v1/activity-templates", None).await.problem(401);
}

#[tokio::test]
async fn counselor_assigns_reads_lists_and_updates_activities() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let r = app
        .post(
            &format!("/api/v1/couples/{}/activities", w.couple.id),
            Some(&w.counselor),
            json!({"title": "Check in", "assigned_to": "both", "cadence": "daily", "starts_on": day(-3),
                   "ends_on": day(30), "instructions": "Ten minutes, no phones.", "reflection_prompt": "How was it?"}),
        )
        .await
        .expect(201);
    let a = r.json();
    let id = id_of(&a);
    assert_eq!(r.header("location"), Some(format!("/api/v1/activities/{id}")));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!((a["status"].as_str(), a["times_per_period"].as_i64()), (Some("active"), Some(1)));
    assert_eq!(a["assigned_to"], "both");
    assert!(audited_as(&app, &id, "create", "success", &w.counselor.id).await);

    let t = app
        .post(
            &format!("/api/v1/couples/{}/activities/from-template", w.couple.id),
            Some(&w.counselor),
            json!({"template": "walk-together", "starts_on": day(0), "assigned_to": w.couple.partners[1]}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(
        (t["title"].as_str(), t["cadence"].as_str(), t["times_per_period"].as_i64()),
        (Some("Walk together"), Some("weekly"), Some(3))
    );
    assert_eq!(t["assigned_to"], json!(w.couple.partners[1]));
    assert!(t["instructions"].as_str().unwrap().contains("twenty minutes"));

    let read = app.get(&format!("/api/v1/activities/{id}"), Some(&w.counselor)).await.expect(200);
    assert_eq!(read.json()["reflection_prompt"], "How was it?");
    let list = app
        .get(&format!("/api/v1/couples/{}/activities?limit=1", w.couple.id), Some(&w.counselor))
        .await
        .expect(200)
        .json();
    assert_eq!(ids(&list), vec![id.clone()]);
    let next = list["next_cursor"].as_str().unwrap();
    let list = app
        .get(&format!("/api/v1/couples/{}/activities?limit=1&cursor={next}", w.couple.id), Some(&w.counselor))
        .await
        .expect(200)
        .json();
    assert_eq!(ids(&list), vec![id_of(&t)]);
    assert!(list["next_cursor"].is_null());

    let path = format!("/api/v1/activities/{id}");
    app.req(Method::PATCH, &path)
        .auth(Some(&w.counselor))
        .header("if-match", "\"7\"")
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .problem(412);
    let p = app
        .req(Method::PATCH, &path)
        .auth(Some(&w.counselor))
        .header("if-match", "\"1\"")
        .json(&json!({"status": "paused", "ends_on": null, "times_per_period": 2, "assigned_to": w.couple.partners[0]}))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(
        (p["status"].as_str(), p["version"].as_i64(), p["times_per_period"].as_i64()),
        (Some("paused"), Some(2), Some(2))
    );
    assert!(p["ends_on"].is_null());
    assert_eq!(p["assigned_to"], json!(w.couple.partners[0]));
    assert!(audited_as(&app, &id, "update", "success", &w.counselor.id).await);
    app.patch(&path, Some(&w.counselor), json!({"status": "retired"})).await.expect(200);
    app.patch(&path, Some(&w.counselor), json!({"title": "again"})).await.problem(409);
}

#[tokio::test]
async fn bad_activity_input_is_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let path = format!("/api/v1/couples/{}/activities", w.couple.id);
    let base = json!({"title": "t", "assigned_to": "both", "cadence": "daily", "starts_on": day(0)});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, status) in [
        (with("cadence", json!("monthly")), 400),
        (with("status", json!("active")), 400),
        (with("practice_id", json!("x")), 400),
        (with("times_per_period", json!("two")), 400),
        (with("times_per_period", json!(15)), 422),
        (with("times_per_period", json!(0)), 422),
        (with("title", json!("x".repeat(201))), 422),
        (with("instructions", json!("x".repeat(5001))), 422),
        (with("reflection_prompt", json!("x".repeat(1001))), 422),
        (with("assigned_to", json!("everyone")), 422),
        (with("assigned_to", json!(w.other_couple.partners[0])), 422),
        (with("starts_on", json!("2026-02-30")), 422),
        (with("ends_on", json!(day(-1))), 422),
    ] {
        app.post(&path, Some(&w.counselor), body.clone()).await.problem(status);
    }
    let e = app
        .post(&path, Some(&w.counselor), json!({"title": " ", "assigned_to": "x", "cadence": "once", "starts_on": "x"}))
        .await
        .problem(422);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "assigned_to", "starts_on"]);
    let tpl = format!("/api/v1/couples/{}/activities/from-template", w.couple.id);
    app.post(&tpl, Some(&w.counselor), json!({"template": "trust-repair", "starts_on": day(0)})).await.problem(422);
    app.post(&tpl, Some(&w.counselor), json!({"template": "walk-together", "starts_on": day(0), "cadence": "daily"}))
        .await
        .problem(400);
    let list = app.get(&path, Some(&w.counselor)).await.expect(200).json();
    assert!(ids(&list).is_empty(), "{list}");
    let id = id_of(&activity(&app, &w, &w.couple, json!({})).await);
    let p = format!("/api/v1/activities/{id}");
    app.patch(&p, Some(&w.counselor), json!({"status": "done"})).await.problem(400);
    app.patch(&p, Some(&w.counselor), json!({"ends_on": day(-30)})).await.problem(422);
    app.patch(&p, Some(&w.counselor), json!({"assigned_to": w.outsider.client_id})).await.problem(422);
    let v = app.get(&p, Some(&w.counselor)).await.expect(200).json();
    assert_eq!(v["version"], 1);
}

#[tokio::test]
async fn staff_paths_refuse_every_other_audience() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&activity(&app, &w, &w.couple, json!({})).await);
    let couple = format!("/api/v1/couples/{}/activities", w.couple.id);
    assert_staff_only(&app, &w, Method::GET, &couple, None, &w.couple.id).await;
    let body = json!({"title": "t", "assigned_to": "both", "cadence": "daily", "starts_on": day(0)});
    assert_staff_only(&app, &w, Method::POST, &couple, Some(body), &w.couple.id).await;
    let tpl = format!("{couple}/from-template");
    assert_staff_only(
        &app,
        &w,
        Method::POST,
        &tpl,
        Some(json!({"template": "walk-together", "starts_on": day(0)})),
        &w.couple.id,
    )
    .await;
    let one = format!("/api/v1/activities/{id}");
    assert_staff_only(&app, &w, Method::GET, &one, None, &id).await;
    assert_staff_only(&app, &w, Method::PATCH, &one, Some(json!({"title": "x"})), &id).await;
    assert_staff_only(&app, &w, Method::GET, &logs(&id), None, &id).await;
    let log = json!({"client_id": w.couple.partners[0], "done_on": day(0), "completed": true});
    assert_staff_only(&app, &w, Method::POST, &logs(&id), Some(log), &id).await;
    let list = app.get(&couple, Some(&w.counselor)).await.expect(200).json();
    assert_eq!(ids(&list), vec![id.clone()]);
    assert!(app.get(&logs(&id), Some(&w.counselor)).await.expect(200).json()["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_one_partner_activity_is_invisible_to_the_other_partner() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let solo =
        id_of(&activity(&app, &w, &w.couple, json!({"title": "Journal", "assigned_to": w.couple.partners[0]})).await);
    let both = id_of(&activity(&app, &w, &w.couple, json!({})).await);
    let other = id_of(&activity(&app, &w, &w.other_couple, json!({})).await);

    let mine = app.get("/api/v1/portal/activities", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&mine), vec![solo.clone(), both.clone()]);
    assert!(mine["items"][0].get("version").is_none());
    let theirs = app.get("/api/v1/portal/activities", Some(&w.b)).await.expect(200).json();
    assert_eq!(ids(&theirs), vec![both.clone()]);
    assert!(!serde_json::to_string(&theirs).unwrap().contains("Journal"));
    assert!(audited_as(&app, &w.b.client_id.clone().unwrap(), "list", "success", &w.b.id).await);

    let ok = json!({"done_on": day(0), "completed": true});
    assert_portal_hidden(&app, &w, Method::GET, &portal_logs(&solo), None, &solo, &[&w.b, &w.outsider]).await;
    assert_portal_hidden(&app, &w, Method::POST, &portal_logs(&solo), Some(ok.clone()), &solo, &[&w.b, &w.outsider])
        .await;
    assert_portal_hidden(&app, &w, Method::GET, &portal_logs(&other), None, &other, &[&w.a, &w.b]).await;
    assert_portal_hidden(&app, &w, Method::POST, &portal_logs(&other), Some(ok.clone()), &other, &[&w.a, &w.b]).await;
    for u in w.staff() {
        app.get("/api/v1/portal/activities", Some(u)).await.problem(403);
    }
    app.get("/api/v1/portal/activities", None).await.problem(401);
    // The assignee may log it; nothing was logged by the refused attempts.
    portal_log(&app, &w.a, &solo, ok).await.expect(201);
    let all = app.get(&logs(&solo), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // Paused stays listed, completed and retired do not.
    app.patch(&format!("/api/v1/activities/{both}"), Some(&w.counselor), json!({"status": "paused"})).await.expect(200);
    app.patch(&format!("/api/v1/activities/{solo}"), Some(&w.counselor), json!({"status": "completed"}))
        .await
        .expect(200);
    let mine = app.get("/api/v1/portal/activities", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&mine), vec![both.clone()]);
    assert_eq!(mine["items"][0]["status"], "paused");
}

#[tokio::test]
async fn portal_logs_keep_to_the_window_the_day_and_the_status() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&activity(&app, &w, &w.couple, json!({"starts_on": day(-5), "ends_on": day(-1)})).await);
    let log = |done_on: String| json!({"done_on": done_on, "completed": true});
    for (body, status) in [
        (log(day(2)), 422),
        (log(day(-6)), 422),
        (log(day(0)), 422),
        (log("yesterday".into()), 422),
        (json!({"done_on": day(-2)}), 400),
        (json!({"done_on": day(-2), "completed": "yes"}), 400),
        (json!({"done_on": day(-2), "completed": true, "client_id": w.couple.partners[1]}), 400),
        (json!({"done_on": day(-2), "completed": true, "reflection": "r".repeat(5001)}), 422),
    ] {
        let e = portal_log(&app, &w.a, &id, body.clone()).await.problem(status);
        if status == 422 {
            assert!(["done_on", "reflection"].contains(&e["errors"][0]["field"].as_str().unwrap()), "{e}");
        }
    }
    let first = portal_log(&app, &w.a, &id, log(day(-2))).await.expect(201);
    let v = first.json();
    assert_eq!(
        keys(&v),
        ["activity_id", "client_id", "completed", "created_at", "done_on", "id", "reflection", "shared_with_partner"]
    );
    assert_eq!((v["client_id"].clone(), v["shared_with_partner"].clone()), (json!(w.couple.partners[0]), json!(false)));
    assert!(audited_as(&app, &id_of(&v), "log", "success", &w.a.id).await);
    portal_log(&app, &w.a, &id, log(day(-5))).await.expect(201);
    portal_log(&app, &w.a, &id, log(day(-1))).await.expect(201);
    // A second log for the same day: 409, also by a counselor in session.
    portal_log(&app, &w.a, &id, json!({"done_on": day(-2), "completed": false})).await.problem(409);
    let staff_log = json!({"client_id": w.couple.partners[0], "done_on": day(-2), "completed": true});
    app.post(&logs(&id), Some(&w.counselor), staff_log).await.problem(409);
    // The other partner has their own day.
    portal_log(&app, &w.b, &id, log(day(-2))).await.expect(201);
    // Two at once for the same day: one of them.
    let (x, y) = tokio::join!(portal_log(&app, &w.b, &id, log(day(-3))), portal_log(&app, &w.b, &id, log(day(-3))));
    let mut pair = [x.status, y.status];
    pair.sort();
    assert_eq!(pair, [201, 409]);
    // Only while active.
    app.patch(&format!("/api/v1/activities/{id}"), Some(&w.counselor), json!({"status": "paused"})).await.expect(200);
    portal_log(&app, &w.a, &id, log(day(-4))).await.problem(409);
    let all = app.get(&logs(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(all["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn reflections_reach_the_other_partner_only_when_shared() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&activity(&app, &w, &w.couple, json!({})).await);
    portal_log(&app, &w.a, &id, json!({"done_on": day(-1), "completed": true, "reflection": "private thoughts"}))
        .await
        .expect(201);
    portal_log(
        &app,
        &w.a,
        &id,
        json!({"done_on": day(-2), "completed": false, "reflection": "for you", "share_with_partner": true}),
    )
    .await
    .expect(201);
    portal_log(&app, &w.b, &id, json!({"done_on": day(-1), "completed": true, "reflection": "mine"})).await.expect(201);

    let seen = app.get(&portal_logs(&id), Some(&w.b)).await.expect(200);
    assert!(!seen.text.contains("private thoughts"), "{}", seen.text);
    let items = seen.json()["items"].as_array().unwrap().clone();
    let summary: Vec<(String, String, Value)> = items
        .iter()
        .map(|i| (i["whose"].as_str().unwrap().into(), i["done_on"].as_str().unwrap().into(), i["reflection"].clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("mine".into(), day(-1), json!("mine")),
            ("partner".into(), day(-1), Value::Null),
            ("partner".into(), day(-2), json!("for you")),
        ]
    );
    assert!(audited_as(&app, &id, "list", "success", &w.b.id).await);
    // The author sees their own, in full; the counselor sees every log and every reflection.
    let own = app.get(&portal_logs(&id), Some(&w.a)).await.expect(200).text;
    assert!(own.contains("private thoughts") && own.contains("for you") && !own.contains("\"mine\",\"done_on\""));
    let all = app.get(&logs(&id), Some(&w.counselor)).await.expect(200).text;
    for r in ["private thoughts", "for you", "mine"] {
        assert!(all.contains(r), "{r}");
    }
    // On an activity that is for one partner only, nobody else's logs are shown at all.
    let solo = id_of(&activity(&app, &w, &w.couple, json!({"assigned_to": w.couple.partners[1]})).await);
    app.post(
        &logs(&solo),
        Some(&w.counselor),
        json!({"client_id": w.couple.partners[1], "done_on": day(0), "completed": true, "reflection": "in session"}),
    )
    .await
    .expect(201);
    let page = app.get(&portal_logs(&solo), Some(&w.b)).await.expect(200).json();
    assert_eq!(page["items"][0]["whose"], "mine");
    assert_eq!(page["items"][0]["shared_with_partner"], false);
    // Paging over both tiers.
    let p1 = app.get(&format!("{}?limit=2", portal_logs(&id)), Some(&w.b)).await.expect(200).json();
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let c = p1["next_cursor"].as_str().unwrap();
    let p2 = app.get(&format!("{}?limit=2&cursor={c}", portal_logs(&id)), Some(&w.b)).await.expect(200).json();
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert_eq!(p2["items"][0]["reflection"], "for you");
}

#[tokio::test]
async fn counselors_log_in_session_for_an_assignee() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let solo = id_of(&activity(&app, &w, &w.couple, json!({"assigned_to": w.couple.partners[0]})).await);
    let body =
        |client: &str| json!({"client_id": client, "done_on": day(-1), "completed": false, "reflection": "Too tired."});
    let r = app.post(&logs(&solo), Some(&w.counselor), body(&w.couple.partners[0])).await.expect(201).json();
    assert_eq!(r["recorded_by"], json!(w.counselor.id));
    assert!(audited_as(&app, &id_of(&r), "log", "success", &w.counselor.id).await);
    let e = app.post(&logs(&solo), Some(&w.counselor), body(&w.couple.partners[1])).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "client_id");
    app.post(&logs(&solo), Some(&w.counselor), body(&w.other_couple.partners[0])).await.problem(422);
    let mut future = body(&w.couple.partners[0]);
    future["done_on"] = json!(day(3));
    app.post(&logs(&solo), Some(&w.counselor), future).await.problem(422);
    app.post(&logs(&solo), Some(&w.counselor), json!({"client_id": "nope", "done_on": day(-1), "completed": true}))
        .await
        .problem(400);
    let all = app.get(&logs(&solo), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    assert_eq!(all["items"][0]["reflection"], "Too tired.");
}

#[tokio::test]
async fn progress_counts_activities_and_their_logs_of_the_last_30_days() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let path = format!("/api/v1/couples/{}/progress", w.couple.id);
    let p = app.get(&path, Some(&w.counselor)).await.expect(200).json();
    assert_eq!(p["activities"], json!({"active": 0, "logs_30d": {"completed": 0, "missed": 0}}));
    let a = id_of(&activity(&app, &w, &w.couple, json!({"starts_on": day(-60)})).await);
    let b = id_of(&activity(&app, &w, &w.couple, json!({})).await);
    activity(&app, &w, &w.other_couple, json!({})).await;
    for (who, d, done) in [(&w.a, -1, true), (&w.b, -1, true), (&w.a, -2, false), (&w.a, -45, true)] {
        portal_log(&app, who, &a, json!({"done_on": day(d), "completed": done})).await.expect(201);
    }
    portal_log(&app, &w.a, &b, json!({"done_on": day(0), "completed": false})).await.expect(201);
    app.patch(&format!("/api/v1/activities/{b}"), Some(&w.counselor), json!({"status": "paused"})).await.expect(200);
    let p = app.get(&path, Some(&w.counselor)).await.expect(200).json();
    // `a` is daily for both partners: the 29 days of the window that have ended ask 58 completed
    // logs, and 2 came (one each, yesterday); the other 56 are missed, logged "not done" or not
    // logged at all. `b` is paused: it misses nothing.
    assert_eq!(p["activities"], json!({"active": 1, "logs_30d": {"completed": 2, "missed": 56}}));
    assert!(p["milestones"].is_object() && p["boundaries"].is_object() && p["sessions"].is_object());
}
