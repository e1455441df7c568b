//! Boundaries and check-ins, through the HTTP API: the assigned counselor's work, every other
//! audience, nasty inputs, If-Match, pagination.

mod common;

use common::trust::*;
use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn counselor_creates_reads_lists_and_updates_a_boundary() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let [pa, pb] = w.couple.partners.clone();
    let title = "No contact with 'X'; DROP TABLE boundaries; -- 🚫💬";
    let r = app
        .post(
            &format!("/api/v1/couples/{}/boundaries", w.couple.id),
            c,
            json!({"title": title, "description": "Texts & calls — \"none\"", "requested_by": pb,
                   "responsible_ids": [pa], "review_on": "2027-01-31"}),
        )
        .await
        .expect(201);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let b = r.json();
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/boundaries/{id}")));
    assert_eq!(b["title"], title);
    assert_eq!(b["description"], "Texts & calls — \"none\"");
    assert_eq!(b["status"], "proposed");
    assert_eq!(b["couple_id"], w.couple.id);
    assert_eq!(b["requested_by"], pb);
    assert_eq!(b["responsible_ids"], json!([pa]));
    assert_eq!(b["acknowledgements"], json!([]));
    assert_eq!(b["review_on"], "2027-01-31");
    assert_eq!(b["version"], 1);
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 12, "{keys:?}");
    assert!(audited_as(&app, &id, "create", "success", &w.counselor.id).await);

    let read = app.get(&format!("/api/v1/boundaries/{id}"), c).await.expect(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.json(), b);
    assert!(audited_as(&app, &id, "read", "success", &w.counselor.id).await);

    // PATCH with the current ETag; then a stale one is 412 and writes nothing.
    let path = format!("/api/v1/boundaries/{id}");
    let r = app
        .req(Method::PATCH, &path)
        .auth(c)
        .header("if-match", "\"1\"")
        .json(&json!({"title": "No contact", "description": null, "responsible_ids": [pa, pb], "status": "active"}))
        .send()
        .await
        .expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let u = r.json();
    assert_eq!(
        (u["title"].as_str(), u["status"].as_str(), u["version"].as_i64()),
        (Some("No contact"), Some("active"), Some(2))
    );
    assert_eq!(u["description"], json!(null));
    assert_eq!(u["review_on"], "2027-01-31", "absent fields stay");
    assert_eq!(u["responsible_ids"], json!([pa, pb]));
    let stale =
        app.req(Method::PATCH, &path).auth(c).header("if-match", "\"1\"").json(&json!({"title": "Lost"})).send().await;
    stale.problem(412);
    app.req(Method::PATCH, &path)
        .auth(c)
        .header("if-match", "garbage")
        .json(&json!({"title": "Lost"}))
        .send()
        .await
        .problem(400);
    assert_eq!(app.get(&path, c).await.json()["title"], "No contact");

    // Review date cleared; then retired, which is final.
    let u = app.patch(&path, c, json!({"review_on": null})).await.expect(200).json();
    assert_eq!(u["review_on"], json!(null));
    app.patch(&path, c, json!({"status": "retired"})).await.expect(200);
    app.patch(&path, c, json!({"status": "active"})).await.problem(409);
    app.patch(&path, c, json!({"title": "Again"})).await.problem(409);
    assert_eq!(app.get(&path, c).await.json()["status"], "retired");
}

#[tokio::test]
async fn lists_in_creation_order_with_cursor() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(boundary(&app, &w, &w.couple, &format!("B{i}")).await["id"].as_str().unwrap().to_string());
    }
    // The other couple's boundary never shows in this couple's list.
    boundary(&app, &w, &w.other_couple, "Other").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cur) => format!("/api/v1/couples/{}/boundaries?limit=2&cursor={cur}", w.couple.id),
            None => format!("/api/v1/couples/{}/boundaries?limit=2", w.couple.id),
        };
        let page = app.get(&path, Some(&w.counselor)).await.expect(200).json();
        assert!(page["items"].as_array().unwrap().len() <= 2);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cur) => cursor = Some(cur.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, made);
    let base = format!("/api/v1/couples/{}/boundaries", w.couple.id);
    app.get(&format!("{base}?limit=0"), Some(&w.counselor)).await.problem(422);
    app.get(&format!("{base}?limit=101"), Some(&w.counselor)).await.problem(422);
    app.get(&format!("{base}?cursor=garbage"), Some(&w.counselor)).await.problem(400);
    app.get(&format!("{base}?status=active"), Some(&w.counselor)).await.problem(400);
    assert!(audited_as(&app, &w.couple.id, "list", "success", &w.counselor.id).await);
}

