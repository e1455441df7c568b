//! Mediated letters: a draft is the author's alone, a submission is for the author and the
//! counselors, a release is joint; every move has one outcome; every refusal is audited.

mod common;

use common::between::*;
use common::trust::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const DRAFT: &str = "LEAK-draft-letter-1c9e";
const SUBMITTED: &str = "LEAK-submitted-letter-5ab0";
const COMMENT: &str = "LEAK-counselor-comment-77d2";
const FIRST_REVISION: &str = "LEAK-first-revision-0e41";
const REFLECTION: &str = "LEAK-private-reflection-3f18";
const SOLO: &str = "LEAK-one-partner-activity-a2c7";
const SOLO_LOG: &str = "LEAK-solo-log-reflection-66b9";

fn portal(id: &str) -> String {
    format!("/api/v1/portal/letters/{id}")
}

fn staff(id: &str) -> String {
    format!("/api/v1/letters/{id}")
}

#[tokio::test]
async fn a_draft_is_the_authors_alone() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let l = letter(&app, &w.a, &w.couple, "What it did to me", "Draft text").await;
    let id = id_of(&l);
    assert_eq!(l["status"], "draft");
    assert_eq!(l["author_id"], json!(w.couple.partners[0]));
    assert!(l.get("revisions").is_none(), "the author never sees revisions: {l}");
    let r = app.get(&portal(&id), Some(&w.a)).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert!(audited_as(&app, &id, "create", "success", &w.a.id).await);
    assert!(audited_as(&app, &id, "read", "success", &w.a.id).await);

    // Not the partner, not the outsider: 404 and a denial.
    for u in [&w.b, &w.outsider] {
        let before = denials(&app, &id, &u.id).await;
        app.get(&portal(&id), Some(u)).await.problem(404);
        assert_eq!(denials(&app, &id, &u.id).await, before + 1);
        let list = app.get("/api/v1/portal/letters", Some(u)).await.expect(200).json();
        assert!(ids(&list).is_empty(), "{list}");
    }
    // Not even the couple's counselor.
    let before = denials(&app, &id, &w.counselor.id).await;
    app.get(&staff(&id), Some(&w.counselor)).await.problem(404);
    assert_eq!(denials(&app, &id, &w.counselor.id).await, before + 1);
    app.post(&format!("{}/release", staff(&id)), Some(&w.counselor), json!({})).await.problem(404);
    app.post(&format!("{}/return", staff(&id)), Some(&w.counselor), json!({"comment": "x"})).await.problem(404);
    let list = app.get(&format!("/api/v1/couples/{}/letters", w.couple.id), Some(&w.counselor)).await.expect(200);
    assert!(ids(&list.json()).is_empty(), "{}", list.text);

    // Once submitted, the counselor sees it (the partner still does not).
    submit(&app, &w.a, &id).await;
    let seen = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(seen["body"], "Draft text");
    app.get(&portal(&id), Some(&w.b)).await.problem(404);
}

