//! Outcome measures through the HTTP API: instruments, assessments for each partner (or a
//! client), answers in the portal or from a paper form, scoring, measures and the chart, every
//! audience on every path, and the rule that a partner never sees the other's answers or score.

mod common;

use common::measures::*;
use common::trust::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn instruments_list_csi4_with_the_authors_wording_for_any_staff() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let body = app.get("/api/v1/instruments", Some(&w.counselor)).await.expect(200).json();
    let csi = body["items"].as_array().unwrap().iter().find(|i| i["key"] == "csi-4").expect("csi-4").clone();
    assert_eq!(csi["score"], json!({"min": 0, "max": 21, "cutoff": 13.5, "higher_is": "better"}));
    assert!(csi["citation"].as_str().unwrap().contains("Funk, J. L., & Rogge, R. D. (2007)"));
    assert!(csi["licence"].as_str().unwrap().contains("attribution"));
    let items = csi["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[0]["text"],
        "Please indicate the degree of happiness, all things considered, of your relationship."
    );
    assert_eq!(items[0]["options"].as_array().unwrap().len(), 7);
    assert_eq!(items[0]["options"][6], json!({"value": 6, "label": "Perfect"}));
    assert_eq!(items[1]["options"][0], json!({"value": 0, "label": "Not at all True"}));
    for i in &items[1..] {
        assert_eq!(i["options"].as_array().unwrap().len(), 6, "items 2 to 4 are scored 0 to 5");
    }
    // Not clinical: every staff user may read it; clients may not; nobody without a token.
    for u in w.staff() {
        app.get("/api/v1/instruments", Some(u)).await.expect(200);
    }
    for u in w.clients() {
        app.get("/api/v1/instruments", Some(u)).await.problem(403);
    }
    app.get("/api/v1/instruments", None).await.problem(401);
}

#[tokio::test]
async fn a_couple_gets_one_assessment_per_partner_and_bad_requests_are_refused() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let path = format!("/api/v1/couples/{}/assessments", w.couple.id);
    let c = Some(&w.counselor);
    let r = app.post(&path, c, json!({"instrument": "csi-4", "due_on": "2026-12-15"})).await.expect(201);
    assert_eq!(r.header("location"), Some(path.clone()));
    let body = r.json();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let clients: Vec<&str> = items.iter().map(|i| i["client_id"].as_str().unwrap()).collect();
    assert_eq!(clients, [w.couple.partners[0].as_str(), w.couple.partners[1].as_str()]);
    for i in items {
        assert_eq!(
            (&i["status"], &i["instrument"], &i["couple_id"], &i["due_on"], &i["score"], &i["answers"], &i["band"]),
            (
                &json!("pending"),
                &json!("csi-4"),
                &json!(w.couple.id),
                &json!("2026-12-15"),
                &json!(null),
                &json!(null),
                &json!(null)
            )
        );
        assert_eq!(i["version"], 1);
        assert!(audited_as(&app, i["id"].as_str().unwrap(), "create", "success", &w.counselor.id).await);
    }
    // Read and list; ?instrument filters; oldest first.
    let first = items[0]["id"].as_str().unwrap();
    let read = app.get(&format!("/api/v1/assessments/{first}"), c).await.expect(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.json(), items[0]);
    assert!(audited_as(&app, first, "read", "success", &w.counselor.id).await);
    let second_round = assign(&app, &w, &w.couple).await;
    let list = app.get(&format!("{path}?instrument=csi-4&limit=3"), c).await.expect(200).json();
    assert_eq!(ids(&list).len(), 3);
    assert_eq!(ids(&list)[..2], [items[0]["id"].as_str().unwrap(), items[1]["id"].as_str().unwrap()]);
    let cursor = list["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("{path}?instrument=csi-4&limit=3&cursor={cursor}"), c).await.expect(200).json();
    assert_eq!(ids(&rest).len(), 1);
    assert!(second_round.contains(&ids(&rest)[0]));
    assert!(audited_as(&app, &w.couple.id, "list", "success", &w.counselor.id).await);
    // The other couple's assessments never show here.
    assign(&app, &w, &w.other_couple).await;
    assert_eq!(ids(&app.get(&format!("{path}?limit=100"), c).await.json()).len(), 4);
    // A partner's list through the client path: their couples' assessments.
    let partner = format!("/api/v1/clients/{}/assessments", w.couple.partners[1]);
    let theirs = app.get(&partner, c).await.expect(200).json();
    assert_eq!(ids(&theirs), [items[1]["id"].as_str().unwrap().to_string(), second_round[1].clone()]);

    // Bad requests: every bad field named; unknown fields and bad types are 400.
    let e = app.post(&path, c, json!({"instrument": "das", "due_on": "2026-02-30"})).await.problem(422);
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["instrument", "due_on"]);
    app.post(&path, c, json!({"instrument": "csi-4", "extra": 1})).await.problem(400);
    app.post(&path, c, json!({"instrument": 4})).await.problem(400);
    app.post(&path, c, json!({})).await.problem(400);
    app.get(&format!("{path}?instrument=das"), c).await.problem(422);
    app.get(&format!("{path}?limit=0"), c).await.problem(422);
    app.get(&format!("{path}?cursor=garbage"), c).await.problem(400);
    app.get(&format!("{path}?status=pending"), c).await.problem(400);
    assert_eq!(ids(&app.get(&format!("{path}?limit=100"), c).await.json()).len(), 4, "nothing made by refusals");
}

