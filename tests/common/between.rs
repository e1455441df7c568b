//! Test helpers for letters and activities (issue 14): made through the API by the people who
//! make them (partners write letters in the portal, counselors assign activities), plus the
//! audience checks of portal paths.
#![allow(dead_code)]

use reqwest::Method;
use serde_json::{json, Value};

use super::trust::{call, denials, World};
use super::*;

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// A date `n` days from today (negative: in the past), `YYYY-MM-DD` (test practices are UTC).
pub fn day(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).format("%Y-%m-%d").to_string()
}

/// A draft letter written by `author` for `couple`.
pub async fn letter(app: &TestApp, author: &User, couple: &Couple, title: &str, body: &str) -> Value {
    app.post(
        "/api/v1/portal/letters",
        Some(author),
        json!({"couple_id": couple.id, "kind": "impact", "title": title, "body": body}),
    )
    .await
    .expect(201)
    .json()
}

pub async fn submit(app: &TestApp, author: &User, id: &str) -> Value {
    app.post(&format!("/api/v1/portal/letters/{id}/submit"), Some(author), json!({})).await.expect(200).json()
}

pub async fn send_back(app: &TestApp, counselor: &User, id: &str, comment: &str) -> Value {
    app.post(&format!("/api/v1/letters/{id}/return"), Some(counselor), json!({"comment": comment}))
        .await
        .expect(200)
        .json()
}

pub async fn release(app: &TestApp, counselor: &User, id: &str) -> Value {
    app.post(&format!("/api/v1/letters/{id}/release"), Some(counselor), json!({})).await.expect(200).json()
}

/// An activity of `couple`, assigned by the couple's counselor; `body` adds to or overrides
/// the defaults (for both, daily, from 10 days ago).
pub async fn activity(app: &TestApp, w: &World, couple: &Couple, body: Value) -> Value {
    let mut b = json!({"title": "Walk together", "assigned_to": "both", "cadence": "daily", "starts_on": day(-10)});
    if let (Some(b), Some(extra)) = (b.as_object_mut(), body.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    app.post(&format!("/api/v1/couples/{}/activities", couple.id), Some(&w.counselor), b).await.expect(201).json()
}

/// A partner's own log in the portal.
pub async fn portal_log(app: &TestApp, who: &User, activity_id: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/portal/activities/{activity_id}/logs"), Some(who), body).await
}

/// A portal path refused to everyone but its rightful caller: each of `hidden_from` (portal
/// clients who may not see the resource) gets 404 and leaves a denied event on `resource_id`;
/// staff get 403; no token 401.
pub async fn assert_portal_hidden(
    app: &TestApp,
    w: &World,
    method: Method,
    path: &str,
    body: Option<Value>,
    resource_id: &str,
    hidden_from: &[&User],
) {
    for u in hidden_from {
        let before = denials(app, resource_id, &u.id).await;
        call(app, method.clone(), path, Some(u), body.as_ref()).await.problem(404);
        let after = denials(app, resource_id, &u.id).await;
        assert_eq!(after, before + 1, "{method} {path}: a denied event for {} on {resource_id}", u.id);
    }
    for u in w.staff() {
        call(app, method.clone(), path, Some(u), body.as_ref()).await.problem(403);
    }
    call(app, method.clone(), path, None, body.as_ref()).await.problem(401);
}

/// The keys of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}
