//! The client portal: each client sees exactly their own things, and nothing clinical leaks.

mod common;

use common::trust::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const NOTE_MARKER: &str = "MARKER-mediation-note-7f3a";
const UNSHARED_MARKER: &str = "MARKER-unshared-summary-91c2";
const HIDDEN_MARKER: &str = "MARKER-hidden-milestone-4d0e";
const INDIVIDUAL_MARKER: &str = "MARKER-partner-individual-b55a";
const SHARED_TEXT: &str = "We practised listening without interrupting. 💬";

/// The scene every leak test uses.
struct Scene {
    w: World,
    /// Couple session, both partners attend, summary shared.
    shared: String,
    /// Couple session, both attend, summary drafted but not shared, with a mediation note.
    unshared: String,
    /// Partner B's individual session (only B attends), summary shared to B.
    individual: String,
    /// The other couple's session (the outsider attends).
    other: String,
    boundary: String,
    other_boundary: String,
    visible: String,
    hidden: String,
}

async fn scene(app: &TestApp) -> Scene {
    let w = World::new(app).await;
    let session = |couple: Option<String>,
                   client: Option<String>,
                   attendees: Vec<String>,
                   day: i64,
                   summary: &'static str,
                   shared: bool| {
        let (p, c) = (w.p.id.clone(), w.counselor.id.clone());
        async move {
            insert_session(
                app,
                NewSession {
                    practice_id: &p,
                    couple_id: couple.as_deref(),
                    client_id: client.as_deref(),
                    counselor_id: &c,
                    attendees,
                    starts_at: at("2026-11-01T15:00:00") + chrono::Duration::days(day),
                    status: "completed",
                    summary: Some(summary),
                    shared,
                },
            )
            .await
        }
    };
    let both = w.couple.partners.to_vec();
    let shared = session(Some(w.couple.id.clone()), None, both.clone(), 0, SHARED_TEXT, true).await;
    let unshared = session(Some(w.couple.id.clone()), None, both.clone(), 1, UNSHARED_MARKER, false).await;
    insert_note(app, &w.p.id, &unshared, &w.couple.id, &w.counselor.id, NOTE_MARKER).await;
    insert_note(app, &w.p.id, &shared, &w.couple.id, &w.counselor.id, NOTE_MARKER).await;
    let b_only = vec![w.couple.partners[1].clone()];
    let individual = session(None, Some(w.couple.partners[1].clone()), b_only, 2, INDIVIDUAL_MARKER, true).await;
    let other =
        session(Some(w.other_couple.id.clone()), None, w.other_couple.partners.to_vec(), 3, "Other couple", true).await;

    let boundary = boundary(app, &w, &w.couple, "Phone stays open").await["id"].as_str().unwrap().to_string();
    let other_boundary =
        common::trust::boundary(app, &w, &w.other_couple, "Other boundary").await["id"].as_str().unwrap().to_string();
    let visible = milestone(app, &w, &w.couple, json!({"title": "Heard each other", "phase": "acknowledge"})).await;
    let hidden = milestone(
        app,
        &w,
        &w.couple,
        json!({"title": HIDDEN_MARKER, "description": HIDDEN_MARKER, "phase": "amends", "visible_to_clients": false}),
    )
    .await;
    milestone(app, &w, &w.other_couple, json!({"title": "Other milestone", "phase": "impact"})).await;
    Scene {
        w,
        shared,
        unshared,
        individual,
        other,
        boundary,
        other_boundary,
        visible: visible["id"].as_str().unwrap().into(),
        hidden: hidden["id"].as_str().unwrap().into(),
    }
}

fn assert_no_markers(body: &str, who: &str) {
    for marker in [NOTE_MARKER, UNSHARED_MARKER, HIDDEN_MARKER] {
        assert!(!body.contains(marker), "{who} got {marker}: {body}");
    }
}

