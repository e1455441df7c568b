//! Couples: create, list, read, update (assignments included), against every audience.

mod common;

use common::clinical::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const COUPLES: &str = "/api/v1/couples";

fn path(id: &str) -> String {
    format!("{COUPLES}/{id}")
}

async fn list(app: &TestApp, who: &User, query: &str) -> Value {
    app.get(&format!("{COUPLES}?{query}"), Some(who)).await.expect(200).json()
}

#[tokio::test]
async fn create_assigns_the_creator_and_keeps_partner_order() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let a = app.client(&c.p, Some(&c.counselor)).await;
    let concern = "Affair disclosed in March; \"trust\" → rebuild 💔'; DELETE FROM couples;--";
    let body =
        json!({"partner_ids": [c.solo, a], "presenting_concern": concern, "relationship_started_on": "2010-06-01"});
    let r = app.post(COUPLES, Some(&c.counselor), body).await.expect(201);
    let v = r.json();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(path(&id)));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(v["partner_ids"], json!([c.solo, a]));
    assert_eq!(v["counselor_ids"], json!([c.counselor.id]));
    assert_eq!(v["status"], "active");
    assert_eq!(v["presenting_concern"], concern);
    assert_eq!(v["relationship_started_on"], "2010-06-01");
    assert_eq!(v["version"], 1);
    assert_eq!(app.get(&path(&id), Some(&c.counselor)).await.expect(200).json(), v);
    assert_eq!(app.audit_rows(&id).await[0], ("create".into(), "success".into(), c.counselor.id.clone()));

    // A client may be in several couples over time.
    let again = json!({"partner_ids": [a, c.solo]});
    let v2 = app.post(COUPLES, Some(&c.counselor), again).await.expect(201).json();
    assert_eq!(v2["presenting_concern"], Value::Null);
    assert_ne!(v2["id"], v["id"]);
    assert_eq!(v2["partner_ids"], json!([a, c.solo]));
    // The couple's row names its partners (what a page of couples reads) in the order that
    // couple_partners keeps, for each couple.
    for (couple, expected) in
        [(&id, [c.solo.clone(), a.clone()]), (&v2["id"].as_str().unwrap().to_string(), [a.clone(), c.solo.clone()])]
    {
        let couple_id = couple.clone();
        let (row, kept) = app
            .sql(move |conn| {
                use diesel::prelude::*;
                use mend::db::schema::couples::dsl as k;
                let row: (Option<String>, Option<String>) = k::couples
                    .filter(k::id.eq(&couple_id))
                    .select((k::partner_a_id, k::partner_b_id))
                    .first(conn)
                    .expect("couple row");
                let kept = mend::store::couples::partners_of(conn, &couple_id).expect("partners");
                (row, kept)
            })
            .await;
        assert_eq!(row, (Some(expected[0].clone()), Some(expected[1].clone())));
        assert_eq!(kept, expected.to_vec());
    }

    // An admin sees every client's record, so may pair any two; the admin is then assigned.
    let x = app.client(&c.p, None).await;
    let y = app.client(&c.p, Some(&c.other)).await;
    let v = app.post(COUPLES, Some(&c.p.admin), json!({"partner_ids": [x, y]})).await.expect(201).json();
    assert_eq!(v["counselor_ids"], json!([c.p.admin.id]));
    assert_eq!(copied_counselors(&app, v["id"].as_str().unwrap()).await, vec![c.p.admin.id.clone()]);
    app.get(&path(v["id"].as_str().unwrap()), Some(&c.p.admin)).await.expect(200);

    // Clients may never; no token 401.
    let pair = json!({"partner_ids": c.couple.partners});
    app.post(COUPLES, Some(&c.partner_a), pair.clone()).await.problem(403);
    app.post(COUPLES, None, pair).await.problem(401);
}