#[tokio::test]
async fn a_client_seen_alone_gets_one_assessment_from_a_directly_assigned_counselor() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let client = app.client(&w.p, Some(&w.counselor)).await;
    let path = format!("/api/v1/clients/{client}/assessments");
    let r = app.post(&path, Some(&w.counselor), json!({"instrument": "csi-4"})).await.expect(201);
    let a = r.json();
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), Some(format!("/api/v1/assessments/{id}")));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!((&a["client_id"], &a["couple_id"], &a["status"]), (&json!(client), &json!(null), &json!("pending")));
    assert_eq!(ids(&app.get(&path, Some(&w.counselor)).await.expect(200).json()), vec![id.clone()]);
    // Counselor enters a paper form.
    let done = app
        .post(&format!("/api/v1/assessments/{id}/responses"), Some(&w.counselor), csi4(6, 5, 5, 5))
        .await
        .expect(200);
    assert_eq!(done.header("etag").as_deref(), Some("\"2\""));
    let done = done.json();
    assert_eq!(
        (&done["status"], &done["score"], &done["band"]),
        (&json!("completed"), &json!(21), &json!("above_cutoff"))
    );
    assert_eq!(done["responded_by"], w.counselor.id);
    assert!(audited_as(&app, &id, "respond", "success", &w.counselor.id).await);

    // Assigned to the couple only: not to the partner's individual work (the counselor sees the
    // partner's record, so the refusal says why).
    let partner = format!("/api/v1/clients/{}/assessments", w.couple.partners[0]);
    let before = denials(&app, &w.couple.partners[0], &w.counselor.id).await;
    app.post(&partner, Some(&w.counselor), json!({"instrument": "csi-4"})).await.problem(403);
    assert_eq!(denials(&app, &w.couple.partners[0], &w.counselor.id).await, before + 1);
    // The individual assessment is not visible through a couple assignment either.
    let colleague = app.counselor(&w.p).await;
    couple_of(&app, &w.p, &colleague, &client, &w.couple.partners[0]).await;
    let seen = app.get(&format!("/api/v1/clients/{client}/assessments"), Some(&colleague)).await.expect(200).json();
    assert!(ids(&seen).is_empty(), "{seen}");
    app.get(&format!("/api/v1/assessments/{id}"), Some(&colleague)).await.problem(404);
    assert!(audited_as(&app, &id, "read", "denied", &colleague.id).await);
}