#[tokio::test]
async fn each_client_sees_exactly_their_own_sessions() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let w = &s.w;

    let a = app.get("/api/v1/portal/sessions", Some(&w.a)).await.expect(200);
    assert_no_markers(&a.text, "A");
    assert!(!a.text.contains(INDIVIDUAL_MARKER) && !a.text.contains(&s.individual), "A sees B's individual session");
    let a = a.json();
    assert_eq!(ids(&a), vec![s.shared.clone(), s.unshared.clone()]);
    let first = &a["items"][0];
    assert_eq!(first["summary"]["text"], SHARED_TEXT);
    assert!(first["summary"]["shared_at"].is_string());
    assert_eq!(first["counselor_name"], "Test User");
    assert_eq!(first["starts_at"], "2026-11-01T15:00:00Z");
    assert_eq!((first["duration_minutes"].as_i64(), first["modality"].as_str()), (Some(50), Some("telehealth")));
    assert_eq!(first["status"], "completed");
    let mut keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["counselor_name", "couple_id", "duration_minutes", "id", "kind", "modality", "starts_at", "status", "summary"]
    );
    assert_eq!((first["kind"].as_str(), first["couple_id"].as_str()), (Some("joint"), Some(w.couple.id.as_str())));
    assert_eq!(a["items"][1]["summary"], json!(null), "an unshared summary is null");

    let b = app.get("/api/v1/portal/sessions", Some(&w.b)).await.expect(200);
    assert_no_markers(&b.text, "B");
    let b = b.json();
    assert_eq!(ids(&b), vec![s.shared.clone(), s.unshared.clone(), s.individual.clone()]);
    assert_eq!(b["items"][2]["summary"]["text"], INDIVIDUAL_MARKER, "B sees their own shared summary");
    assert_eq!((b["items"][2]["kind"].as_str(), &b["items"][2]["couple_id"]), (Some("individual"), &json!(null)));

    let o = app.get("/api/v1/portal/sessions", Some(&w.outsider)).await.expect(200);
    assert_no_markers(&o.text, "outsider");
    assert!(!o.text.contains(INDIVIDUAL_MARKER) && !o.text.contains(SHARED_TEXT));
    assert_eq!(ids(&o.json()), vec![s.other.clone()]);

    // Pagination through the caller's sessions only.
    let p1 = app.get("/api/v1/portal/sessions?limit=2", Some(&w.b)).await.expect(200).json();
    let cur = p1["next_cursor"].as_str().unwrap().to_string();
    let p2 = app.get(&format!("/api/v1/portal/sessions?limit=2&cursor={cur}"), Some(&w.b)).await.expect(200).json();
    assert_eq!([ids(&p1), ids(&p2)].concat(), ids(&b));
    app.get("/api/v1/portal/sessions?cursor=xyz", Some(&w.b)).await.problem(400);
    app.get("/api/v1/portal/sessions?client_id=x", Some(&w.b)).await.problem(400);
    assert!(audited_as(&app, &w.couple.partners[0], "list", "success", &w.a.id).await);
}

