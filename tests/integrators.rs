//! Bugs an integrator hits from outside (issue 12): If-Match syntax and comparison, the bearer
//! scheme's case, and the first start on a fresh directory.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

async fn patch_practice(app: &TestApp, admin: &User, if_match: &str, name: &str) -> Resp {
    app.req(Method::PATCH, "/api/v1/practice")
        .auth(Some(admin))
        .header("if-match", if_match)
        .json(&json!({"name": name}))
        .send()
        .await
}

async fn practice_name(app: &TestApp, admin: &User) -> (String, i64) {
    let p = app.get("/api/v1/practice", Some(admin)).await.expect(200).json();
    (p["name"].as_str().unwrap_or_default().to_string(), p["version"].as_i64().unwrap_or_default())
}

#[tokio::test]
async fn malformed_if_match_is_400_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    for bad in ["", "3", "\"\"", "garbage", "\"3", "\"abc\"", "\"-1\"", "w/\"1\"", "\"1\",", "*, \"1\"", "\"1\" \"2\""]
    {
        let r = patch_practice(&app, &p.admin, bad, "Changed").await;
        let problem = r.problem(400);
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("If-Match")), "{bad:?}: {problem}");
    }
    assert_eq!(practice_name(&app, &p.admin).await, ("Practice".to_string(), 1));
}

#[tokio::test]
async fn weak_etags_never_match_and_stale_is_412() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    // RFC 9110 13.1.1: If-Match uses the strong comparison; W/"1" names the current version
    // but does not match it.
    patch_practice(&app, &p.admin, "W/\"1\"", "Weak").await.problem(412);
    patch_practice(&app, &p.admin, "\"2\"", "Stale").await.problem(412);
    patch_practice(&app, &p.admin, "\"99999999999999999999\"", "Huge").await.problem(412);
    assert_eq!(practice_name(&app, &p.admin).await, ("Practice".to_string(), 1));
}

#[tokio::test]
async fn if_match_lists_and_star_match() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    // A list matches when any strong tag is the current version; the weak one does not count.
    patch_practice(&app, &p.admin, "W/\"2\", \"7\"", "No").await.problem(412);
    let r = patch_practice(&app, &p.admin, "\"7\" , W/\"2\",\"1\"", "Listed").await.expect(200);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    // Two header lines are one list.
    let r = app
        .req(Method::PATCH, "/api/v1/practice")
        .auth(Some(&p.admin))
        .header("if-match", "\"5\"")
        .header("if-match", "\"2\"")
        .json(&json!({"name": "Two lines"}))
        .send()
        .await;
    r.expect(200);
    patch_practice(&app, &p.admin, "*", "Star").await.expect(200);
    assert_eq!(practice_name(&app, &p.admin).await, ("Star".to_string(), 4));
}

#[tokio::test]
async fn malformed_if_match_still_answers_401_403_404_first() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let r = app.req(Method::PATCH, "/api/v1/practice").header("if-match", "garbage").json(&json!({"name": "X"}));
    r.send().await.problem(401);
    patch_practice(&app, &counselor, "garbage", "X").await.problem(403);
    let missing = format!("/api/v1/clients/{}", mend::db::new_id());
    let r = app.req(Method::PATCH, &missing).auth(Some(&counselor)).header("if-match", "garbage");
    r.json(&json!({"pronouns": "they"})).send().await.problem(404);
}

#[tokio::test]
async fn idempotency_key_works_with_any_case_of_the_bearer_scheme() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    for (n, scheme) in ["bearer", "BEARER", "Bearer"].into_iter().enumerate() {
        let body = json!({"email": format!("idem{n}@example.org"), "display_name": "Idem", "role": "counselor"});
        let send = || {
            app.req(Method::POST, "/api/v1/users")
                .header("authorization", &format!("{scheme} {}", p.admin.token))
                .header("idempotency-key", &format!("key-{n}"))
                .json(&body)
                .send()
        };
        let first = send().await.expect(201);
        let again = send().await.expect(201);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"), "{scheme}");
        assert_eq!(first.header("location"), again.header("location"), "{scheme}");
    }
    let users = app.get("/api/v1/users?role=counselor", Some(&p.admin)).await.json();
    assert_eq!(users["items"].as_array().map(Vec::len), Some(3), "one user per key");
}
