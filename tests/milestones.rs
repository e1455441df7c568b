//! Milestones, the built-in plans and progress, through the HTTP API.

mod common;

use chrono::NaiveDateTime;
use common::trust::*;
use common::*;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

fn titles(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn templates_are_listed_for_staff_only() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    for u in w.staff() {
        let list = app.get("/api/v1/milestone-templates", Some(u)).await.expect(200).json();
        let items = list["items"].as_array().unwrap();
        let repair = items.iter().find(|t| t["key"] == "trust-repair").expect("trust-repair");
        assert_eq!(
            repair["phases"],
            json!(["acknowledge", "understand", "amends", "rebuild", "reconnect", "forgive", "sustain"])
        );
        let ms = repair["milestones"].as_array().unwrap();
        assert!(ms.len() >= 7);
        assert!(ms.iter().all(|m| m["title"].is_string() && m["description"].is_string() && m["phase"].is_string()));
        let three = items.iter().find(|t| t["key"] == "three-stage").expect("three-stage");
        assert_eq!(three["phases"], json!(["impact", "meaning", "moving-forward"]));
        assert!(three["description"].as_str().unwrap().contains("parting well"));
    }
    for u in w.clients() {
        app.get("/api/v1/milestone-templates", Some(u)).await.problem(403);
    }
    app.get("/api/v1/milestone-templates", None).await.problem(401);
}

#[tokio::test]
async fn milestones_are_created_ordered_and_validated() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let path = format!("/api/v1/couples/{}/milestones", w.couple.id);
    let first = app
        .post(&path, c, json!({"title": "Apology 🙏 '; --", "phase": "amends", "target_on": "2027-03-01"}))
        .await
        .expect(201);
    assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
    let m = first.json();
    let id = m["id"].as_str().unwrap().to_string();
    assert_eq!(first.header("location"), Some(format!("/api/v1/milestones/{id}")));
    assert_eq!(m["title"], "Apology 🙏 '; --");
    assert_eq!(m["status"], "not_started");
    assert_eq!(m["visible_to_clients"], true);
    assert_eq!(m["position"], 0);
    assert_eq!(m["achieved_on"], json!(null));
    assert_eq!(m["target_on"], "2027-03-01");
    assert_eq!(m.as_object().unwrap().len(), 13);
    assert!(audited_as(&app, &id, "create", "success", &w.counselor.id).await);
    assert_eq!(app.get(&format!("/api/v1/milestones/{id}"), c).await.expect(200).json(), m);

    let second =
        milestone(&app, &w, &w.couple, json!({"title": "Second", "phase": "rebuild", "visible_to_clients": false}))
            .await;
    assert_eq!(second["position"], 1);
    assert_eq!(second["visible_to_clients"], false);
    // An explicit position places it; ties are ordered by id.
    milestone(&app, &w, &w.couple, json!({"title": "Between", "phase": "amends", "position": 1})).await;
    milestone(&app, &w, &w.couple, json!({"title": "Top", "phase": "acknowledge", "position": 0})).await;
    let list = app.get(&path, c).await.expect(200).json();
    assert_eq!(titles(&list), ["Apology 🙏 '; --", "Top", "Second", "Between"]);
    let page1 = app.get(&format!("{path}?limit=3"), c).await.expect(200).json();
    let cur = page1["next_cursor"].as_str().unwrap().to_string();
    let page2 = app.get(&format!("{path}?limit=3&cursor={cur}"), c).await.expect(200).json();
    assert_eq!([titles(&page1), titles(&page2)].concat(), titles(&list));

    // Nasty inputs.
    for body in [
        json!({"title": "T", "phase": "amends", "status": "achieved"}),
        json!({"title": "T", "phase": "amends", "template_key": "trust-repair"}),
        json!({"title": "T", "phase": "amends", "couple_id": w.other_couple.id}),
        json!({"title": "T", "phase": 3}),
        json!({"title": "T", "phase": "amends", "position": "first"}),
        json!({"title": "T", "phase": "amends", "visible_to_clients": "no"}),
        json!({"title": "T"}),
    ] {
        app.post(&path, c, body).await.problem(400);
    }
    for (body, field) in [
        (json!({"title": "", "phase": "amends"}), "title"),
        (json!({"title": "x".repeat(201), "phase": "amends"}), "title"),
        (json!({"title": "T", "phase": "Make Amends"}), "phase"),
        (json!({"title": "T", "phase": ""}), "phase"),
        (json!({"title": "T", "phase": "amends", "target_on": "1990-02-30"}), "target_on"),
        (json!({"title": "T", "phase": "amends", "position": -1}), "position"),
        (json!({"title": "T", "phase": "amends", "position": 1_000_001}), "position"),
        (json!({"title": "T", "phase": "amends", "description": "x".repeat(2001)}), "description"),
    ] {
        let p = app.post(&path, c, body.clone()).await.problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(app.get(&path, c).await.json()["items"].as_array().unwrap().len(), 4);
    app.post("/api/v1/couples/nope/milestones", c, json!({"title": "T", "phase": "amends"})).await.problem(400);
    app.get("/api/v1/milestones/nope", c).await.problem(400);
}

