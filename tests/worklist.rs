//! `GET /worklist`: for each kind, its cause puts an item on the assigned counselor's list and
//! removing the cause takes it off; every audience; paging, filters and bad input; the list is
//! audited like other lists.

mod common;
#[path = "common/consent.rs"]
mod consent_helpers;

use common::between::{day, id_of};
use common::measures::{answer, csi4};
use common::trust::*;
use common::*;
use diesel::prelude::*;
use serde_json::{json, Value};

const LETTER_TEXT: &str = "LEAK-worklist-letter-body-9d31";

/// Every item of `user`'s worklist (of one kind, when given), through every page.
async fn items(app: &TestApp, user: &User, kind: Option<&str>) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/worklist?limit=100".to_string();
        if let Some(k) = kind {
            path.push_str(&format!("&kind={k}"));
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path, Some(user)).await.expect(200).json();
        all.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return all,
        }
    }
}

/// The items of `kind` about `resource_id`.
async fn find(app: &TestApp, user: &User, kind: &str, resource_id: &str) -> Vec<Value> {
    let all = items(app, user, Some(kind)).await;
    assert!(all.iter().all(|i| i["kind"] == kind), "?kind= filters: {all:?}");
    all.into_iter().filter(|i| i["resource_id"] == resource_id).collect()
}

async fn one(app: &TestApp, user: &User, kind: &str, resource_id: &str) -> Value {
    let found = find(app, user, kind, resource_id).await;
    assert_eq!(found.len(), 1, "one {kind} item for {resource_id}: {found:?}");
    found.into_iter().next().unwrap_or_default()
}

async fn none(app: &TestApp, user: &User, kind: &str, resource_id: &str) {
    let found = find(app, user, kind, resource_id).await;
    assert!(found.is_empty(), "no {kind} item for {resource_id}: {found:?}");
}

fn ago(minutes: i64) -> chrono::NaiveDateTime {
    let t = mend::db::now() - chrono::Duration::minutes(minutes);
    chrono::NaiveDateTime::parse_from_str(&t.format("%Y-%m-%dT%H:%M:%S").to_string(), "%Y-%m-%dT%H:%M:%S").unwrap()
}

/// A session of the world's couple with its counselor, `minutes_ago` in the past.
async fn session(app: &TestApp, w: &World, minutes_ago: i64, status: &str, summary: Option<&str>) -> String {
    insert_session(
        app,
        NewSession {
            practice_id: &w.p.id,
            couple_id: Some(&w.couple.id),
            client_id: None,
            counselor_id: &w.counselor.id,
            attendees: w.couple.partners.to_vec(),
            starts_at: ago(minutes_ago),
            status,
            summary,
            shared: false,
        },
    )
    .await
}

/// Names the couple's first partner "Sam" (preferred name) and returns the world.
async fn world(app: &TestApp) -> World {
    let w = World::new(app).await;
    let path = format!("/api/v1/clients/{}", w.couple.partners[0]);
    app.patch(&path, Some(&w.counselor), json!({"preferred_name": "Sam"})).await.expect(200);
    w
}