#[tokio::test]
async fn submissions_are_kept_as_revisions_and_a_return_reaches_only_the_author() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&letter(&app, &w.a, &w.couple, "Owning it", "First version").await);
    let s = submit(&app, &w.a, &id).await;
    assert_eq!(s["status"], "submitted");
    assert!(s["submitted_at"].is_string());
    assert!(audited_as(&app, &id, "submit", "success", &w.a.id).await);
    // Submitted: the author cannot edit until it is returned.
    app.patch(&portal(&id), Some(&w.a), json!({"body": "sneaky"})).await.problem(409);

    let r = send_back(&app, &w.counselor, &id, "Say more about the night itself.").await;
    assert_eq!(r["status"], "returned");
    assert_eq!(r["counselor_comment"], "Say more about the night itself.");
    assert!(audited_as(&app, &id, "return", "success", &w.counselor.id).await);
    let mine = app.get(&portal(&id), Some(&w.a)).await.expect(200);
    assert_eq!(mine.json()["counselor_comment"], "Say more about the night itself.");
    let etag = mine.header("etag").unwrap();

    // A stale If-Match writes nothing; the right one edits the working text.
    app.req(Method::PATCH, &portal(&id))
        .auth(Some(&w.a))
        .header("if-match", "\"1\"")
        .json(&json!({"body": "x"}))
        .send()
        .await
        .problem(412);
    let edited = app
        .req(Method::PATCH, &portal(&id))
        .auth(Some(&w.a))
        .header("if-match", &etag)
        .json(&json!({"body": "Second version, with the night itself."}))
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(edited["body"], "Second version, with the night itself.");
    assert_eq!(edited["title"], "Owning it");
    assert!(audited_as(&app, &id, "update", "success", &w.a.id).await);
    // The counselor still reads what was submitted, not the edit in progress.
    let seen = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(seen["body"], "First version");
    assert_eq!(seen["status"], "returned");

    submit(&app, &w.a, &id).await;
    let seen = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(seen["body"], "Second version, with the night itself.");
    let revs: Vec<(i64, String)> = seen["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["number"].as_i64().unwrap(), r["body"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(revs, vec![(1, "First version".to_string()), (2, "Second version, with the night itself.".to_string())]);
    let list = app.get(&format!("/api/v1/couples/{}/letters", w.couple.id), Some(&w.counselor)).await.expect(200);
    assert_eq!(ids(&list.json()), vec![id.clone()]);
    assert_eq!(list.json()["items"][0]["revisions"].as_array().unwrap().len(), 2);
    // The partner has seen nothing of any of it.
    app.get(&portal(&id), Some(&w.b)).await.problem(404);
}

#[tokio::test]
async fn a_release_shows_the_partner_only_the_released_text_and_locks_the_letter() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&letter(&app, &w.a, &w.couple, "Impact", "Released words").await);
    submit(&app, &w.a, &id).await;
    send_back(&app, &w.counselor, &id, "Nearly there").await;
    submit(&app, &w.a, &id).await;
    let r = release(&app, &w.counselor, &id).await;
    assert_eq!(r["status"], "released");
    assert!(audited_as(&app, &id, "release", "success", &w.counselor.id).await);

    let got = app.get(&portal(&id), Some(&w.b)).await.expect(200);
    let v = got.json();
    assert_eq!(keys(&v), ["author_id", "body", "couple_id", "id", "kind", "released_at", "title"]);
    assert_eq!(v["body"], "Released words");
    assert_eq!(v["author_id"], json!(w.couple.partners[0]));
    assert!(!got.text.contains("Nearly there"));
    assert!(audited_as(&app, &id, "read", "success", &w.b.id).await);

    let theirs = app.get("/api/v1/portal/letters", Some(&w.b)).await.expect(200).json();
    assert_eq!(theirs["items"][0]["direction"], "received");
    assert_eq!(keys(&theirs["items"][0]).len(), 8, "{theirs}");
    let mine = app.get("/api/v1/portal/letters", Some(&w.a)).await.expect(200).json();
    assert_eq!(mine["items"][0]["direction"], "written");
    assert_eq!(mine["items"][0]["status"], "released");
    // The other couple's client still sees nothing.
    app.get(&portal(&id), Some(&w.outsider)).await.problem(404);

    // Locked for good: every move is a 409, nothing changes.
    app.patch(&portal(&id), Some(&w.a), json!({"title": "New"})).await.problem(409);
    app.post(&format!("{}/submit", portal(&id)), Some(&w.a), json!({})).await.problem(409);
    app.post(&format!("{}/withdraw", portal(&id)), Some(&w.a), json!({})).await.problem(409);
    app.post(&format!("{}/return", staff(&id)), Some(&w.counselor), json!({"comment": "x"})).await.problem(409);
    app.post(&format!("{}/release", staff(&id)), Some(&w.counselor), json!({})).await.problem(409);
    let after = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(after["version"], r["version"]);
    assert_eq!(after["revisions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn withdraw_is_final_and_possible_until_release() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let draft = id_of(&letter(&app, &w.a, &w.couple, "t", "b").await);
    let v = app.post(&format!("{}/withdraw", portal(&draft)), Some(&w.a), json!({})).await.expect(200).json();
    assert_eq!(v["status"], "withdrawn");
    assert!(audited_as(&app, &draft, "withdraw", "success", &w.a.id).await);
    app.post(&format!("{}/withdraw", portal(&draft)), Some(&w.a), json!({})).await.problem(409);
    app.post(&format!("{}/submit", portal(&draft)), Some(&w.a), json!({})).await.problem(409);
    // Withdrawn before it was ever submitted: still the author's alone.
    app.get(&staff(&draft), Some(&w.counselor)).await.problem(404);

    let sub = id_of(&letter(&app, &w.a, &w.couple, "t", "b").await);
    submit(&app, &w.a, &sub).await;
    app.post(&format!("{}/withdraw", portal(&sub)), Some(&w.a), json!({})).await.expect(200);
    let seen = app.get(&staff(&sub), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(seen["status"], "withdrawn");
    app.post(&format!("{}/release", staff(&sub)), Some(&w.counselor), json!({})).await.problem(409);
    app.get(&portal(&sub), Some(&w.b)).await.problem(404);
}

#[tokio::test]
async fn staff_paths_refuse_every_other_audience() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&letter(&app, &w.a, &w.couple, "t", "b").await);
    submit(&app, &w.a, &id).await;
    let couple_letters = format!("/api/v1/couples/{}/letters", w.couple.id);
    assert_staff_only(&app, &w, Method::GET, &couple_letters, None, &w.couple.id).await;
    assert_staff_only(&app, &w, Method::GET, &staff(&id), None, &id).await;
    let ret = format!("{}/return", staff(&id));
    assert_staff_only(&app, &w, Method::POST, &ret, Some(json!({"comment": "c"})), &id).await;
    let rel = format!("{}/release", staff(&id));
    assert_staff_only(&app, &w, Method::POST, &rel, Some(json!({})), &id).await;
    // None of it changed the letter.
    let v = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!((v["status"].as_str(), v["version"].as_i64()), (Some("submitted"), Some(2)));
}