#[tokio::test]
async fn a_partner_answers_alone_is_scored_and_the_assessment_locks() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [mine, theirs] = assign(&app, &w, &w.couple).await;
    // The portal lists only the caller's own.
    let list = app.get("/api/v1/portal/assessments", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&list), vec![mine.clone()]);
    assert_eq!(list["items"][0]["status"], "pending");
    assert!(list["items"][0].get("client_id").is_none() && list["items"][0].get("version").is_none());
    // A client in two couples: `?couple_id` narrows to one of theirs; another couple is 404.
    let second = couple_of(&app, &w.p, &w.counselor, &w.couple.partners[0], &w.other_couple.partners[1]).await;
    let [in_second, _] = assign(&app, &w, &second).await;
    let all = app.get("/api/v1/portal/assessments", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&all), [mine.clone(), in_second.clone()]);
    let one = app.get(&format!("/api/v1/portal/assessments?couple_id={}", w.couple.id), Some(&w.a)).await;
    assert_eq!(ids(&one.expect(200).json()), vec![mine.clone()]);
    let other = format!("/api/v1/portal/assessments?couple_id={}", w.other_couple.id);
    app.get(&other, Some(&w.a)).await.problem(404);
    assert!(audited_as(&app, &w.other_couple.id, "list", "denied", &w.a.id).await);
    app.get("/api/v1/portal/assessments?couple_id=nope", Some(&w.a)).await.problem(400);
    app.get("/api/v1/portal/assessments?instrument=das", Some(&w.a)).await.problem(422);
    let own = app.get(&format!("/api/v1/portal/assessments/{mine}"), Some(&w.a)).await.expect(200).json();
    assert_eq!(own["questionnaire"]["items"].as_array().unwrap().len(), 4);
    assert_eq!((&own["answers"], &own["score"]), (&json!(null), &json!(null)));
    assert!(audited_as(&app, &mine, "read", "success", &w.a.id).await);
    // The partner's is not there for the caller: 404, audited as denied.
    app.get(&format!("/api/v1/portal/assessments/{theirs}"), Some(&w.a)).await.problem(404);
    assert!(audited_as(&app, &theirs, "read", "denied", &w.a.id).await);
    answer(&app, &w.a, &theirs, csi4(0, 0, 0, 0)).await.problem(404);
    assert!(audited_as(&app, &theirs, "respond", "denied", &w.a.id).await);
    assert_untouched(&app, &theirs).await;

    // Happy (3) + Mostly True (3) + Somewhat (2) + Almost Completely (4) = 12.
    let done = answer(&app, &w.a, &mine, csi4(3, 3, 2, 4)).await.expect(200).json();
    assert_eq!(
        (&done["status"], &done["score"], &done["band"]),
        (&json!("completed"), &json!(12), &json!("below_cutoff"))
    );
    assert_eq!(done["answers"], json!({"q1": 3, "q2": 3, "q3": 2, "q4": 4}));
    assert!(done["completed_at"].is_string());
    assert!(audited_as(&app, &mine, "respond", "success", &w.a.id).await);
    // Locked: a second response (portal or paper) is 409 and changes nothing.
    answer(&app, &w.a, &mine, csi4(6, 5, 5, 5)).await.problem(409);
    app.post(&format!("/api/v1/assessments/{mine}/responses"), Some(&w.counselor), csi4(6, 5, 5, 5)).await.problem(409);
    let (status, _, score, version) = stored(&app, &mine).await;
    assert_eq!((status.as_str(), score, version), ("completed", Some(12), 2));
    // The counselor sees the answers and score; the partner's stays pending.
    let staff = app.get(&format!("/api/v1/assessments/{mine}"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(
        (&staff["score"], &staff["answers"]["q4"], &staff["responded_by"]),
        (&json!(12), &json!(4), &json!(w.a.id))
    );
    assert_untouched(&app, &theirs).await;
}

#[tokio::test]
async fn incomplete_out_of_range_extra_and_repeated_answers_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [mine, _] = assign(&app, &w, &w.couple).await;
    let staff_path = format!("/api/v1/assessments/{mine}/responses");
    let portal_path = format!("/api/v1/portal/assessments/{mine}/responses");
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"answers": {"q1": 1, "q2": 1, "q3": 1}}), vec!["answers.q4"]),
        (json!({"answers": {}}), vec!["answers.q1", "answers.q2", "answers.q3", "answers.q4"]),
        (csi4(7, 1, 1, 1), vec!["answers.q1"]),
        (csi4(6, 6, 1, -1), vec!["answers.q2", "answers.q4"]),
        (csi4(1, 1, 1, 99_999_999_999), vec!["answers.q4"]),
        (json!({"answers": {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1}}), vec!["answers.q5"]),
        (json!({"answers": {"Q1": 1, "q2": 1, "q3": 1, "q4": 1}}), vec!["answers.q1", "answers.Q1"]),
    ];
    for (who, path) in [(&w.a, &portal_path), (&w.counselor, &staff_path)] {
        for (body, fields) in &cases {
            let e = app.post(path, Some(who), body.clone()).await.problem(422);
            let got: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert_eq!(&got, fields, "{body}");
        }
        // A JSON object that repeats an item: refused, naming it (never "last one wins").
        let repeated = r#"{"answers": {"q1": 6, "q2": 1, "q3": 1, "q4": 1, "q1": 0}}"#;
        let e =
            app.req(Method::POST, path).auth(Some(who)).body("application/json", repeated).send().await.problem(422);
        assert_eq!(e["errors"][0]["field"], "answers.q1");
        assert!(e["errors"][0]["message"].as_str().unwrap().contains("more than once"));
        // Wrong types and shapes are 400.
        for bad in [
            json!({"answers": {"q1": "1", "q2": 1, "q3": 1, "q4": 1}}),
            json!({"answers": {"q1": 1.5, "q2": 1, "q3": 1, "q4": 1}}),
            json!({"answers": {"q1": null, "q2": 1, "q3": 1, "q4": 1}}),
            json!({"answers": [1, 1, 1, 1]}),
            json!({"answers": {"q1": 1, "q2": 1, "q3": 1, "q4": 1}, "score": 21}),
            json!({}),
        ] {
            app.post(path, Some(who), bad.clone()).await.problem(400);
        }
        assert_untouched(&app, &mine).await;
    }
}