#[tokio::test]
async fn no_clinical_marker_appears_in_any_portal_response() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let w = &s.w;
    for (who, user) in [("A", &w.a), ("B", &w.b), ("outsider", &w.outsider)] {
        let mut bodies = Vec::new();
        for path in
            ["/api/v1/portal/me", "/api/v1/portal/sessions", "/api/v1/portal/boundaries", "/api/v1/portal/milestones"]
        {
            bodies.push(app.get(path, Some(user)).await.text);
        }
        for b in [&s.boundary, &s.other_boundary] {
            bodies.push(
                app.post(&format!("/api/v1/portal/boundaries/{b}/acknowledge"), Some(user), json!({})).await.text,
            );
            let ci = json!({"kept": true, "note": "fine"});
            bodies.push(app.post(&format!("/api/v1/portal/boundaries/{b}/check-ins"), Some(user), ci).await.text);
            bodies.push(app.get(&format!("/api/v1/portal/boundaries/{b}/check-ins"), Some(user)).await.text);
        }
        // Errors too: unknown ids, bad ids, unknown fields.
        bodies.push(
            app.post(&format!("/api/v1/portal/boundaries/{}/acknowledge", s.hidden), Some(user), json!({})).await.text,
        );
        bodies.push(app.get("/api/v1/portal/boundaries/nope/check-ins", Some(user)).await.text);
        for body in bodies {
            assert_no_markers(&body, who);
            assert!(!body.contains("counselor_ids") && !body.contains("risk_level") && !body.contains("\"version\""));
            if user.id != w.b.id {
                assert!(!body.contains(INDIVIDUAL_MARKER) && !body.contains(&s.individual), "{who}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn portal_me_is_the_callers_own_record_without_internal_fields() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let me = app.get("/api/v1/portal/me", Some(&w.a)).await.expect(200).json();
    assert_eq!(me["id"], w.couple.partners[0]);
    assert_eq!(me["first_name"], "Alex");
    let mut keys: Vec<&String> = me.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["date_of_birth", "email", "first_name", "id", "last_name", "phone", "preferred_name", "pronouns"]
    );
    assert_eq!(app.get("/api/v1/portal/me", Some(&w.b)).await.json()["id"], w.couple.partners[1]);
    assert!(audited_as(&app, &w.couple.partners[0], "read", "success", &w.a.id).await);
    let r = app.req(Method::POST, "/api/v1/portal/me").auth(Some(&w.a)).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    r.problem(405);
}

#[tokio::test]
async fn staff_and_anonymous_callers_are_refused_on_every_portal_path() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let b = boundary(&app, &w, &w.couple, "B").await["id"].as_str().unwrap().to_string();
    let paths: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/portal/me".into(), None),
        (Method::GET, "/api/v1/portal/sessions".into(), None),
        (Method::GET, "/api/v1/portal/boundaries".into(), None),
        (Method::GET, "/api/v1/portal/milestones".into(), None),
        (Method::POST, format!("/api/v1/portal/boundaries/{b}/acknowledge"), Some(json!({}))),
        (Method::POST, format!("/api/v1/portal/boundaries/{b}/check-ins"), Some(json!({"kept": true}))),
        (Method::GET, format!("/api/v1/portal/boundaries/{b}/check-ins"), None),
    ];
    for (method, path, body) in &paths {
        for u in w.staff() {
            call(&app, method.clone(), path, Some(u), body.as_ref()).await.problem(403);
        }
        call(&app, method.clone(), path, None, body.as_ref()).await.problem(401);
    }
    // Nothing was acknowledged or checked in by any of them.
    let view = app.get(&format!("/api/v1/boundaries/{b}"), Some(&w.counselor)).await.json();
    assert_eq!(view["acknowledgements"], json!([]));
    let cis = app.get(&format!("/api/v1/boundaries/{b}/check-ins"), Some(&w.counselor)).await.json();
    assert_eq!(cis["items"], json!([]));
}