#[tokio::test]
async fn portal_paths_refuse_every_other_audience() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let id = id_of(&letter(&app, &w.a, &w.couple, "t", "b").await);
    submit(&app, &w.a, &id).await;
    let hidden = [&w.b, &w.outsider];
    assert_portal_hidden(&app, &w, Method::GET, &portal(&id), None, &id, &hidden).await;
    assert_portal_hidden(&app, &w, Method::PATCH, &portal(&id), Some(json!({"title": "x"})), &id, &hidden).await;
    for action in ["submit", "withdraw"] {
        let path = format!("{}/{action}", portal(&id));
        assert_portal_hidden(&app, &w, Method::POST, &path, Some(json!({})), &id, &hidden).await;
    }
    // Writing for a couple that is not the caller's: 404 and a denial on that couple.
    let other = json!({"couple_id": w.other_couple.id, "kind": "impact", "title": "t", "body": "b"});
    assert_portal_hidden(
        &app,
        &w,
        Method::POST,
        "/api/v1/portal/letters",
        Some(other),
        &w.other_couple.id,
        &[&w.a, &w.b],
    )
    .await;
    let q = format!("/api/v1/portal/letters?couple_id={}", w.other_couple.id);
    assert_portal_hidden(&app, &w, Method::GET, &q, None, &w.other_couple.id, &[&w.a]).await;
    // The letter is as it was.
    let v = app.get(&portal(&id), Some(&w.a)).await.expect(200).json();
    assert_eq!((v["status"].as_str(), v["title"].as_str()), (Some("submitted"), Some("t")));
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let base = json!({"couple_id": w.couple.id, "kind": "impact", "title": "t", "body": "b"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let post = |b: Value| {
        let app = &app;
        let a = &w.a;
        async move { app.post("/api/v1/portal/letters", Some(a), b).await }
    };
    post(with("kind", json!("apology"))).await.problem(400);
    post(with("kind", json!(null))).await.problem(400);
    post(with("author_id", json!(w.couple.partners[1]))).await.problem(400);
    post(with("status", json!("released"))).await.problem(400);
    post(with("couple_id", json!("not-a-uuid"))).await.problem(400);
    let e = post(with("title", json!("x".repeat(201)))).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "title");
    let e = post(with("body", json!("é".repeat(50_001)))).await.problem(422);
    assert_eq!(e["errors"][0]["field"], "body");
    let e = post(
        with("title", json!("   "))
            .as_object()
            .cloned()
            .map(|mut o| {
                o.insert("body".into(), json!(""));
                Value::Object(o)
            })
            .unwrap(),
    )
    .await
    .problem(422);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "body"]);
    let list = app.get("/api/v1/portal/letters", Some(&w.a)).await.expect(200).json();
    assert!(ids(&list).is_empty(), "nothing was created: {list}");

    // Text exactly as sent, at the limits.
    let exact = "Ünïcödé 'quotes' \"and\" ; DROP TABLE letters; -- 💔";
    let l = post(with("title", json!(exact))).await.expect(201).json();
    assert_eq!(l["title"], exact);
    post(with("body", json!("b".repeat(50_000)))).await.expect(201);
    let id = id_of(&l);
    app.patch(&portal(&id), Some(&w.a), json!({"title": "x".repeat(201)})).await.problem(422);
    app.patch(&portal(&id), Some(&w.a), json!({"kind": "other"})).await.problem(400);
    app.patch(&portal(&id), Some(&w.a), json!({"title": null})).await.problem(422);
    submit(&app, &w.a, &id).await;
    let ret = format!("{}/return", staff(&id));
    app.post(&ret, Some(&w.counselor), json!({"comment": "c".repeat(5001)})).await.problem(422);
    app.post(&ret, Some(&w.counselor), json!({"comment": " "})).await.problem(422);
    app.post(&ret, Some(&w.counselor), json!({})).await.problem(400);
    app.post(&ret, Some(&w.counselor), json!({"comment": "c", "status": "released"})).await.problem(400);
    let rel = format!("{}/release", staff(&id));
    app.req(Method::POST, &rel)
        .auth(Some(&w.counselor))
        .header("if-match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .problem(412);
    app.get("/api/v1/portal/letters?limit=0", Some(&w.a)).await.problem(422);
    app.get("/api/v1/portal/letters?cursor=garbage", Some(&w.a)).await.problem(400);
    app.get("/api/v1/portal/letters?couple_id=nope", Some(&w.a)).await.problem(400);
    let v = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
    assert_eq!((v["status"].as_str(), v["counselor_comment"].clone()), (Some("submitted"), Value::Null));
}

