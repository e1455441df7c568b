//! `GET /couples/{id}/letters?status=`: a couple's letters by status, for the assigned staff;
//! never a draft.

mod common;

use common::between::*;
use common::trust::*;
use common::*;
use serde_json::{json, Value};

const DRAFT: &str = "LEAK-never-submitted-draft-81f0";

fn ids(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(id_of).collect()
}

#[tokio::test]
async fn letters_by_status_for_the_assigned_and_never_a_draft() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let c = Some(&w.counselor);
    let _draft = letter(&app, &w.a, &w.couple, "Draft", DRAFT).await;
    let submitted = id_of(&letter(&app, &w.a, &w.couple, "One", "one").await);
    submit(&app, &w.a, &submitted).await;
    let returned = id_of(&letter(&app, &w.b, &w.couple, "Two", "two").await);
    submit(&app, &w.b, &returned).await;
    send_back(&app, &w.counselor, &returned, "Say more").await;
    let released = id_of(&letter(&app, &w.a, &w.couple, "Three", "three").await);
    submit(&app, &w.a, &released).await;
    release(&app, &w.counselor, &released).await;
    let withdrawn = id_of(&letter(&app, &w.b, &w.couple, "Four", "four").await);
    submit(&app, &w.b, &withdrawn).await;
    app.post(&format!("/api/v1/portal/letters/{withdrawn}/withdraw"), Some(&w.b), json!({})).await.expect(200);

    let base = format!("/api/v1/couples/{}/letters", w.couple.id);
    for (status, id) in
        [("submitted", &submitted), ("returned", &returned), ("released", &released), ("withdrawn", &withdrawn)]
    {
        let page = app.get(&format!("{base}?status={status}"), c).await.expect(200).json();
        assert_eq!(ids(&page), vec![id.clone()], "{status}");
        assert!(page["items"].as_array().unwrap().iter().all(|l| l["status"] == status));
    }
    let all = app.get(&base, c).await.expect(200);
    assert_eq!(ids(&all.json()).len(), 4);
    assert!(!all.text.contains(DRAFT));
    // Drafts are not a status staff can ask for; unknown words are refused like other enums.
    app.get(&format!("{base}?status=draft"), c).await.problem(400);
    app.get(&format!("{base}?status=nope"), c).await.problem(400);
    app.get(&format!("{base}?status=submitted&limit=101"), c).await.problem(422);
    // Every other audience.
    for u in w.unassigned_staff() {
        let before = denials(&app, &w.couple.id, &u.id).await;
        app.get(&format!("{base}?status=submitted"), Some(u)).await.problem(404);
        assert_eq!(denials(&app, &w.couple.id, &u.id).await, before + 1);
    }
    // A bad query never hides the denial.
    let before = denials(&app, &w.couple.id, &w.other_counselor.id).await;
    app.get(&format!("{base}?status=draft"), Some(&w.other_counselor)).await.problem(404);
    assert_eq!(denials(&app, &w.couple.id, &w.other_counselor.id).await, before + 1);
    for u in w.clients() {
        app.get(&format!("{base}?status=submitted"), Some(u)).await.problem(403);
    }
    app.get(&format!("{base}?status=submitted"), None).await.problem(401);
}