#[tokio::test]
async fn of_two_concurrent_responses_one_wins_and_the_other_is_409() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    for _ in 0..3 {
        let [mine, _] = assign(&app, &w, &w.couple).await;
        let staff_path = format!("/api/v1/assessments/{mine}/responses");
        let (x, y) = tokio::join!(
            answer(&app, &w.a, &mine, csi4(1, 1, 1, 1)),
            app.post(&staff_path, Some(&w.counselor), csi4(5, 5, 5, 5))
        );
        let mut statuses = [x.status, y.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} / {}", x.text, y.text);
        let (status, _, score, version) = stored(&app, &mine).await;
        let winner = if x.status == 200 { 4 } else { 20 };
        assert_eq!((status.as_str(), score, version), ("completed", Some(winner), 2));
    }
}

#[tokio::test]
async fn measures_show_each_partner_over_time_and_the_chart_draws_every_point() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [a1, b1] = assign(&app, &w, &w.couple).await;
    let [a2, _b2] = assign(&app, &w, &w.couple).await;
    let [a3, _] = assign(&app, &w, &w.couple).await;
    answer(&app, &w.a, &a1, csi4(1, 2, 2, 2)).await.expect(200); // 7
    answer(&app, &w.b, &b1, csi4(4, 4, 4, 4)).await.expect(200); // 16
    answer(&app, &w.a, &a2, csi4(3, 3, 3, 3)).await.expect(200); // 12
    answer(&app, &w.a, &a3, csi4(4, 4, 4, 3)).await.expect(200); // 15
                                                                 // The other couple's scores never join these.
    let [o1, _] = assign(&app, &w, &w.other_couple).await;
    answer(&app, &w.outsider, &o1, csi4(0, 0, 0, 0)).await.expect(200);

    let path = format!("/api/v1/couples/{}/measures/csi-4", w.couple.id);
    let m = app.get(&path, Some(&w.counselor)).await.expect(200).json();
    assert_eq!((&m["instrument"], &m["cutoff"]), (&json!("csi-4"), &json!(13.5)));
    let [pa, pb] = [&m["partners"][0], &m["partners"][1]];
    assert_eq!(pa["client_id"], w.couple.partners[0]);
    let scores =
        |p: &Value| p["points"].as_array().unwrap().iter().map(|x| x["score"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(scores(pa), [7, 12, 15]);
    assert_eq!((&pa["baseline"], &pa["latest"], &pa["change"]), (&json!(7), &json!(15), &json!(8)));
    assert_eq!(pb["client_id"], w.couple.partners[1]);
    assert_eq!(scores(pb), [16]);
    assert_eq!((&pb["baseline"], &pb["latest"], &pb["change"]), (&json!(16), &json!(16), &json!(0)));
    let times: Vec<&str> =
        pa["points"].as_array().unwrap().iter().map(|p| p["completed_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|t| t[0] <= t[1]), "oldest first: {times:?}");
    assert!(audited_as(&app, &w.couple.id, "read", "success", &w.counselor.id).await);
    app.get(&format!("/api/v1/couples/{}/measures/das", w.couple.id), Some(&w.counselor)).await.problem(404);
    // A couple with no answers yet: both partners, no points.
    let empty = app.get(&format!("/api/v1/couples/{}/measures/csi-4", w.other_couple.id), Some(&w.counselor)).await;
    let empty = empty.expect(200).json();
    assert_eq!(scores(&empty["partners"][1]), Vec::<i64>::new());
    assert_eq!(empty["partners"][1]["baseline"], json!(null));

    let r = app.get(&format!("{path}/chart.svg"), Some(&w.counselor)).await.expect(200);
    assert_eq!(r.header("content-type").as_deref(), Some("image/svg+xml"));
    let doc = roxmltree::Document::parse(&r.text).expect("the chart is well-formed XML");
    let root = doc.root_element();
    assert_eq!((root.tag_name().name(), root.tag_name().namespace()), ("svg", Some("http://www.w3.org/2000/svg")));
    assert!(doc.descendants().all(|n| n.tag_name().name() != "script" && n.tag_name().name() != "foreignObject"));
    assert!(doc
        .descendants()
        .all(|n| n.attributes().all(|a| !a.name().starts_with("on") && !a.value().contains("javascript:"))));
    let groups: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("partner")).collect();
    assert_eq!(groups.len(), 2, "both partners' lines");
    for (g, partner) in groups.iter().zip([pa, pb]) {
        assert_eq!(g.attribute("data-client-id"), partner["client_id"].as_str());
        let drawn: Vec<i64> = g
            .descendants()
            .filter(|n| n.tag_name().name() == "circle")
            .map(|n| n.attribute("data-score").unwrap().parse().unwrap())
            .collect();
        assert_eq!(drawn, scores(partner), "every point is drawn");
    }
    assert_eq!(groups[0].descendants().filter(|n| n.tag_name().name() == "polyline").count(), 1);
    doc.descendants().find(|n| n.attribute("class") == Some("cutoff")).expect("the cutoff line");
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    assert!(texts.contains(&"Cutoff 13.5".to_string()), "the legend names the cutoff: {texts:?}");
    // The legend names the partners (staff only see this chart).
    for partner in [pa, pb] {
        assert!(texts.contains(&partner["name"].as_str().unwrap().to_string()), "{texts:?}");
    }
    // Dates are the points' days in the practice's time zone; the last one is always labelled.
    let days: Vec<&str> =
        pa["points"].as_array().unwrap().iter().map(|p| p["completed_on"].as_str().unwrap()).collect();
    let labelled: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("date"))
        .filter_map(|n| n.attribute("data-date"))
        .collect();
    assert_eq!(labelled.last(), days.last(), "{labelled:?}");
    assert_labels_fit(&doc);
    app.get(&format!("/api/v1/couples/{}/measures/das/chart.svg", w.couple.id), Some(&w.counselor)).await.problem(404);
}

#[tokio::test]
async fn every_staff_path_refuses_every_other_audience() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [mine, _] = assign(&app, &w, &w.couple).await;
    let alone = app.client(&w.p, Some(&w.counselor)).await;
    let k = &w.couple.id;
    let create = Some(json!({"instrument": "csi-4"}));
    let cases: Vec<(Method, String, Option<Value>, String)> = vec![
        (Method::POST, format!("/api/v1/couples/{k}/assessments"), create.clone(), k.clone()),
        (Method::GET, format!("/api/v1/couples/{k}/assessments"), None, k.clone()),
        (Method::POST, format!("/api/v1/clients/{alone}/assessments"), create.clone(), alone.clone()),
        (Method::GET, format!("/api/v1/clients/{alone}/assessments"), None, alone.clone()),
        (
            Method::GET,
            format!("/api/v1/clients/{}/assessments", w.couple.partners[0]),
            None,
            w.couple.partners[0].clone(),
        ),
        (Method::GET, format!("/api/v1/assessments/{mine}"), None, mine.clone()),
        (Method::POST, format!("/api/v1/assessments/{mine}/responses"), Some(csi4(1, 1, 1, 1)), mine.clone()),
        (Method::GET, format!("/api/v1/couples/{k}/measures/csi-4"), None, k.clone()),
        (Method::GET, format!("/api/v1/couples/{k}/measures/csi-4/chart.svg"), None, k.clone()),
    ];
    for (method, path, body, resource) in cases {
        assert_staff_only(&app, &w, method.clone(), &path, body.clone(), &resource).await;
        // A client's 403 on a staff path is a denial on the resource asked for, too.
        for u in w.clients() {
            let before = denials(&app, &resource, &u.id).await;
            call(&app, method.clone(), &path, Some(u), body.as_ref()).await.problem(403);
            assert_eq!(denials(&app, &resource, &u.id).await, before + 1, "{method} {path}: a denial for a client");
        }
    }
    assert_untouched(&app, &mine).await;
    // Nothing was made by the refused creates: still the two of `assign`.
    let list = app.get(&format!("/api/v1/couples/{k}/assessments"), Some(&w.counselor)).await.expect(200).json();
    assert_eq!(ids(&list).len(), 2);
    assert!(ids(&app.get(&format!("/api/v1/clients/{alone}/assessments"), Some(&w.counselor)).await.json()).is_empty());
}