#[tokio::test]
async fn the_portal_list_pages_written_and_received_newest_first() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let mut written = Vec::new();
    for i in 0..3 {
        written.push(id_of(&letter(&app, &w.a, &w.couple, &format!("mine {i}"), "b").await));
    }
    let theirs = id_of(&letter(&app, &w.b, &w.couple, "theirs", "b").await);
    submit(&app, &w.b, &theirs).await;
    release(&app, &w.counselor, &theirs).await;
    let unreleased = id_of(&letter(&app, &w.b, &w.couple, "theirs, not released", "b").await);
    submit(&app, &w.b, &unreleased).await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/portal/letters?limit=2&cursor={c}"),
            None => "/api/v1/portal/letters?limit=2".into(),
        };
        let page = app.get(&path, Some(&w.a)).await.expect(200).json();
        for item in page["items"].as_array().unwrap() {
            seen.push((item["id"].as_str().unwrap().to_string(), item["direction"].as_str().unwrap().to_string()));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let expected: Vec<(String, String)> = vec![
        (theirs.clone(), "received".into()),
        (written[2].clone(), "written".into()),
        (written[1].clone(), "written".into()),
        (written[0].clone(), "written".into()),
    ];
    assert_eq!(seen, expected);
    let of_couple = app.get(&format!("/api/v1/portal/letters?couple_id={}", w.couple.id), Some(&w.a)).await;
    assert_eq!(ids(&of_couple.expect(200).json()).len(), 4);
}