#[tokio::test]
async fn achieving_records_the_date_in_the_practice_time_zone() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    // A zone far from UTC, so a UTC date would often be wrong.
    let pid = w.p.id.clone();
    app.sql(move |conn| {
        use mend::db::schema::practices as p;
        diesel::update(p::table.filter(p::id.eq(pid))).set(p::timezone.eq("Pacific/Kiritimati")).execute(conn).unwrap();
    })
    .await;
    let tz: chrono_tz::Tz = "Pacific/Kiritimati".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive().format("%Y-%m-%d").to_string();

    let m = milestone(&app, &w, &w.couple, json!({"title": "Heard", "phase": "acknowledge"})).await;
    let path = format!("/api/v1/milestones/{}", m["id"].as_str().unwrap());
    let r = app.patch(&path, c, json!({"status": "in_progress"})).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let a = app.patch(&path, c, json!({"status": "achieved"})).await.expect(200).json();
    assert_eq!(a["status"], "achieved");
    assert_eq!(a["achieved_on"], today);
    // Other edits keep the date; leaving achieved clears it.
    let a = app.patch(&path, c, json!({"title": "Heard, both"})).await.expect(200).json();
    assert_eq!(a["achieved_on"], today);
    let back = app.patch(&path, c, json!({"status": "in_progress"})).await.expect(200).json();
    assert_eq!(back["achieved_on"], json!(null));
    // A given date is kept; a date without achieving is refused.
    let a = app.patch(&path, c, json!({"status": "achieved", "achieved_on": "2026-11-02"})).await.expect(200).json();
    assert_eq!(a["achieved_on"], "2026-11-02");
    app.patch(&path, c, json!({"status": "set_aside", "achieved_on": "2026-11-02"})).await.problem(422);
    app.patch(&path, c, json!({"achieved_on": null})).await.problem(422);
    app.patch(&path, c, json!({"achieved_on": "2026-02-30"})).await.problem(422);
    let s = app.patch(&path, c, json!({"status": "set_aside"})).await.expect(200).json();
    assert_eq!((s["status"].as_str(), s["achieved_on"].as_str()), (Some("set_aside"), None));

    // Other fields, If-Match, nasties.
    let v = s["version"].as_i64().unwrap();
    let r = app
        .req(Method::PATCH, &path)
        .auth(c)
        .header("if-match", &format!("\"{v}\""))
        .json(&json!({"visible_to_clients": false, "position": 7, "phase": "understand", "target_on": "2027-05-01",
                      "description": "Ünïcode"}))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!((r["visible_to_clients"].as_bool(), r["position"].as_i64()), (Some(false), Some(7)));
    assert_eq!((r["phase"].as_str(), r["target_on"].as_str()), (Some("understand"), Some("2027-05-01")));
    let stale =
        app.req(Method::PATCH, &path).auth(c).header("if-match", &format!("\"{v}\"")).json(&json!({"title": "X"}));
    stale.send().await.problem(412);
    app.patch(&path, c, json!({"status": "done"})).await.problem(400);
    app.patch(&path, c, json!({"couple_id": w.other_couple.id})).await.problem(400);
    app.patch(&path, c, json!({"title": "x".repeat(201)})).await.problem(422);
    app.patch(&path, c, json!({"target_on": null, "description": null})).await.expect(200);
    assert!(audited_as(&app, m["id"].as_str().unwrap(), "update", "success", &w.counselor.id).await);
}