#[tokio::test]
async fn create_rejects_partners_the_caller_cannot_pair_without_revealing_them() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let me = Some(&c.counselor);
    let mine = app.client(&c.p, Some(&c.counselor)).await;
    let theirs = app.client(&c.p, Some(&c.other)).await;
    let foreign = app.client(&c.foreign, Some(&c.foreign_counselor)).await;
    let missing = mend::db::new_id();
    let mut detail = None;
    for partners in [
        json!([mine, mine]),
        json!([mine]),
        json!([]),
        json!([mine, c.solo, c.couple.partners[0]]),
        json!([mine, theirs]),
        json!([mine, foreign]),
        json!([mine, missing]),
        json!([mine, "not-a-uuid"]),
        json!([mine, "' OR 1=1 --"]),
    ] {
        let p = app.post(COUPLES, me, json!({"partner_ids": partners})).await.problem(422);
        assert_eq!(p["errors"][0]["field"], "partner_ids", "{p}");
        // One message for every case: nothing tells which id exists.
        let d = p["errors"][0]["message"].clone();
        assert!(detail.get_or_insert(d.clone()) == &d);
    }
    // The admin of another practice cannot pair this practice's clients either.
    let p = app.post(COUPLES, Some(&c.foreign.admin), json!({"partner_ids": [mine, c.solo]})).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "partner_ids");

    // Wrong types and mass assignment: 400.
    for bad in [
        json!({"partner_ids": "x"}),
        json!({"partner_ids": [1, 2]}),
        json!({}),
        json!({"partner_ids": [mine, c.solo], "counselor_ids": [c.other.id]}),
        json!({"partner_ids": [mine, c.solo], "practice_id": c.foreign.id}),
        json!({"partner_ids": [mine, c.solo], "status": "closed"}),
        json!({"partner_ids": [mine, c.solo], "version": 3}),
    ] {
        app.post(COUPLES, me, bad).await.problem(400);
    }
    // Bad values: 422 on the field.
    for (field, v) in [
        ("relationship_started_on", json!("1990-02-30")),
        ("relationship_started_on", json!("2999-01-01")),
        ("presenting_concern", json!("")),
        ("presenting_concern", json!("x".repeat(5001))),
    ] {
        let mut body = json!({"partner_ids": [mine, c.solo]});
        body[field] = v;
        assert_eq!(app.post(COUPLES, me, body).await.problem(422)["errors"][0]["field"], field);
    }
    let huge =
        format!("{{\"partner_ids\":[\"{mine}\",\"{}\"],\"presenting_concern\":\"{}\"}}", c.solo, "x".repeat(1 << 20));
    app.req(Method::POST, COUPLES).auth(me).body("application/json", huge).send().await.problem(413);
    // None of it made a couple.
    assert_eq!(ids(&list(&app, &c.counselor, "").await), vec![c.couple.id.clone()]);
}

#[tokio::test]
async fn read_by_every_audience() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.couple.id);
    let r = app.get(&url, Some(&c.counselor)).await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let v = r.json();
    assert_eq!(v["partner_ids"], json!(c.couple.partners));
    assert_eq!(v["counselor_ids"], json!([c.counselor.id]));

    // Not assigned: another counselor, another practice: 404 + denial.
    for who in [&c.other, &c.foreign.admin, &c.foreign_counselor] {
        app.get(&url, Some(who)).await.problem(404);
        assert_denied(last_audit(&app, &c.couple.id).await, "read", who);
    }
    // The practice's admin, not assigned, finds the couple to assign it: partners and
    // counselors, nothing clinical.
    let v = app.get(&url, Some(&c.p.admin)).await.expect(200).json();
    assert_eq!(keys(&v), ["counselor_ids", "created_at", "id", "partner_ids", "partners", "status", "version"]);
    assert_eq!(v["partner_ids"], json!(c.couple.partners));
    assert_eq!(last_audit(&app, &c.couple.id).await, ("read".into(), "success".into(), c.p.admin.id.clone()));
    // The partners themselves use the portal: 403 here. No token: 401.
    app.get(&url, Some(&c.partner_a)).await.problem(403);
    app.get(&url, Some(&c.partner_b)).await.problem(403);
    app.get(&url, None).await.problem(401);
    app.get(&path("12345"), Some(&c.counselor)).await.problem(400);
    let missing = mend::db::new_id();
    app.get(&path(&missing), Some(&c.counselor)).await.problem(404);
    assert_denied(last_audit(&app, &missing).await, "read", &c.counselor);
    let r = app.req(Method::DELETE, &url).auth(Some(&c.counselor)).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
    r.problem(405);
}