#[tokio::test]
async fn concurrent_moves_on_one_letter_have_one_outcome() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    for round in 0..4 {
        // Release, return and withdraw race on a submitted letter. The counselor's two moves
        // exclude each other; the author may still withdraw a letter just returned (a later
        // move on the new version, not a lost race). Every outcome is one serial history.
        let id = id_of(&letter(&app, &w.a, &w.couple, "race", &format!("round {round}")).await);
        submit(&app, &w.a, &id).await;
        let (p_rel, p_ret, p_wd) =
            (format!("{}/release", staff(&id)), format!("{}/return", staff(&id)), format!("{}/withdraw", portal(&id)));
        let (rel, ret, wd) = tokio::join!(
            app.post(&p_rel, Some(&w.counselor), json!({})),
            app.post(&p_ret, Some(&w.counselor), json!({"comment": "c"})),
            app.post(&p_wd, Some(&w.a), json!({})),
        );
        let statuses = [rel.status, ret.status, wd.status];
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
        let v = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
        let (status, version) = match statuses {
            [200, 409, 409] => ("released", 3),
            [409, 200, 409] => ("returned", 3),
            [409, 200, 200] => ("withdrawn", 4), // returned, then withdrawn by its author
            [409, 409, 200] => ("withdrawn", 3),
            other => panic!("not one serial history: {other:?}"),
        };
        assert_eq!((v["status"].as_str(), v["version"].as_i64()), (Some(status), Some(version)), "{statuses:?}");
        assert_eq!(v["revisions"].as_array().unwrap().len(), 1);

        // Two submits of one draft: one revision, one 409.
        let id = id_of(&letter(&app, &w.a, &w.couple, "twice", "b").await);
        let p_sub = format!("{}/submit", portal(&id));
        let s1 = app.post(&p_sub, Some(&w.a), json!({}));
        let s2 = app.post(&p_sub, Some(&w.a), json!({}));
        let (s1, s2) = tokio::join!(s1, s2);
        let mut pair = [s1.status, s2.status];
        pair.sort();
        assert_eq!(pair, [200, 409]);
        let v = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
        assert_eq!(v["revisions"].as_array().unwrap().len(), 1);

        // Submit (after a return) and release at once: either order is a consistent history.
        send_back(&app, &w.counselor, &id, "again").await;
        let p_rel = format!("{}/release", staff(&id));
        let (s, r) =
            tokio::join!(app.post(&p_sub, Some(&w.a), json!({})), app.post(&p_rel, Some(&w.counselor), json!({})),);
        assert_eq!(s.status, 200, "{}", s.text);
        let v = app.get(&staff(&id), Some(&w.counselor)).await.expect(200).json();
        assert_eq!(v["revisions"].as_array().unwrap().len(), 2);
        match r.status {
            200 => assert_eq!(v["status"], "released"),
            409 => assert_eq!(v["status"], "submitted"),
            other => panic!("release answered {other}: {}", r.text),
        }
    }
}

