//! Users, practice and the audit trail: each endpoint for each audience.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

struct World {
    app: TestApp,
    p: Practice,
    counselor: User,
    portal: User,
    other: Practice,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let client = app.client(&p, Some(&counselor)).await;
    let portal = app.portal_user(&p, &client).await;
    let other = app.practice().await;
    World { app, p, counselor, portal, other }
}

#[tokio::test]
async fn users_endpoints_are_for_admins_of_the_same_practice() {
    let w = world().await;
    let app = &w.app;
    let target = format!("/api/v1/users/{}", w.counselor.id);

    // Admin: list, read, update.
    let list = app.get("/api/v1/users", Some(&w.p.admin)).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let read = app.get(&target, Some(&w.p.admin)).await.expect(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.json()["role"], "counselor");
    let updated = app.patch(&target, Some(&w.p.admin), json!({"display_name": "Dr. Q"})).await.expect(200).json();
    assert_eq!(updated["display_name"], "Dr. Q");
    assert_eq!(updated["version"], 2);

    // Counselor and client: 403 on every users endpoint, whatever the target.
    for user in [&w.counselor, &w.portal] {
        app.get("/api/v1/users", Some(user)).await.problem(403);
        app.get(&target, Some(user)).await.problem(403);
        app.patch(&target, Some(user), json!({"display_name": "x"})).await.problem(403);
        app.post("/api/v1/users", Some(user), json!({"email": "z@example.org", "display_name": "Z", "role": "admin"}))
            .await
            .problem(403);
    }
    // A role that may never use the endpoint is audited as a denied attempt too.
    let events = app.audit_rows(&w.counselor.id).await;
    assert!(events.iter().any(|(a, o, actor)| a == "read" && o == "denied" && actor == &w.portal.id));
    // The user themself is a counselor: still 403 on /users (they use /me).
    // Another practice's admin: 404 for this practice's user, and the list has none of them.
    app.get(&target, Some(&w.other.admin)).await.problem(404);
    app.patch(&target, Some(&w.other.admin), json!({"display_name": "hijack"})).await.problem(404);
    let theirs = app.get("/api/v1/users", Some(&w.other.admin)).await.expect(200).json();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&target, Some(&w.p.admin)).await.json()["display_name"], "Dr. Q");
    // The denial is in the trail, with the resource id.
    let events = app.audit_rows(&w.counselor.id).await;
    assert!(events.iter().any(|(a, o, actor)| a == "read" && o == "denied" && actor == &w.other.admin.id));
    assert!(events.iter().any(|(a, o, actor)| a == "update" && o == "denied" && actor == &w.other.admin.id));
    // No token.
    app.get("/api/v1/users", None).await.problem(401);
    app.get(&target, None).await.problem(401);
    // Unknown id.
    app.get(&format!("/api/v1/users/{}", uuid::Uuid::new_v4()), Some(&w.p.admin)).await.problem(404);
}

#[tokio::test]
async fn duplicate_email_is_409_and_roles_are_staff_only() {
    let w = world().await;
    let app = &w.app;
    let body = json!({"email": w.counselor.email, "display_name": "Dup", "role": "counselor"});
    app.post("/api/v1/users", Some(&w.p.admin), body).await.problem(409);
    // Another practice cannot take the email either (emails are unique in the system).
    let body = json!({"email": w.counselor.email.to_uppercase(), "display_name": "Dup", "role": "counselor"});
    app.post("/api/v1/users", Some(&w.other.admin), body).await.problem(409);
    // A client account's role cannot be changed.
    app.patch(&format!("/api/v1/users/{}", w.portal.id), Some(&w.p.admin), json!({"role": "admin"})).await.problem(422);
    app.patch(&format!("/api/v1/users/{}", w.counselor.id), Some(&w.p.admin), json!({"role": "client"}))
        .await
        .problem(400);
    app.patch(&format!("/api/v1/users/{}", w.counselor.id), Some(&w.p.admin), json!({"email": "new@example.org"}))
        .await
        .problem(400);
}

