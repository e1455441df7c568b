//! Two `mend serve` processes on one database, as behind a load balancer: everything that must
//! hold across instances holds (the login lock and per-IP limit are in tests/auth.rs).

mod common;

use common::*;
use serde_json::{json, Value};

async fn send(
    app: &TestApp,
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, String) {
    let mut req = app.http.request(method, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn refresh_reuse_is_detected_across_instances() {
    let app = TestApp::spawn().await;
    let second = app.second_instance(&[]).await;
    let p = app.practice().await;
    let pair = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let r1 = pair["refresh_token"].as_str().unwrap().to_string();
    let (status, body) = send(
        &app,
        &second.addr,
        reqwest::Method::POST,
        "/api/v1/auth/refresh",
        None,
        &[],
        Some(&json!({"refresh_token": r1})),
    )
    .await;
    assert_eq!(status, 200);
    let r2 = serde_json::from_str::<Value>(&body).unwrap()["refresh_token"].as_str().unwrap().to_string();
    // Reusing r1 on the first instance revokes the login everywhere.
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).await.problem(401);
    let (status, _) = send(
        &app,
        &second.addr,
        reqwest::Method::POST,
        "/api/v1/auth/refresh",
        None,
        &[],
        Some(&json!({"refresh_token": r2})),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn idempotency_keys_hold_across_instances() {
    let app = TestApp::spawn().await;
    let second = app.second_instance(&[]).await;
    let p = app.practice().await;
    let c = app.counselor(&p).await;
    let body = json!({"first_name": "Ada", "last_name": "Both"});
    let key = [("idempotency-key", "across-1")];
    let (a, first) =
        send(&app, &app.server.addr, reqwest::Method::POST, "/api/v1/clients", Some(&c.token), &key, Some(&body)).await;
    let (b, again) =
        send(&app, &second.addr, reqwest::Method::POST, "/api/v1/clients", Some(&c.token), &key, Some(&body)).await;
    assert_eq!((a, b), (201, 201));
    assert_eq!(first, again);
    let other = json!({"first_name": "Other", "last_name": "Body"});
    let (status, _) =
        send(&app, &second.addr, reqwest::Method::POST, "/api/v1/clients", Some(&c.token), &key, Some(&other)).await;
    assert_eq!(status, 422);
    let list = app.get("/api/v1/clients", Some(&c)).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_writes_through_both_keep_versions_and_overlaps_exact() {
    let app = TestApp::spawn().await;
    let second = app.second_instance(&[]).await;
    let p = app.practice().await;
    let c = app.counselor(&p).await;
    let couple = app.couple(&p, &c).await;

    // One If-Match, eight writers spread over both instances: one change.
    let path = format!("/api/v1/couples/{}", couple.id);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let base = if i % 2 == 0 { app.server.addr.clone() } else { second.addr.clone() };
        let body = json!({"presenting_concern": format!("writer {i}")});
        let (app, path, token) = (&app, path.clone(), c.token.clone());
        tasks.push(async move {
            send(app, &base, reqwest::Method::PATCH, &path, Some(&token), &[("if-match", "\"1\"")], Some(&body)).await.0
        });
    }
    let statuses = futures_util::future::join_all(tasks).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 412), "{statuses:?}");
    assert_eq!(app.get(&path, Some(&c)).await.json()["version"], 2);

    // Overlapping sessions for one counselor, created through both: exactly one.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let base = if i % 2 == 0 { app.server.addr.clone() } else { second.addr.clone() };
        let body = json!({"couple_id": couple.id, "starts_at": format!("2031-03-0{}T10:{}0:00Z", 3, i % 6), "duration_minutes": 60, "modality": "in_person"});
        let (app, token) = (&app, c.token.clone());
        tasks.push(async move {
            send(app, &base, reqwest::Method::POST, "/api/v1/sessions", Some(&token), &[], Some(&body)).await.0
        });
    }
    let statuses = futures_util::future::join_all(tasks).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
}