#[tokio::test]
async fn letters_notes_and_sessions_come_and_go_with_their_causes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let c = &w.counselor;

    // letter_submitted: a draft is never listed; a submitted letter is, until it is released.
    let letter = common::between::letter(&app, &w.a, &w.couple, "For you", LETTER_TEXT).await;
    let letter_id = id_of(&letter);
    none(&app, c, "letter_submitted", &letter_id).await;
    common::between::submit(&app, &w.a, &letter_id).await;
    let item = one(&app, c, "letter_submitted", &letter_id).await;
    assert_eq!(item["resource_type"], "letter");
    assert_eq!(item["couple"]["id"], w.couple.id.as_str());
    assert_eq!(item["couple"]["name"], "Sam & Alex");
    assert_eq!(item["client"], Value::Null);
    assert_eq!(item["title"], "Sam's impact letter waits for your review");
    let whole = app.get("/api/v1/worklist", Some(c)).await.expect(200).text;
    assert!(!whole.contains(LETTER_TEXT) && !whole.contains("For you"), "no letter text on the worklist");
    common::between::release(&app, c, &letter_id).await;
    none(&app, c, "letter_submitted", &letter_id).await;

    // session_needs_note and note_unsigned: a completed session of the caller's without a signed
    // note; a draft note of the caller's; signing ends both.
    let done = session(&app, &w, 180, "completed", None).await;
    let item = one(&app, c, "session_needs_note", &done).await;
    assert_eq!(item["resource_type"], "session");
    let note = app
        .post(&format!("/api/v1/sessions/{done}/notes"), Some(c), json!({"body": "LEAK-note-body-77aa"}))
        .await
        .expect(201)
        .json();
    let note_id = id_of(&note);
    let item = one(&app, c, "note_unsigned", &note_id).await;
    assert_eq!(item["resource_type"], "note");
    assert!(!item.to_string().contains("LEAK-note-body-77aa"));
    one(&app, c, "session_needs_note", &done).await;
    // Another counselor's draft is not the caller's work.
    none(&app, &w.other_counselor, "note_unsigned", &note_id).await;
    app.post(&format!("/api/v1/notes/{note_id}/sign"), Some(c), json!({})).await.expect(200);
    none(&app, c, "note_unsigned", &note_id).await;
    none(&app, c, "session_needs_note", &done).await;

    // session_needs_status: still scheduled an hour after it ended (a session that ended ten
    // minutes ago is not yet); marking it ends the item.
    let late = session(&app, &w, 180, "scheduled", None).await;
    let recent = session(&app, &w, 60, "scheduled", None).await;
    let item = one(&app, c, "session_needs_status", &late).await;
    assert!(item["since"].as_str().unwrap().ends_with('Z'));
    none(&app, c, "session_needs_status", &recent).await;
    let body = json!({"status": "cancelled", "cancellation_reason": "ill"});
    app.patch(&format!("/api/v1/sessions/{late}"), Some(c), body).await.expect(200);
    none(&app, c, "session_needs_status", &late).await;

    // summary_unshared: a completed session with a draft summary, until it is shared.
    let summarized = session(&app, &w, 300, "completed", Some("LEAK-summary-5e21")).await;
    one(&app, c, "summary_unshared", &summarized).await;
    app.post(&format!("/api/v1/sessions/{summarized}/summary/share"), Some(c), json!({})).await.expect(200);
    none(&app, c, "summary_unshared", &summarized).await;
}

#[tokio::test]
async fn assessments_check_ins_and_reviews_come_and_go_with_their_causes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let c = &w.counselor;

    // assessment_overdue: pending past due_on (today is not yet past), one per partner.
    let path = format!("/api/v1/couples/{}/assessments", w.couple.id);
    let made = app.post(&path, Some(c), json!({"instrument": "csi-4", "due_on": day(-1)})).await.expect(201).json();
    let of = |client: &str| {
        made["items"].as_array().unwrap().iter().find(|i| i["client_id"] == client).map(id_of).unwrap_or_default()
    };
    let (mine, theirs) = (of(&w.couple.partners[0]), of(&w.couple.partners[1]));
    let item = one(&app, c, "assessment_overdue", &mine).await;
    assert_eq!(item["due_on"], day(-1));
    assert_eq!(item["client"]["id"], w.couple.partners[0].as_str());
    assert!(item["client"]["name"].as_str().unwrap().starts_with("Sam Client "));
    assert!(item["title"].as_str().unwrap().starts_with("Sam's "));
    one(&app, c, "assessment_overdue", &theirs).await;
    let today = app.post(&path, Some(c), json!({"instrument": "csi-4", "due_on": day(0)})).await.expect(201).json();
    none(&app, c, "assessment_overdue", &id_of(&today["items"][0])).await;

    // Answering ends "overdue" and starts "completed", which lasts 7 days.
    answer(&app, &w.a, &mine, csi4(3, 3, 3, 3)).await.expect(200);
    none(&app, c, "assessment_overdue", &mine).await;
    one(&app, c, "assessment_completed", &mine).await;
    let id = mine.clone();
    app.sql(move |conn| {
        use mend::db::schema::assessments as a;
        diesel::update(a::table.filter(a::id.eq(id)))
            .set(a::completed_at.eq(mend::db::now() - chrono::Duration::days(8)))
            .execute(conn)
            .unwrap();
    })
    .await;
    none(&app, c, "assessment_completed", &mine).await;

    // checkin_broken: a check-in with kept: false in the last 7 days (kept: true is not one).
    let b = boundary(&app, &w, &w.couple, "No contact with the ex").await;
    let bid = id_of(&b);
    let check_ins = format!("/api/v1/boundaries/{bid}/check-ins");
    let kept = json!({"reported_by": w.couple.partners[0], "kept": true});
    app.post(&check_ins, Some(c), kept).await.expect(201);
    none(&app, c, "checkin_broken", &bid).await;
    let broken = json!({"reported_by": w.couple.partners[0], "kept": false});
    app.post(&check_ins, Some(c), broken).await.expect(201);
    let item = one(&app, c, "checkin_broken", &bid).await;
    assert_eq!(item["resource_type"], "boundary");
    assert_eq!(item["title"], "Sam reported the boundary \u{201c}No contact with the ex\u{201d} as not kept");
    let id = bid.clone();
    app.sql(move |conn| {
        use mend::db::schema::boundary_check_ins as ci;
        diesel::update(ci::table.filter(ci::boundary_id.eq(id)))
            .set(ci::created_at.eq(mend::db::now() - chrono::Duration::days(8)))
            .execute(conn)
            .unwrap();
    })
    .await;
    none(&app, c, "checkin_broken", &bid).await;

    // boundary_review_due: review_on has come; moving it later ends the item.
    let bpath = format!("/api/v1/boundaries/{bid}");
    app.patch(&bpath, Some(c), json!({"review_on": day(1)})).await.expect(200);
    none(&app, c, "boundary_review_due", &bid).await;
    app.patch(&bpath, Some(c), json!({"review_on": day(0)})).await.expect(200);
    let item = one(&app, c, "boundary_review_due", &bid).await;
    assert_eq!(item["due_on"], day(0));
    app.patch(&bpath, Some(c), json!({"review_on": day(30)})).await.expect(200);
    none(&app, c, "boundary_review_due", &bid).await;
}