#[tokio::test]
async fn nasty_inputs_are_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let [pa, pb] = w.couple.partners.clone();
    let path = format!("/api/v1/couples/{}/boundaries", w.couple.id);
    let ok = json!({"title": "T", "responsible_ids": [pa]});

    // Unknown fields (mass assignment) and wrong types: 400.
    for extra in [
        json!({"status": "active"}),
        json!({"practice_id": w.foreign.id}),
        json!({"couple_id": w.other_couple.id}),
        json!({"acknowledgements": []}),
        json!({"version": 9}),
    ] {
        let mut body = ok.clone();
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        app.post(&path, c, body).await.problem(400);
    }
    for body in [
        json!({"title": 5, "responsible_ids": [pa]}),
        json!({"title": "T", "responsible_ids": pa}),
        json!({"title": "T"}),
        json!({"title": "T", "responsible_ids": [pa], "review_on": 20270101}),
    ] {
        app.post(&path, c, body).await.problem(400);
    }
    app.req(Method::POST, &path).auth(c).body("application/json", "{\"title\":").send().await.problem(400);

    // Values that break a rule: 422 naming the field.
    let cases = [
        (json!({"title": "", "responsible_ids": [pa]}), "title"),
        (json!({"title": "   ", "responsible_ids": [pa]}), "title"),
        (json!({"title": "x".repeat(201), "responsible_ids": [pa]}), "title"),
        (json!({"title": "T", "description": "x".repeat(5001), "responsible_ids": [pa]}), "description"),
        (json!({"title": "T", "responsible_ids": []}), "responsible_ids"),
        (json!({"title": "T", "responsible_ids": [pa, pa]}), "responsible_ids"),
        (json!({"title": "T", "responsible_ids": [w.other_couple.partners[0]]}), "responsible_ids"),
        (json!({"title": "T", "responsible_ids": ["not-an-id"]}), "responsible_ids"),
        (json!({"title": "T", "responsible_ids": [pa], "requested_by": w.other_couple.partners[1]}), "requested_by"),
        (json!({"title": "T", "responsible_ids": [pa], "review_on": "1990-02-30"}), "review_on"),
        (json!({"title": "T", "responsible_ids": [pa], "review_on": "2027-1-5"}), "review_on"),
        (json!({"title": "T", "responsible_ids": [pa], "review_on": "tomorrow"}), "review_on"),
    ];
    for (body, field) in cases {
        let p = app.post(&path, c, body.clone()).await.problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{body}");
    }
    // 200 characters exactly is fine.
    app.post(&path, c, json!({"title": "é".repeat(200), "responsible_ids": [pb]})).await.expect(201);
    let list = app.get(&path, c).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "only the valid one was created");

    // Bad UUIDs in paths.
    app.post("/api/v1/couples/not-a-uuid/boundaries", c, ok.clone()).await.problem(400);
    app.get("/api/v1/boundaries/123", c).await.problem(400);
    app.get(&format!("/api/v1/boundaries/{}", uuid::Uuid::new_v4()), c).await.problem(404);
    // Wrong method: 405 with Allow.
    let r = app.req(Method::DELETE, &format!("/api/v1/boundaries/{}", uuid::Uuid::new_v4())).auth(c).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
    r.problem(405);

    // PATCH nasties.
    let id = ids(&list)[0].clone();
    let bpath = format!("/api/v1/boundaries/{id}");
    app.patch(&bpath, c, json!({"status": "done"})).await.problem(400);
    app.patch(&bpath, c, json!({"couple_id": w.other_couple.id})).await.problem(400);
    app.patch(&bpath, c, json!({"title": ""})).await.problem(422);
    app.patch(&bpath, c, json!({"responsible_ids": [w.other_couple.partners[0]]})).await.problem(422);
    app.patch(&bpath, c, json!({"review_on": "2026-02-29"})).await.problem(422);
    assert_eq!(app.get(&bpath, c).await.json()["version"], 1, "nothing written");
}