#[tokio::test]
async fn list_shows_assigned_couples_only_and_walks_pages() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let mut mine = vec![c.couple.id.clone()];
    for _ in 0..4 {
        mine.push(app.couple(&c.p, &c.counselor).await.id);
    }
    let theirs = app.couple(&c.p, &c.other).await;
    // Ids are UUIDv7, so id order is creation order.
    let mut walk = Vec::new();
    let mut q = "limit=2".to_string();
    let mut pages = 0;
    loop {
        let page = list(&app, &c.counselor, &q).await;
        walk.extend(ids(&page));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(cur) => q = format!("limit=2&cursor={cur}"),
            None => break,
        }
    }
    assert_eq!((walk, pages), (mine.clone(), 3));
    assert_eq!(ids(&list(&app, &c.other, "").await), vec![theirs.id.clone()]);
    // An admin finds every couple of the practice (to assign them), nothing of another one.
    let mut all = mine.clone();
    all.push(theirs.id.clone());
    let mut found = ids(&list(&app, &c.p.admin, "limit=100").await);
    found.retain(|id| all.contains(id));
    assert_eq!(found, all);
    assert!(ids(&list(&app, &c.foreign.admin, "").await).is_empty());
    // Items carry partners and counselors.
    let first = &list(&app, &c.counselor, "limit=1").await["items"][0];
    assert_eq!(first["partner_ids"], json!(c.couple.partners));
    assert_eq!(first["counselor_ids"], json!([c.counselor.id]));

    // client_id and status filters.
    let q = format!("client_id={}", c.couple.partners[1]);
    assert_eq!(ids(&list(&app, &c.counselor, &q).await), vec![c.couple.id.clone()]);
    // Another counselor may not see that client: 404 (never an empty list), audited as denied.
    app.get(&format!("{COUPLES}?{q}"), Some(&c.other)).await.problem(404);
    app.patch(&path(&mine[2]), Some(&c.counselor), json!({"status": "paused"})).await.expect(200);
    assert_eq!(ids(&list(&app, &c.counselor, "status=paused").await), vec![mine[2].clone()]);
    assert_eq!(ids(&list(&app, &c.counselor, "status=active").await).len(), 4);
    assert!(ids(&list(&app, &c.counselor, "status=closed").await).is_empty());
    // Audited as a list about that client: a success for the counselor, a denial for the other.
    let events = audit_by(&app, &c.counselor).await;
    assert!(events.contains(&("list".into(), "success".into(), "couple".into(), Some(c.couple.partners[1].clone()))));
    let events = audit_by(&app, &c.other).await;
    assert!(events.contains(&("list".into(), "denied".into(), "couple".into(), Some(c.couple.partners[1].clone()))));

    for (query, status) in
        [("client_id=nope", 400), ("status=open", 400), ("limit=101", 422), ("cursor=AAAA", 400), ("foo=1", 400)]
    {
        app.get(&format!("{COUPLES}?{query}"), Some(&c.counselor)).await.problem(status);
    }
    app.get(COUPLES, Some(&c.partner_a)).await.problem(403);
    app.get(COUPLES, None).await.problem(401);
}

#[tokio::test]
async fn update_fields_if_match_and_audiences() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.couple.id);
    let me = Some(&c.counselor);
    let r = app
        .patch(
            &url,
            me,
            json!({"status": "paused", "presenting_concern": "Rebuild 🧱", "relationship_started_on": "2001-01-01"}),
        )
        .await
        .expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let v = r.json();
    assert_eq!((v["status"].as_str(), v["presenting_concern"].as_str()), (Some("paused"), Some("Rebuild 🧱")));
    assert_eq!(app.audit_rows(&c.couple.id).await.last().unwrap().0, "update");
    let v = app.patch(&url, me, json!({"relationship_started_on": null})).await.expect(200).json();
    assert_eq!(
        (v["relationship_started_on"].clone(), v["presenting_concern"].as_str()),
        (Value::Null, Some("Rebuild 🧱"))
    );

    for bad in
        [json!({"status": null}), json!({"relationship_started_on": "2001-02-29"}), json!({"presenting_concern": " "})]
    {
        app.patch(&url, me, bad).await.problem(422);
    }
    for bad in [
        json!({"status": "deleted"}),
        json!({"partner_ids": [c.solo, c.solo]}),
        json!({"practice_id": c.foreign.id}),
        json!({"version": 9}),
        json!({"id": c.solo}),
        json!({"presenting_concern": 5}),
    ] {
        app.patch(&url, me, bad).await.problem(400);
    }
    // An empty body changes nothing.
    assert_eq!(app.patch(&url, me, json!({})).await.expect(200).json()["version"], 3);
    let r = app
        .req(Method::PATCH, &url)
        .auth(me)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "closed"}))
        .send()
        .await;
    r.problem(412);
    assert_eq!(app.get(&url, me).await.json()["status"], "paused");
    let r = app
        .req(Method::PATCH, &url)
        .auth(me)
        .header("if-match", "\"3\"")
        .json(&json!({"status": "closed"}))
        .send()
        .await;
    assert_eq!(r.expect(200).json()["status"], "closed");

    // Not assigned: 404 + denial; clients 403; anonymous 401. Nothing changes.
    for who in [&c.other, &c.p.admin, &c.foreign.admin, &c.foreign_counselor] {
        app.patch(&url, Some(who), json!({"status": "active"})).await.problem(404);
        assert_denied(last_audit(&app, &c.couple.id).await, "update", who);
    }
    app.patch(&url, Some(&c.partner_a), json!({"status": "active"})).await.problem(403);
    app.patch(&url, None, json!({"status": "active"})).await.problem(401);
    assert_eq!(app.get(&url, me).await.json()["version"], 4);
}