#[tokio::test]
async fn templates_are_applied_in_order_and_replaced_without_losing_history() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let own = milestone(&app, &w, &w.couple, json!({"title": "Our own first step", "phase": "start"})).await;
    let path = format!("/api/v1/couples/{}/milestones/from-template", w.couple.id);

    let r = app.post(&path, c, json!({"template": "trust-repair"})).await.expect(201);
    assert_eq!(r.header("location"), Some(format!("/api/v1/couples/{}/milestones", w.couple.id)));
    let applied = r.json();
    let items = applied["items"].as_array().unwrap().clone();
    let tpl = app.get("/api/v1/milestone-templates", c).await.json();
    let plan = tpl["items"].as_array().unwrap().iter().find(|t| t["key"] == "trust-repair").unwrap().clone();
    let want: Vec<&str> = plan["milestones"].as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert_eq!(titles(&applied), want);
    for (i, m) in items.iter().enumerate() {
        assert_eq!(m["position"], json!(i + 1), "after the couple's own milestone");
        assert_eq!(m["status"], "not_started");
        assert_eq!(m["visible_to_clients"], true);
    }
    assert_eq!(items[0]["phase"], "acknowledge");
    assert_eq!(items.last().unwrap()["phase"], "sustain");

    // Applying it again is a conflict and changes nothing.
    app.post(&path, c, json!({"template": "trust-repair"})).await.problem(409);
    // Unknown plans, bad bodies and queries.
    let p = app.post(&path, c, json!({"template": "nope"})).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "template");
    app.post(&path, c, json!({"template": 1})).await.problem(400);
    app.post(&path, c, json!({"template": "trust-repair", "replace": true})).await.problem(400);
    app.post(&format!("{path}?replace=maybe"), c, json!({"template": "trust-repair"})).await.problem(400);
    let all = app.get(&format!("/api/v1/couples/{}/milestones?limit=100", w.couple.id), c).await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 1 + items.len());

    // The counselor edits, reorders and sets aside template milestones like any other.
    let first = items[0]["id"].as_str().unwrap();
    let done =
        app.patch(&format!("/api/v1/milestones/{first}"), c, json!({"status": "achieved", "title": "Named"})).await;
    assert_eq!(done.expect(200).json()["status"], "achieved");
    let second = items[1]["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/milestones/{second}"), c, json!({"status": "in_progress", "position": 0}))
        .await
        .expect(200);
    let third = items[2]["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/milestones/{third}"), c, json!({"status": "set_aside"})).await.expect(200);

    // replace=true: the earlier copy's unachieved milestones are set aside, achieved ones stay,
    // nothing is deleted, and a fresh copy follows.
    let again =
        app.post(&format!("{path}?replace=true"), c, json!({"template": "trust-repair"})).await.expect(201).json();
    assert_eq!(again["items"].as_array().unwrap().len(), items.len());
    let all = app.get(&format!("/api/v1/couples/{}/milestones?limit=100", w.couple.id), c).await.json();
    let all = all["items"].as_array().unwrap();
    assert_eq!(all.len(), 1 + 2 * items.len(), "nothing deleted");
    let status_of = |id: &str| all.iter().find(|m| m["id"] == id).unwrap()["status"].as_str().unwrap().to_string();
    assert_eq!(status_of(first), "achieved");
    assert_eq!(status_of(second), "set_aside");
    for m in &items[3..] {
        assert_eq!(status_of(m["id"].as_str().unwrap()), "set_aside");
    }
    assert_eq!(status_of(own["id"].as_str().unwrap()), "not_started", "milestones of no plan are untouched");
    // Each milestone made or set aside by a plan has its own audit event.
    assert!(audited_as(&app, items[4]["id"].as_str().unwrap(), "create", "success", &w.counselor.id).await);
    assert!(audited_as(&app, items[4]["id"].as_str().unwrap(), "update", "success", &w.counselor.id).await);
    assert!(audited_as(&app, &w.couple.id, "create", "success", &w.counselor.id).await);
    // Another plan can be added alongside.
    let three = app.post(&path, c, json!({"template": "three-stage"})).await.expect(201).json();
    assert_eq!(three["items"][0]["phase"], "impact");
}