#[tokio::test]
async fn every_portal_path_refuses_staff_the_partner_and_other_clients() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [mine, _] = assign(&app, &w, &w.couple).await;
    let read = format!("/api/v1/portal/assessments/{mine}");
    let respond = format!("/api/v1/portal/assessments/{mine}/responses");
    for u in w.staff() {
        app.get("/api/v1/portal/assessments", Some(u)).await.problem(403);
        app.get(&read, Some(u)).await.problem(403);
        app.post(&respond, Some(u), csi4(1, 1, 1, 1)).await.problem(403);
    }
    for path in ["/api/v1/portal/assessments", read.as_str()] {
        app.get(path, None).await.problem(401);
    }
    app.post(&respond, None, csi4(1, 1, 1, 1)).await.problem(401);
    // The partner and a client of another couple: 404 and a denial, nothing written.
    for u in [&w.b, &w.outsider] {
        assert!(ids(&app.get("/api/v1/portal/assessments", Some(u)).await.expect(200).json())
            .iter()
            .all(|i| *i != mine));
        let before = denials(&app, &mine, &u.id).await;
        app.get(&read, Some(u)).await.problem(404);
        app.post(&respond, Some(u), csi4(1, 1, 1, 1)).await.problem(404);
        assert_eq!(denials(&app, &mine, &u.id).await, before + 2);
    }
    assert_untouched(&app, &mine).await;
}