#[tokio::test]
async fn boundaries_are_acknowledged_by_each_partner_and_then_active() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let w = &s.w;
    let b = &s.boundary;
    let path = format!("/api/v1/portal/boundaries/{b}/acknowledge");

    // Lists: each partner sees the couple's boundary, the outsider only their own couple's.
    let a_list = app.get("/api/v1/portal/boundaries", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&a_list), vec![b.clone()]);
    let item = &a_list["items"][0];
    assert_eq!(item["my_acknowledged_at"], json!(null));
    assert_eq!(item["status"], "proposed");
    assert!(item.get("acknowledgements").is_none() && item.get("version").is_none());
    assert_eq!(
        ids(&app.get("/api/v1/portal/boundaries", Some(&w.outsider)).await.json()),
        vec![s.other_boundary.clone()]
    );

    // The outsider cannot acknowledge it: 404 and a denial.
    app.post(&path, Some(&w.outsider), json!({})).await.problem(404);
    assert!(audited_as(&app, b, "acknowledge", "denied", &w.outsider.id).await);
    app.post(&format!("/api/v1/portal/boundaries/{}/acknowledge", uuid::Uuid::new_v4()), Some(&w.a), json!({}))
        .await
        .problem(404);
    app.post("/api/v1/portal/boundaries/not-a-uuid/acknowledge", Some(&w.a), json!({})).await.problem(400);

    let first = app.post(&path, Some(&w.a), json!({})).await.expect(200).json();
    let at = first["my_acknowledged_at"].as_str().unwrap().to_string();
    assert_eq!(first["status"], "proposed", "one partner is not enough");
    assert!(audited_as(&app, b, "acknowledge", "success", &w.a.id).await);
    // B does not see A's acknowledgement as theirs.
    let b_list = app.get("/api/v1/portal/boundaries", Some(&w.b)).await.json();
    assert_eq!(b_list["items"][0]["my_acknowledged_at"], json!(null));
    let staff = app.get(&format!("/api/v1/boundaries/{b}"), Some(&w.counselor)).await.json();
    assert_eq!(staff["acknowledgements"], json!([{"client_id": w.couple.partners[0], "acknowledged_at": at}]));

    // Again: nothing changes.
    let again = app.post(&path, Some(&w.a), json!({})).await.expect(200).json();
    assert_eq!(again["my_acknowledged_at"], at);

    let second = app.post(&path, Some(&w.b), json!({})).await.expect(200).json();
    assert_eq!(second["status"], "active", "every partner has acknowledged");
    let staff = app.get(&format!("/api/v1/boundaries/{b}"), Some(&w.counselor)).await.json();
    assert_eq!(staff["status"], "active");
    assert_eq!(staff["acknowledgements"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/portal/boundaries", Some(&w.a)).await.json()["items"][0]["my_acknowledged_at"], at);

    // A retired boundary cannot be acknowledged or checked in on.
    app.patch(&format!("/api/v1/boundaries/{}", s.other_boundary), Some(&w.counselor), json!({"status": "retired"}))
        .await
        .expect(200);
    let other = format!("/api/v1/portal/boundaries/{}", s.other_boundary);
    app.post(&format!("{other}/acknowledge"), Some(&w.outsider), json!({})).await.problem(409);
    app.post(&format!("{other}/check-ins"), Some(&w.outsider), json!({"kept": true})).await.problem(409);
}

#[tokio::test]
async fn portal_check_ins_are_the_callers_own() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let w = &s.w;
    let path = format!("/api/v1/portal/boundaries/{}/check-ins", s.boundary);

    let r =
        app.post(&path, Some(&w.a), json!({"kept": false, "note": "Slipped once — sorry 😔 '; --"})).await.expect(201);
    assert_eq!(r.header("location"), Some(path.clone()));
    let ci = r.json();
    assert_eq!(ci["kept"], false);
    assert_eq!(ci["note"], "Slipped once — sorry 😔 '; --");
    let mut keys: Vec<&String> = ci.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["boundary_id", "created_at", "id", "kept", "note"]);
    assert!(audited_as(&app, ci["id"].as_str().unwrap(), "create", "success", &w.a.id).await);
    app.post(&path, Some(&w.b), json!({"kept": true})).await.expect(201);

    // The reporter comes from the token, never the body.
    let p = app.post(&path, Some(&w.a), json!({"kept": true, "reported_by": w.couple.partners[1]})).await.problem(400);
    assert!(!p["detail"].as_str().unwrap().contains(&w.couple.partners[1]));
    app.post(&path, Some(&w.a), json!({"kept": true, "recorded_by": w.counselor.id})).await.problem(400);
    app.post(&path, Some(&w.a), json!({"kept": "yes"})).await.problem(400);
    app.post(&path, Some(&w.a), json!({})).await.problem(400);
    app.post(&path, Some(&w.a), json!({"kept": true, "note": "x".repeat(2001)})).await.problem(422);
    // Another couple's boundary: 404 with a denial on that boundary.
    app.post(&path, Some(&w.outsider), json!({"kept": true})).await.problem(404);
    assert!(audited_as(&app, &s.boundary, "create", "denied", &w.outsider.id).await);
    app.get(&path, Some(&w.outsider)).await.problem(404);
    assert!(audited_as(&app, &s.boundary, "list", "denied", &w.outsider.id).await);

    // Staff see both, with who reported and who recorded.
    let staff = app.get(&format!("/api/v1/boundaries/{}/check-ins", s.boundary), Some(&w.counselor)).await.json();
    let items = staff["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let a_ci = items.iter().find(|i| i["id"] == ci["id"]).unwrap();
    assert_eq!(a_ci["reported_by"], w.couple.partners[0]);
    assert_eq!(a_ci["recorded_by"], w.a.id);
    // Each partner lists only their own.
    let mine = app.get(&path, Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&mine), vec![ci["id"].as_str().unwrap().to_string()]);
    assert_eq!(app.get(&path, Some(&w.b)).await.json()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn portal_milestones_are_the_visible_ones_of_the_callers_couples() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let w = &s.w;
    for u in [&w.a, &w.b] {
        let r = app.get("/api/v1/portal/milestones", Some(u)).await.expect(200);
        assert!(!r.text.contains(HIDDEN_MARKER) && !r.text.contains(&s.hidden));
        let list = r.json();
        assert_eq!(ids(&list), vec![s.visible.clone()]);
        let mut keys: Vec<&String> = list["items"][0].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["achieved_on", "couple_id", "description", "id", "phase", "position", "status", "target_on", "title"]
        );
    }
    let o = app.get("/api/v1/portal/milestones", Some(&w.outsider)).await.expect(200).json();
    assert_eq!(o["items"].as_array().unwrap().len(), 1);
    assert_eq!(o["items"][0]["title"], "Other milestone");

    // Hiding a milestone removes it at once; showing the hidden one reveals it.
    let c = Some(&w.counselor);
    app.patch(&format!("/api/v1/milestones/{}", s.visible), c, json!({"visible_to_clients": false})).await.expect(200);
    assert_eq!(app.get("/api/v1/portal/milestones", Some(&w.a)).await.json()["items"], json!([]));
    app.patch(
        &format!("/api/v1/milestones/{}", s.hidden),
        c,
        json!({"visible_to_clients": true, "title": "Now shared"}),
    )
    .await
    .expect(200);
    assert_eq!(ids(&app.get("/api/v1/portal/milestones", Some(&w.a)).await.json()), vec![s.hidden.clone()]);
}