#[tokio::test]
async fn consent_and_releases_come_and_go_with_their_causes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let c = &w.counselor;

    // consent_unsigned: until every partner has signed the current version.
    let policy = consent_helpers::policy_path(&w.couple.id);
    let v = app.put(&policy, Some(c), json!({"kind": "no_secrets", "text": "We keep no secrets."})).await.expect(200);
    let version = v.json()["version"].clone();
    let item = one(&app, c, "consent_unsigned", &w.couple.id).await;
    assert_eq!(item["resource_type"], "confidentiality_policy");
    let sign = format!("/api/v1/portal/consents/{}/sign", w.couple.id);
    app.post(&sign, Some(&w.a), json!({"signed_name": "Sam", "version": version})).await.expect(200);
    one(&app, c, "consent_unsigned", &w.couple.id).await;
    app.post(&sign, Some(&w.b), json!({"signed_name": "Alex", "version": version})).await.expect(200);
    none(&app, c, "consent_unsigned", &w.couple.id).await;
    // A new version needs both signatures again.
    app.put(&policy, Some(c), json!({"kind": "limited_secrets", "text": "Some secrets."})).await.expect(200);
    one(&app, c, "consent_unsigned", &w.couple.id).await;

    // release_ready: authorized, not yet disclosed.
    let body = consent_helpers::release_body(&w.couple.id, json!(["boundaries"]));
    let pending = consent_helpers::release(&app, &w, body.clone()).await;
    none(&app, c, "release_ready", &id_of(&pending)).await;
    let id = consent_helpers::authorized_release(&app, &w, body).await;
    let item = one(&app, c, "release_ready", &id).await;
    assert_eq!(item["due_on"], "2100-01-01");
    app.post(&format!("/api/v1/releases/{id}/disclose"), Some(c), json!({})).await.expect(200);
    none(&app, c, "release_ready", &id).await;
}

#[tokio::test]
async fn only_the_assigned_see_items_and_clients_and_strangers_are_refused() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let late = session(&app, &w, 180, "scheduled", None).await;
    one(&app, &w.counselor, "session_needs_status", &late).await;
    // Unassigned staff of this practice (the admin too) and of another practice see nothing of it.
    for u in [&w.other_counselor, &w.p.admin, &w.foreign.admin, &w.foreign_counselor] {
        let all = items(&app, u, None).await;
        assert!(all.is_empty(), "{:?} sees {all:?}", u.role);
    }
    // An admin who is assigned sees it.
    let path = format!("/api/v1/couples/{}", w.couple.id);
    let ids = json!({"counselor_ids": [w.counselor.id, w.p.admin.id]});
    app.patch(&path, Some(&w.p.admin), ids).await.expect(200);
    one(&app, &w.p.admin, "session_needs_status", &late).await;
    // Individual work reaches only a counselor assigned to the client.
    let solo = app.client(&w.p, Some(&w.other_counselor)).await;
    let individual = insert_session(
        &app,
        NewSession {
            practice_id: &w.p.id,
            couple_id: None,
            client_id: Some(&solo),
            counselor_id: &w.other_counselor.id,
            attendees: vec![solo.clone()],
            starts_at: ago(180),
            status: "scheduled",
            summary: None,
            shared: false,
        },
    )
    .await;
    let item = one(&app, &w.other_counselor, "session_needs_status", &individual).await;
    assert_eq!(item["couple"], Value::Null);
    assert_eq!(item["client"]["id"], solo.as_str());
    none(&app, &w.counselor, "session_needs_status", &individual).await;
    // Clients: 403; no token: 401.
    for u in w.clients() {
        app.get("/api/v1/worklist", Some(u)).await.problem(403);
    }
    app.get("/api/v1/worklist", None).await.problem(401);
}