/// Partner B's answers and score must never reach partner A, on any portal path, before or after
/// either has answered. B's answers are all maximal (score 21), A's all minimal (score 0).
#[tokio::test]
async fn a_partner_never_sees_the_other_partners_answers_or_score() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [a_id, b_id] = assign(&app, &w, &w.couple).await;
    answer(&app, &w.b, &b_id, csi4(6, 5, 5, 5)).await.expect(200);
    let b_markers = [b_id.clone(), "\"score\":21".to_string(), "\"q1\":6".to_string(), "above_cutoff".to_string()];
    // Control: B does see these markers about their own assessment.
    let b_view = app.get(&format!("/api/v1/portal/assessments/{b_id}"), Some(&w.b)).await.expect(200).text;
    assert!(b_markers.iter().all(|m| b_view.contains(m.as_str())), "{b_view}");

    let spec = app.get("/openapi.json", None).await.expect(200).json();
    let portal_gets: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, item)| p.starts_with("/api/v1/portal/") && item.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    assert!(portal_gets.iter().any(|p| p.contains("assessments")));
    let mut seen = Vec::new();
    for round in 0..2 {
        if round == 1 {
            seen.push(answer(&app, &w.a, &a_id, csi4(0, 0, 0, 0)).await.expect(200).text);
            answer(&app, &w.a, &a_id, csi4(0, 0, 0, 0)).await.problem(409);
        }
        for p in &portal_gets {
            for id in [&a_id, &b_id] {
                let r = app.get(&p.replace("{id}", id), Some(&w.a)).await;
                seen.push(r.text);
            }
        }
        seen.push(answer(&app, &w.a, &b_id, csi4(6, 5, 5, 5)).await.text);
    }
    for text in &seen {
        for m in &b_markers {
            assert!(!text.contains(m.as_str()), "partner A saw {m}: {text}");
        }
    }
    // A's own answers did reach A (so the texts checked are real answers).
    assert!(seen.iter().any(|t| t.contains("\"score\":0") && t.contains(&a_id)));
}