#[tokio::test]
async fn assignments_admins_only_and_unassigned_admin_sees_no_clinical_content() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.couple.id);
    app.patch(&url, Some(&c.counselor), json!({"presenting_concern": "Secret clinical text"})).await.expect(200);

    // A counselor may not change assignments, even the assigned one: 403, denial logged, no change.
    app.patch(&url, Some(&c.counselor), json!({"counselor_ids": [c.counselor.id, c.other.id]})).await.problem(403);
    assert_denied(last_audit(&app, &c.couple.id).await, "assign", &c.counselor);
    // A counselor who cannot see the couple: 404, decided before the role rule, and logged.
    app.patch(&url, Some(&c.other), json!({"counselor_ids": [c.other.id]})).await.problem(404);
    assert_denied(last_audit(&app, &c.couple.id).await, "assign", &c.other);
    assert_eq!(app.get(&url, Some(&c.counselor)).await.json()["version"], 2);

    // The unassigned admin with anything besides counselor_ids: 404 + denial.
    let mixed = json!({"counselor_ids": [c.other.id], "status": "closed"});
    app.patch(&url, Some(&c.p.admin), mixed).await.problem(404);
    assert_denied(last_audit(&app, &c.couple.id).await, "update", &c.p.admin);
    // Bad counselor lists: 422.
    for bad in [json!([]), json!([c.foreign_counselor.id]), json!([c.partner_a.id]), json!([mend::db::new_id()])] {
        let p = app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": bad})).await.problem(422);
        assert_eq!(p["errors"][0]["field"], "counselor_ids");
    }
    // Another practice's admin: 404 + denial (never reveals the couple).
    app.patch(&url, Some(&c.foreign.admin), json!({"counselor_ids": [c.foreign.admin.id]})).await.problem(404);
    assert_denied(last_audit(&app, &c.couple.id).await, "assign", &c.foreign.admin);
    // Stale If-Match: 412.
    let r = app
        .req(Method::PATCH, &url)
        .auth(Some(&c.p.admin))
        .header("if-match", "\"1\"")
        .json(&json!({"counselor_ids": [c.other.id]}))
        .send()
        .await;
    r.problem(412);

    // ONLY counselor_ids: allowed, audited `assign`, and the concern is not shown.
    let r = app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": [c.other.id]})).await.expect(200);
    assert_eq!(copied_counselors(&app, &c.couple.id).await, vec![c.other.id.clone()]);
    assert_eq!(r.header("etag").as_deref(), Some("\"3\""));
    let v = r.json();
    assert_eq!(v["counselor_ids"], json!([c.other.id]));
    assert_eq!(v["presenting_concern"], Value::Null);
    assert_eq!(v["partner_ids"], json!(c.couple.partners));
    assert!(!r_text_contains(&v, "Secret"));
    assert_eq!(last_audit(&app, &c.couple.id).await, ("assign".into(), "success".into(), c.p.admin.id.clone()));
    // The new counselor now sees it (with the concern); the old one no longer does.
    assert_eq!(app.get(&url, Some(&c.other)).await.expect(200).json()["presenting_concern"], "Secret clinical text");
    app.get(&url, Some(&c.counselor)).await.problem(404);
    // Still not assigned, the admin reads the directory view only.
    let v = app.get(&url, Some(&c.p.admin)).await.expect(200).json();
    assert!(v.get("presenting_concern").is_none() && !r_text_contains(&v, "Secret"));

    // An admin who assigns themselves is then assigned like anyone; an assigned admin may
    // change counselors along with other fields (update + assign in the trail).
    app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": [c.other.id, c.p.admin.id]})).await.expect(200);
    assert_eq!(copied_counselors(&app, &c.couple.id).await, sorted(&[c.other.id.clone(), c.p.admin.id.clone()]));
    assert_eq!(app.get(&url, Some(&c.p.admin)).await.expect(200).json()["presenting_concern"], "Secret clinical text");
    let v = app
        .patch(&url, Some(&c.p.admin), json!({"counselor_ids": [c.p.admin.id, c.counselor.id], "status": "paused"}))
        .await
        .expect(200)
        .json();
    assert_eq!(v["presenting_concern"], "Secret clinical text");
    let events: Vec<String> = app.audit_rows(&c.couple.id).await.into_iter().rev().take(2).map(|e| e.0).collect();
    assert!(events.contains(&"update".to_string()) && events.contains(&"assign".to_string()), "{events:?}");
    assert_eq!(copied_counselors(&app, &c.couple.id).await, sorted(&[c.p.admin.id.clone(), c.counselor.id.clone()]));
    // Assigned admin removing themselves: the answer no longer shows the concern.
    let v = app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": [c.counselor.id]})).await.expect(200).json();
    assert_eq!(copied_counselors(&app, &c.couple.id).await, vec![c.counselor.id.clone()]);
    assert_eq!(v["presenting_concern"], Value::Null);
    let v = app.get(&url, Some(&c.p.admin)).await.expect(200).json();
    assert!(v.get("presenting_concern").is_none() && !r_text_contains(&v, "Secret"));
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