#[tokio::test]
async fn the_last_active_admin_stays() {
    let w = world().await;
    let app = &w.app;
    let me = format!("/api/v1/users/{}", w.p.admin.id);
    app.patch(&me, Some(&w.p.admin), json!({"active": false})).await.problem(409);
    app.patch(&me, Some(&w.p.admin), json!({"role": "counselor"})).await.problem(409);
    // With a second admin, one may be stepped down by the other, never by themself.
    let second = app.user_in(&w.p.id, mend::domain::Role::Admin).await;
    app.patch(&me, Some(&w.p.admin), json!({"role": "counselor"})).await.problem(409);
    app.patch(&me, Some(&second), json!({"role": "counselor"})).await.expect(200);
    let third = app.user_in(&w.p.id, mend::domain::Role::Admin).await;
    app.patch(&format!("/api/v1/users/{}", third.id), Some(&second), json!({"active": false})).await.expect(200);
    // Now `second` is the last active admin.
    app.patch(&format!("/api/v1/users/{}", second.id), Some(&second), json!({"active": false})).await.problem(409);
}

#[tokio::test]
async fn concurrent_admins_cannot_remove_each_other() {
    let w = world().await;
    let app = &w.app;
    let second = app.user_in(&w.p.id, mend::domain::Role::Admin).await;
    let (path_a, path_b) = (format!("/api/v1/users/{}", second.id), format!("/api/v1/users/{}", w.p.admin.id));
    let a = app.patch(&path_a, Some(&w.p.admin), json!({"active": false}));
    let b = app.patch(&path_b, Some(&second), json!({"active": false}));
    let (a, b) = tokio::join!(a, b);
    // One wins; the other is refused: 409 (last admin) or 401 (the caller was just deactivated).
    let statuses = [a.status, b.status];
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [200, 401, 409].contains(s)), "{statuses:?}");
    let admins = app
        .sql({
            let pid = w.p.id.clone();
            move |c| {
                use diesel::prelude::*;
                use mend::db::schema::users;
                users::table
                    .filter(users::practice_id.eq(pid))
                    .filter(users::role.eq("admin"))
                    .filter(users::active.eq(true))
                    .count()
                    .get_result::<i64>(c)
                    .unwrap()
            }
        })
        .await;
    assert!(admins >= 1);
}

#[tokio::test]
async fn practice_is_read_by_staff_and_changed_by_admins() {
    let w = world().await;
    let app = &w.app;
    let read = app.get("/api/v1/practice", Some(&w.counselor)).await.expect(200).json();
    assert_eq!(read["id"], json!(w.p.id));
    assert_eq!(read["timezone"], "UTC");
    app.get("/api/v1/practice", Some(&w.portal)).await.problem(403);
    app.get("/api/v1/practice", None).await.problem(401);
    app.patch("/api/v1/practice", Some(&w.counselor), json!({"name": "x"})).await.problem(403);
    app.patch("/api/v1/practice", Some(&w.portal), json!({"name": "x"})).await.problem(403);
    app.patch("/api/v1/practice", Some(&w.p.admin), json!({"name": ""})).await.problem(422);
    app.patch("/api/v1/practice", Some(&w.p.admin), json!({"name": "x", "id": w.other.id})).await.problem(400);
    app.patch("/api/v1/practice", Some(&w.other.admin), json!({"name": "Theirs"})).await.expect(200);
    // Each admin changes only their own practice.
    assert_eq!(app.get("/api/v1/practice", Some(&w.p.admin)).await.json()["name"], "Practice");
}

#[tokio::test]
async fn me_for_every_role() {
    let w = world().await;
    let app = &w.app;
    let me = app.get("/api/v1/me", Some(&w.portal)).await.expect(200).json();
    assert_eq!(me["role"], "client");
    assert_eq!(me["client_id"], json!(w.portal.client_id));
    assert_eq!(app.get("/api/v1/me", Some(&w.counselor)).await.json()["role"], "counselor");
    app.get("/api/v1/me", None).await.problem(401);
    let r = app.req(Method::POST, "/api/v1/me").auth(Some(&w.counselor)).send().await;
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
}