#[tokio::test]
async fn progress_counts_milestones_boundaries_and_sessions() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let path = format!("/api/v1/couples/{}/progress", w.couple.id);
    let empty = app.get(&path, c).await.expect(200).json();
    assert_eq!(
        empty,
        json!({"milestones": {"total": 0, "achieved": 0, "in_progress": 0, "by_phase": []},
               "boundaries": {"active": 0, "check_ins_30d": {"kept": 0, "broken": 0}},
               "sessions": {"completed": 0, "next_at": null},
               "activities": {"active": 0, "logs_30d": {"completed": 0, "missed": 0}}})
    );

    let items = app
        .post(
            &format!("/api/v1/couples/{}/milestones/from-template", w.couple.id),
            c,
            json!({"template": "three-stage"}),
        )
        .await
        .expect(201)
        .json()["items"]
        .as_array()
        .unwrap()
        .clone();
    let set = |i: usize, status: &'static str| {
        let id = items[i]["id"].as_str().unwrap().to_string();
        let app = &app;
        async move { app.patch(&format!("/api/v1/milestones/{id}"), c, json!({"status": status})).await.expect(200) }
    };
    set(0, "achieved").await; // impact
    set(1, "in_progress").await; // impact
    set(2, "achieved").await; // meaning
    set(6, "set_aside").await; // moving-forward: no longer counted

    // Boundaries: two active (by the counselor), one proposed; check-ins now and 40 days ago.
    let mut active_id = String::new();
    for i in 0..3 {
        let b = boundary(&app, &w, &w.couple, &format!("B{i}")).await;
        if i < 2 {
            active_id = b["id"].as_str().unwrap().to_string();
            app.patch(&format!("/api/v1/boundaries/{active_id}"), c, json!({"status": "active"})).await.expect(200);
        }
    }
    let pa = w.couple.partners[0].clone();
    for kept in [true, true, false] {
        app.post(&format!("/api/v1/boundaries/{active_id}/check-ins"), c, json!({"reported_by": pa, "kept": kept}))
            .await
            .expect(201);
    }
    let old = app
        .post(&format!("/api/v1/boundaries/{active_id}/check-ins"), c, json!({"reported_by": pa, "kept": false}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.sql(move |conn| {
        use mend::db::schema::boundary_check_ins as ci;
        let when = mend::db::now() - chrono::Duration::days(40);
        diesel::update(ci::table.filter(ci::id.eq(old))).set(ci::created_at.eq(when)).execute(conn).unwrap();
    })
    .await;
    // Another couple's activity is not counted.
    let ob = boundary(&app, &w, &w.other_couple, "Other").await["id"].as_str().unwrap().to_string();
    app.patch(&format!("/api/v1/boundaries/{ob}"), c, json!({"status": "active"})).await.expect(200);

    // Sessions: two completed, a cancelled one, two scheduled in the future, one in the past.
    let now = mend::db::now();
    let next: NaiveDateTime = (now + chrono::Duration::days(3)).date().and_hms_opt(15, 0, 0).unwrap();
    let sessions = [
        ("completed", now - chrono::Duration::days(14)),
        ("completed", now - chrono::Duration::days(7)),
        ("cancelled", now - chrono::Duration::days(2)),
        ("scheduled", next + chrono::Duration::days(7)),
        ("scheduled", next),
        ("scheduled", now - chrono::Duration::days(1)),
    ];
    for (status, starts_at) in sessions {
        insert_session(
            &app,
            NewSession {
                practice_id: &w.p.id,
                couple_id: Some(&w.couple.id),
                client_id: None,
                counselor_id: &w.counselor.id,
                attendees: w.couple.partners.to_vec(),
                starts_at,
                status,
                summary: None,
                shared: false,
            },
        )
        .await;
    }
    insert_session(
        &app,
        NewSession {
            practice_id: &w.p.id,
            couple_id: Some(&w.other_couple.id),
            client_id: None,
            counselor_id: &w.counselor.id,
            attendees: w.other_couple.partners.to_vec(),
            starts_at: now - chrono::Duration::days(3),
            status: "completed",
            summary: None,
            shared: false,
        },
    )
    .await;

    let p = app.get(&path, c).await.expect(200).json();
    assert_eq!(p["milestones"]["total"], 6);
    assert_eq!(p["milestones"]["achieved"], 2);
    assert_eq!(p["milestones"]["in_progress"], 1);
    assert_eq!(
        p["milestones"]["by_phase"],
        json!([{"phase": "impact", "total": 2, "achieved": 1}, {"phase": "meaning", "total": 2, "achieved": 1},
               {"phase": "moving-forward", "total": 2, "achieved": 0}])
    );
    assert_eq!(p["boundaries"], json!({"active": 2, "check_ins_30d": {"kept": 2, "broken": 1}}));
    assert_eq!(p["sessions"]["completed"], 2);
    assert_eq!(p["sessions"]["next_at"], next.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    assert!(audited_as(&app, &w.couple.id, "read", "success", &w.counselor.id).await);
}

#[tokio::test]
async fn every_other_audience_is_refused_on_every_milestone_endpoint() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let m = milestone(&app, &w, &w.couple, json!({"title": "Private step", "phase": "amends"})).await;
    let id = m["id"].as_str().unwrap().to_string();
    let kid = w.couple.id.clone();
    let body = json!({"title": "T", "phase": "amends"});
    assert_staff_only(&app, &w, Method::POST, &format!("/api/v1/couples/{kid}/milestones"), Some(body), &kid).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/couples/{kid}/milestones"), None, &kid).await;
    let tpl = json!({"template": "trust-repair"});
    assert_staff_only(
        &app,
        &w,
        Method::POST,
        &format!("/api/v1/couples/{kid}/milestones/from-template"),
        Some(tpl),
        &kid,
    )
    .await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/milestones/{id}"), None, &id).await;
    let patch = json!({"status": "achieved"});
    assert_staff_only(&app, &w, Method::PATCH, &format!("/api/v1/milestones/{id}"), Some(patch), &id).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/couples/{kid}/progress"), None, &kid).await;

    // Nothing changed, and nothing was added.
    let c = Some(&w.counselor);
    assert_eq!(app.get(&format!("/api/v1/milestones/{id}"), c).await.expect(200).json(), m);
    let list = app.get(&format!("/api/v1/couples/{kid}/milestones"), c).await.json();
    assert_eq!(ids(&list), vec![id]);
    // An unknown couple is a 404 for its own counselor too.
    let nobody = uuid::Uuid::new_v4();
    app.get(&format!("/api/v1/couples/{nobody}/progress"), c).await.problem(404);
    app.post(&format!("/api/v1/couples/{nobody}/milestones/from-template"), c, json!({"template": "trust-repair"}))
        .await
        .problem(404);
}