#[tokio::test]
async fn a_client_in_two_couples_sees_each_couples_items() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    // Partner A is also in a second couple (say, a co-parenting couple) with a new client.
    let third = app.client(&w.p, None).await;
    let second = couple_of(&app, &w.p, &w.counselor, &w.couple.partners[0], &third).await;
    let third_user = app.portal_user(&w.p, &third).await;

    let b1 = boundary(&app, &w, &w.couple, "First couple").await["id"].as_str().unwrap().to_string();
    let b2 = boundary(&app, &w, &second, "Second couple").await["id"].as_str().unwrap().to_string();
    let m1 =
        milestone(&app, &w, &w.couple, json!({"title": "M1", "phase": "p"})).await["id"].as_str().unwrap().to_string();
    let m2 =
        milestone(&app, &w, &second, json!({"title": "M2", "phase": "p"})).await["id"].as_str().unwrap().to_string();

    let list = app.get("/api/v1/portal/boundaries", Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&list), vec![b1.clone(), b2.clone()]);
    let mut ms = ids(&app.get("/api/v1/portal/milestones", Some(&w.a)).await.json());
    ms.sort();
    let mut want = vec![m1.clone(), m2.clone()];
    want.sort();
    assert_eq!(ms, want);
    let p1 = app.get("/api/v1/portal/milestones?limit=1", Some(&w.a)).await.expect(200).json();
    let cur = p1["next_cursor"].as_str().unwrap().to_string();
    let p2 = app.get(&format!("/api/v1/portal/milestones?limit=1&cursor={cur}"), Some(&w.a)).await.expect(200).json();
    assert_eq!(ids(&p1).len() + ids(&p2).len(), 2);
    assert_ne!(ids(&p1), ids(&p2));

    // The partners of each couple see only that couple's items.
    assert_eq!(ids(&app.get("/api/v1/portal/boundaries", Some(&w.b)).await.json()), vec![b1.clone()]);
    assert_eq!(ids(&app.get("/api/v1/portal/boundaries", Some(&third_user)).await.json()), vec![b2.clone()]);
    assert_eq!(ids(&app.get("/api/v1/portal/milestones", Some(&third_user)).await.json()), vec![m2]);

    // The second couple's boundary becomes active when A and the third client acknowledge;
    // B's acknowledgement is not needed (and not possible).
    app.post(&format!("/api/v1/portal/boundaries/{b2}/acknowledge"), Some(&w.b), json!({})).await.problem(404);
    app.post(&format!("/api/v1/portal/boundaries/{b2}/acknowledge"), Some(&w.a), json!({})).await.expect(200);
    let done = app.post(&format!("/api/v1/portal/boundaries/{b2}/acknowledge"), Some(&third_user), json!({})).await;
    assert_eq!(done.expect(200).json()["status"], "active");
    let first = app.get(&format!("/api/v1/boundaries/{b1}"), Some(&w.counselor)).await.json();
    assert_eq!(first["status"], "proposed");
}