#[tokio::test]
async fn pages_run_oldest_first_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let c = Some(&w.counselor);
    let mut made = Vec::new();
    for minutes in [400, 300, 200] {
        made.push(session(&app, &w, minutes, "scheduled", None).await);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("/api/v1/worklist?limit=1&cursor={cursor}"), c).await.expect(200).json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 1);
        seen.extend(items.iter().map(|i| i["resource_id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, made, "oldest since first, each once");
    for bad in ["kind=nope", "cursor=!!!", "limit=x", "extra=1"] {
        app.get(&format!("/api/v1/worklist?{bad}"), c).await.problem(400);
    }
    for bad in ["limit=0", "limit=101", "limit=99999999999", "kind=%00"] {
        app.get(&format!("/api/v1/worklist?{bad}"), c).await.problem(422);
    }
}

#[tokio::test]
async fn the_list_is_audited() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.get("/api/v1/worklist", Some(&w.counselor)).await.expect(200);
    let actor = w.counselor.id.clone();
    let events: Vec<(String, String)> = app
        .sql(move |conn| {
            use mend::db::schema::audit_events as a;
            a::table
                .filter(a::actor_id.eq(actor))
                .filter(a::resource_type.eq("worklist"))
                .select((a::action, a::outcome))
                .load(conn)
                .unwrap()
        })
        .await;
    assert_eq!(events, vec![("list".to_string(), "success".to_string())]);
}

#[tokio::test]
async fn due_dates_are_read_in_the_practice_time_zone() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let c = &w.counselor;
    let utc_today = chrono::Utc::now().date_naive();
    for (zone, due) in [("Pacific/Kiritimati", utc_today), ("Pacific/Pago_Pago", utc_today - chrono::Duration::days(1))]
    {
        app.patch("/api/v1/practice", Some(&w.p.admin), json!({"timezone": zone})).await.expect(200);
        let path = format!("/api/v1/couples/{}/assessments", w.couple.id);
        let due_on = due.format("%Y-%m-%d").to_string();
        let made = app.post(&path, Some(c), json!({"instrument": "csi-4", "due_on": due_on})).await.expect(201).json();
        let id = id_of(&made["items"][0]);
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let zone_today = chrono::Utc::now().with_timezone(&tz).date_naive();
        let listed = !find(&app, c, "assessment_overdue", &id).await.is_empty();
        assert_eq!(listed, due < zone_today, "{zone}: due {due_on}, today there {zone_today}");
    }
}

/// The two kinds read from their own ordered indexes and cut at the page's size
/// (`session_needs_note`, `note_unsigned`) still page as one list: every page size walks the same
/// items in the same order as one big page, each once, mixed with the other kinds.
#[tokio::test]
async fn kinds_cut_at_the_page_size_still_page_as_one_list() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let c = &w.counselor;
    for minutes in [900, 700, 500, 300] {
        session(&app, &w, minutes, "completed", None).await;
    }
    session(&app, &w, 600, "scheduled", None).await;
    for minutes in [800, 400] {
        let done = session(&app, &w, minutes, "completed", None).await;
        app.post(&format!("/api/v1/sessions/{done}/notes"), Some(c), json!({"body": "a draft"})).await.expect(201);
    }
    let all: Vec<(String, String)> = items(&app, c, None)
        .await
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_string(), i["resource_id"].as_str().unwrap().to_string()))
        .collect();
    let needs_note = all.iter().filter(|(k, _)| k == "session_needs_note").count();
    assert_eq!(needs_note, 6, "{all:?}");
    assert_eq!(all.iter().filter(|(k, _)| k == "note_unsigned").count(), 2, "{all:?}");
    for limit in [1, 2, 3] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let page =
                app.get(&format!("/api/v1/worklist?limit={limit}&cursor={cursor}"), Some(c)).await.expect(200).json();
            let page_items = page["items"].as_array().unwrap();
            assert!(page_items.len() <= limit);
            seen.extend(
                page_items
                    .iter()
                    .map(|i| (i["kind"].as_str().unwrap().to_string(), i["resource_id"].as_str().unwrap().to_string())),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = next.to_string(),
                None => break,
            }
        }
        assert_eq!(seen, all, "pages of {limit}");
    }
}