#[tokio::test]
async fn every_other_audience_is_refused_on_every_boundary_endpoint() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let b = boundary(&app, &w, &w.couple, "Secret title").await;
    let id = b["id"].as_str().unwrap().to_string();
    let pa = w.couple.partners[0].clone();
    let kid = w.couple.id.clone();

    // A counselor assigned to one partner individually is not assigned to the couple.
    let individual = app.counselor(&w.p).await;
    let (pid, cid, uid) = (w.p.id.clone(), pa.clone(), individual.id.clone());
    app.sql(move |c| {
        mend::store::clients::assign(c, &pid.parse().unwrap(), &cid.parse().unwrap(), &uid.parse().unwrap()).unwrap()
    })
    .await;
    app.get(&format!("/api/v1/boundaries/{id}"), Some(&individual)).await.problem(404);

    let create = json!({"title": "T", "responsible_ids": [pa]});
    assert_staff_only(&app, &w, Method::POST, &format!("/api/v1/couples/{kid}/boundaries"), Some(create), &kid).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/couples/{kid}/boundaries"), None, &kid).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/boundaries/{id}"), None, &id).await;
    assert_staff_only(
        &app,
        &w,
        Method::PATCH,
        &format!("/api/v1/boundaries/{id}"),
        Some(json!({"status": "retired"})),
        &id,
    )
    .await;
    let check_in = json!({"reported_by": pa, "kept": true});
    assert_staff_only(&app, &w, Method::POST, &format!("/api/v1/boundaries/{id}/check-ins"), Some(check_in), &id).await;
    assert_staff_only(&app, &w, Method::GET, &format!("/api/v1/boundaries/{id}/check-ins"), None, &id).await;

    // Nothing any of them sent changed anything.
    let now = app.get(&format!("/api/v1/boundaries/{id}"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(now, b);
    let list = app.get(&format!("/api/v1/couples/{kid}/boundaries"), Some(&w.counselor)).await.json();
    assert_eq!(ids(&list), vec![id.clone()]);
    let check_ins = app.get(&format!("/api/v1/boundaries/{id}/check-ins"), Some(&w.counselor)).await.json();
    assert_eq!(check_ins["items"], json!([]));

    // An admin assigned to the couple sees it.
    let (pid, k, admin) = (w.p.id.clone(), kid.clone(), w.p.admin.id.clone());
    app.sql(move |c| {
        mend::store::couples::assign(c, &pid.parse().unwrap(), &k.parse().unwrap(), &admin.parse().unwrap()).unwrap()
    })
    .await;
    app.get(&format!("/api/v1/boundaries/{id}"), Some(&w.p.admin)).await.expect(200);
}

#[tokio::test]
async fn check_ins_are_recorded_and_listed_newest_first() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let [pa, pb] = w.couple.partners.clone();
    let id = boundary(&app, &w, &w.couple, "Home by 10").await["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/boundaries/{id}/check-ins");

    let mut made = Vec::new();
    for (who, kept) in [(&pa, true), (&pb, false), (&pa, true)] {
        let r =
            app.post(&path, c, json!({"reported_by": who, "kept": kept, "note": "Late — 'once' 😞"})).await.expect(201);
        assert_eq!(r.header("location"), Some(path.clone()));
        let ci = r.json();
        assert_eq!(ci["reported_by"], json!(who));
        assert_eq!(ci["recorded_by"], w.counselor.id);
        assert_eq!(ci["kept"], kept);
        assert_eq!(ci["note"], "Late — 'once' 😞");
        assert!(audited_as(&app, ci["id"].as_str().unwrap(), "create", "success", &w.counselor.id).await);
        made.push(ci["id"].as_str().unwrap().to_string());
    }
    made.reverse();
    let first = app.get(&format!("{path}?limit=2"), c).await.expect(200).json();
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let second = app.get(&format!("{path}?limit=2&cursor={cursor}"), c).await.expect(200).json();
    assert_eq!([ids(&first), ids(&second)].concat(), made);
    assert_eq!(second["next_cursor"], json!(null));

    // Nasties: a reporter outside the couple, missing or wrong-typed fields, long notes.
    app.post(&path, c, json!({"reported_by": w.other_couple.partners[0], "kept": true})).await.problem(422);
    app.post(&path, c, json!({"kept": true})).await.problem(400);
    app.post(&path, c, json!({"reported_by": pa, "kept": "yes"})).await.problem(400);
    app.post(&path, c, json!({"reported_by": pa, "kept": true, "recorded_by": w.other_counselor.id}))
        .await
        .problem(400);
    app.post(&path, c, json!({"reported_by": pa, "kept": true, "note": "x".repeat(2001)})).await.problem(422);

    // A retired boundary takes no more check-ins.
    app.patch(&format!("/api/v1/boundaries/{id}"), c, json!({"status": "retired"})).await.expect(200);
    app.post(&path, c, json!({"reported_by": pa, "kept": true})).await.problem(409);
    assert_eq!(app.get(&path, c).await.json()["items"].as_array().unwrap().len(), 3);
}
