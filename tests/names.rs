//! Names beside ids in staff views: a session's attendees and counselor, a note's (and an
//! addendum's) author, a letter's author, a check-in's reporting partner, an audit event's actor.
//! Each name is one the test set, so a wrong join or a missing lookup fails.

mod common;

use common::between::{letter, submit};
use common::trust::*;
use common::*;
use diesel::RunQueryDsl;
use serde_json::{json, Value};

/// Renames client `id` (preferred name, last name) and returns how staff see it named.
async fn rename_client(app: &TestApp, id: &str, first: &str, preferred: Option<&str>, last: &str) -> String {
    let pref = preferred.map_or("NULL".to_string(), |p| format!("'{p}'"));
    let sql = format!(
        "UPDATE clients SET first_name = '{first}', preferred_name = {pref}, last_name = '{last}' WHERE id = '{id}'"
    );
    app.sql(move |c| diesel::sql_query(sql).execute(c).expect("rename")).await;
    format!("{} {last}", preferred.unwrap_or(first))
}

async fn rename_user(app: &TestApp, id: &str, name: &str) {
    let sql = format!("UPDATE users SET display_name = '{name}' WHERE id = '{id}'");
    app.sql(move |c| diesel::sql_query(sql).execute(c).expect("rename")).await;
}

fn names(v: &Value) -> Vec<(String, String)> {
    v["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_string(), a["name"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn staff_views_name_the_people_beside_their_ids() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let [pa, pb] = w.couple.partners.clone();
    let maggie = rename_client(&app, &pa, "Margaret", Some("Maggie"), "Okafor").await;
    let dev = rename_client(&app, &pb, "Devon", None, "Okafor-Lee").await;
    rename_user(&app, &w.counselor.id, "Jordan Rivera").await;
    let c = Some(&w.counselor);

    // A session: its attendees (in the order of attendee_ids) and its counselor, named.
    let body = json!({"couple_id": w.couple.id, "starts_at": "2030-03-04T15:00:00Z", "duration_minutes": 50, "modality": "telehealth"});
    let created = app.post("/api/v1/sessions", c, body).await.expect(201).json();
    let sid = created["id"].as_str().unwrap().to_string();
    let mut expected = vec![(pa.clone(), maggie.clone()), (pb.clone(), dev.clone())];
    expected.sort();
    for view in [
        created.clone(),
        app.get(&format!("/api/v1/sessions/{sid}"), c).await.expect(200).json(),
        app.get(&format!("/api/v1/sessions?couple_id={}", w.couple.id), c).await.expect(200).json()["items"][0].clone(),
    ] {
        assert_eq!(names(&view), expected);
        let ids: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(view["attendee_ids"], json!(ids));
        assert_eq!(view["counselor_name"], "Jordan Rivera");
    }
    // Only one partner attends: only that partner is named.
    let path = format!("/api/v1/sessions/{sid}");
    let one = app.patch(&path, c, json!({"attendee_ids": [pb]})).await.expect(200).json();
    assert_eq!(names(&one), vec![(pb.clone(), dev.clone())]);

    // A note and its addendum: their author.
    let note = app.post(&format!("/api/v1/sessions/{sid}/notes"), c, json!({"body": "n"})).await.expect(201).json();
    assert_eq!(note["author_name"], "Jordan Rivera");
    let nid = note["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/notes/{nid}/sign"), c, json!({})).await.expect(200);
    rename_user(&app, &w.counselor.id, "Jordan Rivera-Cole").await;
    app.post(&format!("/api/v1/notes/{nid}/addenda"), c, json!({"body": "later"})).await.expect(201);
    let listed = app.get(&format!("/api/v1/sessions/{sid}/notes"), c).await.expect(200).json();
    let listed = &listed["items"][0];
    // Names are read when the view is made: the author's name today.
    assert_eq!(listed["author_name"], "Jordan Rivera-Cole");
    assert_eq!(listed["addenda"][0]["author_name"], "Jordan Rivera-Cole");
    assert_eq!(
        app.get(&format!("/api/v1/notes/{nid}"), c).await.expect(200).json()["author_name"],
        "Jordan Rivera-Cole"
    );

    // A letter: its author (a partner).
    let lid = letter(&app, &w.a, &w.couple, "To you", "text").await["id"].as_str().unwrap().to_string();
    submit(&app, &w.a, &lid).await;
    let page =
        app.get(&format!("/api/v1/couples/{}/letters?status=submitted", w.couple.id), c).await.expect(200).json();
    assert_eq!(page["items"][0]["author_name"], json!(maggie));
    assert_eq!(app.get(&format!("/api/v1/letters/{lid}"), c).await.expect(200).json()["author_name"], json!(maggie));

    // A check-in: the partner whose report it is.
    let bid = boundary(&app, &w, &w.couple, "No contact").await["id"].as_str().unwrap().to_string();
    let check_ins = format!("/api/v1/boundaries/{bid}/check-ins");
    let made = app.post(&check_ins, c, json!({"reported_by": pb, "kept": true})).await.expect(201).json();
    assert_eq!(made["reported_by_name"], json!(dev));
    assert_eq!(app.get(&check_ins, c).await.expect(200).json()["items"][0]["reported_by_name"], json!(dev));

    // The audit trail: the actor, for the admin who reads it.
    let events = app.get(&format!("/api/v1/audit-events?actor_id={}", w.counselor.id), Some(&w.p.admin)).await;
    let events = events.expect(200).json();
    let items = events["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["actor_name"] == "Jordan Rivera-Cole"), "{items:?}");
}

#[tokio::test]
async fn the_portal_views_gain_no_staff_names_or_ids() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let body = json!({"couple_id": w.couple.id, "starts_at": "2030-03-04T15:00:00Z", "duration_minutes": 50, "modality": "telehealth"});
    app.post("/api/v1/sessions", Some(&w.counselor), body).await.expect(201);
    let page = app.get("/api/v1/portal/sessions", Some(&w.a)).await.expect(200).json();
    let item = &page["items"][0];
    assert!(item.is_object());
    // The portal's session is its own shape: no attendee list, no counselor id.
    assert!(item.get("attendees").is_none() && item.get("counselor_id").is_none(), "{item}");
}