/// Every response the other partner can get, after the author has a draft, a submitted letter,
/// a letter released after a return with a comment, a private reflection and an activity of
/// their own: none carries any of it.
#[tokio::test]
async fn the_other_partner_never_sees_a_private_record() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let draft = id_of(&letter(&app, &w.a, &w.couple, DRAFT, DRAFT).await);
    let submitted = id_of(&letter(&app, &w.a, &w.couple, SUBMITTED, SUBMITTED).await);
    submit(&app, &w.a, &submitted).await;
    let released = id_of(&letter(&app, &w.a, &w.couple, "Released title", FIRST_REVISION).await);
    submit(&app, &w.a, &released).await;
    send_back(&app, &w.counselor, &released, COMMENT).await;
    app.patch(&portal(&released), Some(&w.a), json!({"body": "What I can say now."})).await.expect(200);
    submit(&app, &w.a, &released).await;
    release(&app, &w.counselor, &released).await;

    let both = id_of(&activity(&app, &w, &w.couple, json!({})).await);
    portal_log(&app, &w.a, &both, json!({"done_on": day(-1), "completed": true, "reflection": REFLECTION}))
        .await
        .expect(201);
    portal_log(
        &app,
        &w.a,
        &both,
        json!({"done_on": day(-2), "completed": false, "reflection": "shared words", "share_with_partner": true}),
    )
    .await
    .expect(201);
    let solo = id_of(
        &activity(
            &app,
            &w,
            &w.couple,
            json!({"title": SOLO, "instructions": SOLO, "assigned_to": w.couple.partners[0]}),
        )
        .await,
    );
    portal_log(&app, &w.a, &solo, json!({"done_on": day(0), "completed": true, "reflection": SOLO_LOG}))
        .await
        .expect(201);
    let markers = [DRAFT, SUBMITTED, COMMENT, FIRST_REVISION, REFLECTION, SOLO, SOLO_LOG];

    // Control: the author and the counselor do see the markers.
    let mut author_text = String::new();
    for path in [portal(&draft), portal(&submitted), portal(&released)] {
        author_text += &app.get(&path, Some(&w.a)).await.expect(200).text;
    }
    author_text += &app.get(&format!("/api/v1/portal/activities/{both}/logs"), Some(&w.a)).await.expect(200).text;
    author_text += &app.get("/api/v1/portal/activities", Some(&w.a)).await.expect(200).text;
    author_text += &app.get(&format!("/api/v1/portal/activities/{solo}/logs"), Some(&w.a)).await.expect(200).text;
    for m in [DRAFT, SUBMITTED, COMMENT, REFLECTION, SOLO, SOLO_LOG] {
        assert!(author_text.contains(m), "control: the author sees {m}");
    }
    let staff_text = app.get(&staff(&released), Some(&w.counselor)).await.expect(200).text;
    assert!(staff_text.contains(FIRST_REVISION) && staff_text.contains(COMMENT));

    // Every portal response the partner can get, successful or not.
    let mut responses: Vec<(String, Resp)> = Vec::new();
    let get = |path: String| {
        let app = &app;
        let b = &w.b;
        async move { (path.clone(), app.get(&path, Some(b)).await) }
    };
    for path in [
        "/api/v1/portal/letters".to_string(),
        format!("/api/v1/portal/letters?couple_id={}", w.couple.id),
        "/api/v1/portal/activities".to_string(),
        "/api/v1/portal/me".to_string(),
        "/api/v1/portal/sessions".to_string(),
        "/api/v1/portal/boundaries".to_string(),
        "/api/v1/portal/milestones".to_string(),
    ] {
        responses.push(get(path).await);
    }
    for id in [&draft, &submitted, &released] {
        responses.push(get(portal(id)).await);
    }
    for id in [&both, &solo] {
        responses.push(get(format!("/api/v1/portal/activities/{id}/logs")).await);
    }
    for id in [&draft, &submitted, &released] {
        let p = portal(id);
        responses.push((p.clone(), app.patch(&p, Some(&w.b), json!({"body": "x"})).await));
        for action in ["submit", "withdraw"] {
            let p = format!("{}/{action}", portal(id));
            responses.push((p.clone(), app.post(&p, Some(&w.b), json!({})).await));
        }
    }
    for id in [&both, &solo] {
        let p = format!("/api/v1/portal/activities/{id}/logs");
        responses.push((p.clone(), portal_log(&app, &w.b, id, json!({"done_on": day(-1), "completed": true})).await));
    }
    let mut checked = 0;
    for (path, r) in &responses {
        assert!(r.status < 500, "{path}: {}", r.status);
        for m in markers {
            assert!(!r.text.contains(m), "{path} ({}) leaked {m}: {}", r.status, r.text);
        }
        checked += 1;
    }
    assert_eq!(checked, 23);
    // What the partner does see: the released text, and the shared reflection only.
    let rel = app.get(&portal(&released), Some(&w.b)).await.expect(200).json();
    assert_eq!(rel["body"], "What I can say now.");
    let logs = app.get(&format!("/api/v1/portal/activities/{both}/logs"), Some(&w.b)).await.expect(200).json();
    let partner: Vec<&Value> = logs["items"].as_array().unwrap().iter().filter(|i| i["whose"] == "partner").collect();
    assert_eq!(partner.len(), 2, "{logs}");
    for item in &partner {
        assert_eq!(keys(item), ["completed", "done_on", "reflection", "whose"]);
    }
    assert_eq!(partner.iter().filter(|i| i["reflection"] == "shared words").count(), 1);
    assert_eq!(partner.iter().filter(|i| i["reflection"].is_null()).count(), 1);
}