#[tokio::test]
async fn a_deactivated_or_foreign_client_sees_nothing() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let w = &s.w;
    // A client of another practice.
    let fc = app.couple(&w.foreign, &w.foreign_counselor).await;
    let foreign_client = app.portal_user(&w.foreign, &fc.partners[0]).await;
    for path in ["/api/v1/portal/sessions", "/api/v1/portal/boundaries", "/api/v1/portal/milestones"] {
        let r = app.get(path, Some(&foreign_client)).await.expect(200);
        assert_eq!(r.json()["items"], json!([]), "{path}");
    }
    app.post(&format!("/api/v1/portal/boundaries/{}/acknowledge", s.boundary), Some(&foreign_client), json!({}))
        .await
        .problem(404);
    // A deactivated client's token stops working.
    let uid = w.a.id.clone();
    app.sql(move |c| {
        use diesel::prelude::*;
        use mend::db::schema::users as u;
        diesel::update(u::table.filter(u::id.eq(uid))).set(u::active.eq(false)).execute(c).unwrap();
    })
    .await;
    app.get("/api/v1/portal/me", Some(&w.a)).await.problem(401);
}

#[tokio::test]
async fn partners_acknowledging_at_the_same_moment_still_activate_the_boundary() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    for round in 0..3 {
        let b = boundary(&app, &w, &w.couple, &format!("Race {round}")).await["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/portal/boundaries/{b}/acknowledge");
        let (ra, rb) = tokio::join!(app.post(&path, Some(&w.a), json!({})), app.post(&path, Some(&w.b), json!({})));
        ra.expect(200);
        rb.expect(200);
        let staff = app.get(&format!("/api/v1/boundaries/{b}"), Some(&w.counselor)).await.json();
        assert_eq!(staff["status"], "active", "round {round}");
        assert_eq!(staff["acknowledgements"].as_array().unwrap().len(), 2);
    }
}