/// An admin who creates a client sees its record, but not its measures, releases or
/// disclosures until an admin assigns them: 403 with the reason (the admin knows the client
/// exists), audited as denied. Another practice's admin gets 404.
#[tokio::test]
async fn admin_who_creates_a_client_sees_its_record_but_not_its_measures_until_assigned() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let admin = Some(&w.p.admin);
    let created = app.post("/api/v1/clients", admin, json!({"first_name": "Ida", "last_name": "Intake"})).await;
    let client = created.expect(201).json();
    let id = client["id"].as_str().unwrap().to_string();
    assert_eq!(client["counselor_ids"], json!([]), "an admin who creates a client is not assigned to it");
    app.get(&format!("/api/v1/clients/{id}"), admin).await.expect(200);
    let measures = format!("/api/v1/clients/{id}/assessments");
    let refused = app.post(&measures, admin, json!({"instrument": "csi-4"})).await.problem(403);
    assert!(refused["detail"].as_str().unwrap_or_default().contains("assigned"), "{refused}");
    for sub in ["assessments", "releases", "disclosures"] {
        let refused = app.get(&format!("/api/v1/clients/{id}/{sub}"), admin).await.problem(403);
        assert!(refused["detail"].as_str().unwrap_or_default().contains("assign"), "{sub}: {refused}");
    }
    let denied = app.audit_rows(&id).await.into_iter().filter(|(_, outcome, _)| outcome == "denied").count();
    assert_eq!(denied, 4, "each refusal is audited as denied");
    let other = app.practice().await;
    app.post(&measures, Some(&other.admin), json!({"instrument": "csi-4"})).await.problem(404);
    app.get(&format!("/api/v1/clients/{id}/releases"), Some(&other.admin)).await.problem(404);

    // Once an admin assigns themself, the same requests succeed.
    let body = json!({"counselor_ids": [w.p.admin.id]});
    app.patch(&format!("/api/v1/clients/{id}"), admin, body).await.expect(200);
    let made = app.post(&measures, admin, json!({"instrument": "csi-4"})).await.expect(201).json();
    assert_eq!(made["client_id"], json!(id));
    let list = app.get(&measures, admin).await.expect(200).json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}

/// Every `<text>` of a chart lies inside its view box and no two overlap, with each label's box
/// estimated from the font size (0.62 em per character, the height of the font) and its anchor.
fn assert_labels_fit(doc: &roxmltree::Document) {
    let root = doc.root_element();
    let view: Vec<f64> = root.attribute("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    let base_size: f64 = root.attribute("font-size").unwrap().parse().unwrap();
    let mut boxes: Vec<(f64, f64, f64, f64, String)> = Vec::new();
    for n in doc.descendants().filter(|n| n.tag_name().name() == "text") {
        let text = n.text().unwrap_or_default().to_string();
        let size: f64 = n.attribute("font-size").map_or(base_size, |v| v.parse().unwrap());
        let (x, y): (f64, f64) =
            (n.attribute("x").unwrap().parse().unwrap(), n.attribute("y").unwrap().parse().unwrap());
        let w = text.chars().count() as f64 * 0.62 * size;
        let left = match n.attribute("text-anchor") {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        let b = (left, y - size, left + w, y + 0.25 * size, text);
        assert!(
            b.0 >= view[0] && b.1 >= view[1] && b.2 <= view[0] + view[2] && b.3 <= view[1] + view[3],
            "outside the picture: {b:?}"
        );
        for o in &boxes {
            let apart = b.2 <= o.0 || o.2 <= b.0 || b.3 <= o.1 || o.3 <= b.1;
            assert!(apart, "labels overlap: {b:?} and {o:?}");
        }
        boxes.push(b);
    }
    assert!(boxes.len() >= 5, "title, axis, dates and legend: {boxes:?}");
}