fn r_text_contains(v: &Value, needle: &str) -> bool {
    v.to_string().contains(needle)
}

#[tokio::test]
async fn concurrent_patches_with_one_if_match_make_one_change() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    let url = path(&c.couple.id);
    let sends = (0..6).map(|i| {
        app.req(Method::PATCH, &url)
            .auth(Some(&c.counselor))
            .header("if-match", "\"1\"")
            .json(&json!({"presenting_concern": format!("writer {i}")}))
            .send()
    });
    let results = futures_util::future::join_all(sends).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 5, "{statuses:?}");
    assert_eq!(app.get(&url, Some(&c.counselor)).await.json()["version"], 2);
}

/// The couple's counselors as its row's copy names them (what a page of couples reads), after
/// checking that the copy is exactly what couple_counselors holds.
async fn copied_counselors(app: &TestApp, couple_id: &str) -> Vec<String> {
    let couple_id = couple_id.to_string();
    let (copy, kept) = app
        .sql(move |conn| {
            use diesel::prelude::*;
            use mend::db::schema::couple_counselors::dsl as kc;
            use mend::db::schema::couples::dsl as k;
            let copy: Option<String> =
                k::couples.filter(k::id.eq(&couple_id)).select(k::counselor_ids).first(conn).expect("couple row");
            let kept: Vec<String> = kc::couple_counselors
                .filter(kc::couple_id.eq(&couple_id))
                .select(kc::counselor_id)
                .load(conn)
                .expect("rows");
            (copy, kept)
        })
        .await;
    // Split as the views split it.
    let copy: Vec<String> = mend::domain::ids::UserId::split_db(copy).into_iter().map(|id| id.to_string()).collect();
    assert_eq!(copy, sorted(&kept), "the couple's row and couple_counselors disagree");
    copy
}

#[tokio::test]
async fn concurrent_assignments_leave_the_row_and_couple_counselors_agreeing() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app).await;
    assert_eq!(copied_counselors(&app, &c.couple.id).await, vec![c.counselor.id.clone()]);
    let url = path(&c.couple.id);
    let sets = [
        vec![c.other.id.clone()],
        vec![c.counselor.id.clone(), c.other.id.clone()],
        vec![c.p.admin.id.clone()],
        vec![c.counselor.id.clone(), c.p.admin.id.clone()],
        vec![c.other.id.clone(), c.p.admin.id.clone()],
        vec![c.counselor.id.clone()],
    ];
    // Without If-Match, all at once: each lands, or finds the couple changed under it (412).
    let sends = sets.iter().map(|ids| app.patch(&url, Some(&c.p.admin), json!({"counselor_ids": ids})));
    let statuses: Vec<u16> = futures_util::future::join_all(sends).await.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 200 || *s == 412), "{statuses:?}");
    assert!(statuses.contains(&200), "{statuses:?}");
    let last = copied_counselors(&app, &c.couple.id).await;
    let landed: Vec<Vec<String>> =
        sets.iter().zip(&statuses).filter(|(_, s)| **s == 200).map(|(ids, _)| sorted(ids)).collect();
    assert!(landed.contains(&last), "{last:?} is none of the sets that landed: {landed:?}");
    let shown: Vec<String> =
        serde_json::from_value(app.get(&url, Some(&c.p.admin)).await.json()["counselor_ids"].clone())
            .expect("counselor_ids");
    assert_eq!(sorted(&shown), last);
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut v = ids.to_vec();
    v.sort();
    v
}
