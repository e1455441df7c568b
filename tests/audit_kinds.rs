//! Audit events name the kind of resource the same way for a success and a denial: a client
//! refused on a staff path is audited as `boundary` (it used to be `boundarie`, made by trimming
//! an `s` off the path), so `?resource_type=boundary` finds both.

mod common;

use common::trust::*;
use common::*;
use serde_json::Value;

fn events_on<'a>(list: &'a Value, id: &str) -> Vec<&'a Value> {
    list["items"].as_array().unwrap().iter().filter(|e| e["resource_id"] == id).collect()
}

#[tokio::test]
async fn a_denial_on_a_staff_path_is_audited_with_the_same_kind_as_a_success() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let b = boundary(&app, &w, &w.couple, "No contact").await;
    let id = b["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/boundaries/{id}");

    // A success (the counselor reads it) and a denial (a partner on the staff path).
    app.get(&path, Some(&w.counselor)).await.expect(200);
    app.get(&path, Some(&w.a)).await.problem(403);

    let rows = app.audit_rows(&id).await;
    assert!(rows.iter().any(|r| r.1 == "denied" && r.2 == w.a.id), "the denial is audited: {rows:?}");

    let admin = Some(&w.p.admin);
    let list = app.get("/api/v1/audit-events?resource_type=boundary&limit=100", admin).await.expect(200).json();
    let mine = events_on(&list, &id);
    let denied: Vec<_> = mine.iter().filter(|e| e["outcome"] == "denied").collect();
    assert_eq!(denied.len(), 1, "{mine:?}");
    assert_eq!(denied[0]["resource_type"], "boundary");
    assert_eq!(denied[0]["actor_id"], w.a.id);
    assert!(mine.iter().any(|e| e["outcome"] == "success" && e["action"] == "read"), "{mine:?}");
    assert!(list["items"].as_array().unwrap().iter().all(|e| e["resource_type"] == "boundary"));

    // The old spelling finds nothing, because it is not a word: 400, not an empty page.
    app.get("/api/v1/audit-events?resource_type=boundarie", admin).await.problem(400);
    app.get("/api/v1/audit-events?action=peek", admin).await.problem(400);
    let reads = app.get("/api/v1/audit-events?resource_type=boundary&action=read", admin).await.expect(200).json();
    let reads = events_on(&reads, &id);
    assert!(reads.iter().all(|e| e["action"] == "read"), "{reads:?}");
    assert_eq!(reads.iter().filter(|e| e["outcome"] == "success").count(), 1, "{reads:?}");
}