fn events(v: &Value) -> Vec<Value> {
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn audit_trail_is_admin_only_scoped_filtered_and_newest_first() {
    let w = world().await;
    let app = &w.app;
    // Generate events: reads by the admin and a denied read by the other practice.
    let target = format!("/api/v1/users/{}", w.counselor.id);
    app.get(&target, Some(&w.p.admin)).await.expect(200);
    app.get(&target, Some(&w.p.admin)).await.expect(200);
    app.get(&target, Some(&w.other.admin)).await.problem(404);

    let all = app.get("/api/v1/audit-events?limit=100", Some(&w.p.admin)).await.expect(200).json();
    let items = events(&all);
    assert!(items.len() >= 2);
    let ids: Vec<&str> = items.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
    for e in &items {
        for field in ["id", "at", "action", "resource_type", "outcome", "request_id"] {
            assert!(!e[field].is_null(), "{field}");
        }
    }
    // The other practice's denied read is in their trail, not ours.
    assert!(items.iter().all(|e| e["actor_id"] != json!(w.other.admin.id)));
    let theirs = events(&app.get("/api/v1/audit-events?action=read", Some(&w.other.admin)).await.expect(200).json());
    assert!(theirs.iter().any(|e| e["outcome"] == "denied" && e["resource_id"] == json!(w.counselor.id)));

    // Filters.
    let reads = events(
        &app.get(&format!("/api/v1/audit-events?action=read&resource_id={}", w.counselor.id), Some(&w.p.admin))
            .await
            .expect(200)
            .json(),
    );
    assert_eq!(reads.len(), 2);
    let by_actor =
        events(&app.get(&format!("/api/v1/audit-events?actor_id={}", w.p.admin.id), Some(&w.p.admin)).await.json());
    assert!(by_actor.iter().all(|e| e["actor_id"] == json!(w.p.admin.id)));
    let future =
        events(&app.get("/api/v1/audit-events?from=2999-01-01T00:00:00Z", Some(&w.p.admin)).await.expect(200).json());
    assert!(future.is_empty());
    app.get("/api/v1/audit-events?from=yesterday", Some(&w.p.admin)).await.problem(400);
    app.get("/api/v1/audit-events?action=erase", Some(&w.p.admin)).await.problem(400);
    app.get("/api/v1/audit-events?resource_type=user&limit=0", Some(&w.p.admin)).await.problem(422);

    // Paging with a cursor sees each event once.
    let page1 = app.get("/api/v1/audit-events?limit=1", Some(&w.p.admin)).await.json();
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = app.get(&format!("/api/v1/audit-events?limit=1&cursor={cursor}"), Some(&w.p.admin)).await.json();
    assert_ne!(page1["items"][0]["id"], page2["items"][0]["id"]);

    // Audiences.
    app.get("/api/v1/audit-events", Some(&w.counselor)).await.problem(403);
    app.get("/api/v1/audit-events", Some(&w.portal)).await.problem(403);
    app.get("/api/v1/audit-events", None).await.problem(401);
}

#[tokio::test]
async fn the_database_refuses_to_change_the_audit_trail() {
    let w = world().await;
    let app = &w.app;
    app.get(&format!("/api/v1/users/{}", w.counselor.id), Some(&w.p.admin)).await.expect(200);
    let (update, delete) = app
        .sql(|c| {
            use diesel::connection::SimpleConnection;
            let update = c.batch_execute("UPDATE audit_events SET outcome = 'success'");
            let delete = c.batch_execute("DELETE FROM audit_events");
            (update.map_err(|e| e.to_string()), delete.map_err(|e| e.to_string()))
        })
        .await;
    assert!(update.unwrap_err().contains("append-only"));
    assert!(delete.unwrap_err().contains("append-only"));
    let n = app.get("/api/v1/audit-events?limit=100", Some(&w.p.admin)).await.json()["items"].as_array().unwrap().len();
    assert!(n >= 1);
    if is_postgres() {
        let truncate = app
            .sql(|c| {
                use diesel::connection::SimpleConnection;
                c.batch_execute("TRUNCATE audit_events").map_err(|e| e.to_string())
            })
            .await;
        assert!(truncate.unwrap_err().contains("append-only"));
    }
}
