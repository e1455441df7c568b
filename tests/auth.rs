//! Sign-in, tokens and their revocation, brute-force limits, forged tokens.

mod common;

use base64::Engine;
use common::*;
use mend::domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

#[tokio::test]
async fn login_gives_a_working_pair_and_same_401_for_wrong_email_or_password() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let pair = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let token = pair["access_token"].as_str().unwrap();
    let me = app.req(Method::GET, "/api/v1/me").bearer(token).send().await.expect(200).json();
    assert_eq!(me["id"], json!(p.admin.id));
    assert_eq!(me["role"], "admin");
    assert_eq!(me["client_id"], Value::Null);

    let wrong_pw = app.login(&p.admin.email, "not the password at all").await.problem(401);
    let wrong_email = app.login("nobody@example.org", PASSWORD).await.problem(401);
    assert_eq!(wrong_pw["detail"], wrong_email["detail"]);
    // The email is matched case-insensitively.
    app.login(&p.admin.email.to_uppercase(), PASSWORD).await.expect(200);

    // Logins are audited, failed ones too.
    let events = app.audit_rows(&p.admin.id).await;
    assert!(events.iter().any(|(a, o, _)| a == "login" && o == "success"));
    assert!(events.iter().any(|(a, o, _)| a == "login" && o == "denied"));
}

#[tokio::test]
async fn five_failures_lock_the_email_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    for _ in 0..5 {
        app.login(&p.admin.email, "wrong password 123").await.problem(401);
    }
    let locked = app.login(&p.admin.email, PASSWORD).await;
    let retry: u64 = locked.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    locked.problem(429);
    // Another account is not affected.
    let other = app.counselor(&p).await;
    app.login(&other.email, PASSWORD).await.expect(200);
}

#[tokio::test]
async fn per_ip_limit_holds_and_zero_turns_it_off() {
    let app = TestApp::spawn_with(&[("MEND_LOGIN_LIMIT_PER_IP", "3")]).await;
    let p = app.practice().await;
    for _ in 0..3 {
        app.login("someone@example.org", "whatever password").await.problem(401);
    }
    let r = app.login(&p.admin.email, PASSWORD).await;
    assert!(r.header("retry-after").is_some());
    r.problem(429);

    let open = TestApp::spawn().await; // MEND_LOGIN_LIMIT_PER_IP=0
    let p = open.practice().await;
    for i in 0..8 {
        open.login(&format!("someone{i}@example.org"), "whatever password").await.problem(401);
    }
    open.login(&p.admin.email, PASSWORD).await.expect(200);
}

#[tokio::test]
async fn limits_hold_across_two_instances() {
    let app = TestApp::spawn_with(&[("MEND_LOGIN_LIMIT_PER_IP", "6")]).await;
    let second = app.second_instance(&[("MEND_LOGIN_LIMIT_PER_IP", "6")]).await;
    let p = app.practice().await;
    // Failures alternate between the instances; the lock is shared.
    for i in 0..5 {
        let base = if i % 2 == 0 { app.server.addr.clone() } else { second.addr.clone() };
        let r = app
            .http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": p.admin.email, "password": "bad password 1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = app
        .http
        .post(format!("{}/api/v1/auth/login", second.addr))
        .json(&json!({"email": p.admin.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // The per-IP budget (6/min) is shared too: one more attempt on the first instance is refused.
    let r = app
        .http
        .post(format!("{}/api/v1/auth/login", app.server.addr))
        .json(&json!({"email": "x@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // A token issued by one instance works on the other.
    let token = &p.admin.token;
    let r = app.http.get(format!("{}/api/v1/me", second.addr)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let first = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let r1 = first["refresh_token"].as_str().unwrap().to_string();
    let second = app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).await.expect(200).json();
    let r2 = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    // Reusing r1 is detected: 401, and r2 (same login) stops working too.
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r1})).await.problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r2})).await.problem(401);
    // Another login of the same user is unaffected.
    let other = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": other["refresh_token"]})).await.expect(200);
    // Garbage and unknown fields.
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "nope"})).await.problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "nope", "x": 1})).await.problem(400);
}

#[tokio::test]
async fn concurrent_use_of_one_refresh_token_yields_one_pair() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let pair = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let token = pair["refresh_token"].as_str().unwrap().to_string();
    let tasks: Vec<_> =
        (0..5).map(|_| app.post("/api/v1/auth/refresh", None, json!({"refresh_token": token}))).collect();
    let results = futures_util::future::join_all(tasks).await;
    assert!(results.iter().filter(|r| r.status == 200).count() <= 1);
}

#[tokio::test]
async fn logout_revokes_the_login() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let pair = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let r = app.post("/api/v1/auth/logout", None, json!({"refresh_token": pair["refresh_token"]})).await;
    r.expect(204);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": pair["refresh_token"]})).await.problem(401);
    // Unknown tokens answer 204 too: logout reveals nothing.
    app.post("/api/v1/auth/logout", None, json!({"refresh_token": "unknown"})).await.expect(204);
}

#[tokio::test]
async fn password_change_revokes_other_logins() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let mine = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let other = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let token = mine["access_token"].as_str().unwrap();
    let change = |current: &str, new: &str| {
        app.req(Method::POST, "/api/v1/me/password")
            .bearer(token)
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };
    change("wrong current pw", "a brand new password").await.problem(422);
    change(PASSWORD, "short").await.problem(422);
    change(PASSWORD, "a brand new password").await.expect(204);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": other["refresh_token"]})).await.problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": mine["refresh_token"]})).await.expect(200);
    app.login(&p.admin.email, PASSWORD).await.problem(401);
    app.login(&p.admin.email, "a brand new password").await.expect(200);
}

#[tokio::test]
async fn invites_work_once_and_expire() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let created = app
        .post(
            "/api/v1/users",
            Some(&p.admin),
            json!({"email": "New.Counselor@Example.org", "display_name": "New", "role": "counselor"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(created["user"]["email"], "new.counselor@example.org");
    let invite = created["invite_token"].as_str().unwrap().to_string();
    // Not usable to sign in before accepting.
    app.login("new.counselor@example.org", PASSWORD).await.problem(401);
    app.post("/api/v1/auth/accept-invite", None, json!({"token": invite, "password": "short"})).await.problem(422);
    let pair = app
        .post("/api/v1/auth/accept-invite", None, json!({"token": invite, "password": PASSWORD}))
        .await
        .expect(200)
        .json();
    let me = app
        .req(Method::GET, "/api/v1/me")
        .bearer(pair["access_token"].as_str().unwrap())
        .send()
        .await
        .expect(200)
        .json();
    assert_eq!(me["role"], "counselor");
    // Single use.
    app.post("/api/v1/auth/accept-invite", None, json!({"token": invite, "password": PASSWORD})).await.problem(401);
    app.login("new.counselor@example.org", PASSWORD).await.expect(200);

    // Expired invites are refused.
    let created = app
        .post(
            "/api/v1/users",
            Some(&p.admin),
            json!({"email": "late@example.org", "display_name": "Late", "role": "admin"}),
        )
        .await
        .expect(201)
        .json();
    let late = created["invite_token"].as_str().unwrap().to_string();
    app.sql(|c| {
        use diesel::prelude::*;
        use mend::db::schema::invites;
        diesel::update(invites::table)
            .set(invites::expires_at.eq(mend::db::now() - chrono::Duration::days(8)))
            .execute(c)
            .unwrap();
    })
    .await;
    app.post("/api/v1/auth/accept-invite", None, json!({"token": late, "password": PASSWORD})).await.problem(401);
}

#[tokio::test]
async fn forged_and_wrong_tokens_are_401() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let good = p.admin.token.clone();
    let parts: Vec<&str> = good.split('.').collect();
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();

    let mut tampered = claims.clone();
    tampered["role"] = json!("admin");
    tampered["sub"] = json!(uuid::Uuid::new_v4().to_string());
    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
    let tampered_payload = format!("{}.{}.{}", parts[0], b64(&tampered), parts[2]);

    let sign = |claims: &Value, secret: &[u8]| {
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), claims, &jsonwebtoken::EncodingKey::from_secret(secret))
            .unwrap()
    };
    let wrong_key = sign(&claims, b"another secret that is long enough!!");
    let mut expired = claims.clone();
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    let expired = sign(&expired, SECRET.as_bytes());
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("someone-else");
    let wrong_aud = sign(&wrong_aud, SECRET.as_bytes());
    let mut wrong_iss = claims.clone();
    wrong_iss["iss"] = json!("evil");
    let wrong_iss = sign(&wrong_iss, SECRET.as_bytes());
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let pair = app.login(&p.admin.email, PASSWORD).await.expect(200).json();
    let refresh_as_access = pair["refresh_token"].as_str().unwrap().to_string();

    for (name, token) in [
        ("alg none", alg_none),
        ("tampered payload", tampered_payload),
        ("wrong key", wrong_key),
        ("expired", expired),
        ("wrong audience", wrong_aud),
        ("wrong issuer", wrong_iss),
        ("other algorithm", hs512),
        ("refresh token", refresh_as_access),
        ("garbage", "abc".into()),
    ] {
        let r = app.req(Method::GET, "/api/v1/me").bearer(&token).send().await;
        assert_eq!(r.status, 401, "{name}");
        r.problem(401);
    }
    app.get("/api/v1/me", None).await.problem(401);
    app.req(Method::GET, "/api/v1/me").header("authorization", "Basic abc").send().await.problem(401);
    // Sanity: the untouched token works.
    app.req(Method::GET, "/api/v1/me").bearer(&good).send().await.expect(200);
}

#[tokio::test]
async fn a_deactivated_user_is_cut_off_at_once() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let c = app.counselor(&p).await;
    let pair = app.login(&c.email, PASSWORD).await.expect(200).json();
    app.get("/api/v1/me", Some(&c)).await.expect(200);
    app.patch(&format!("/api/v1/users/{}", c.id), Some(&p.admin), json!({"active": false})).await.expect(200);
    app.get("/api/v1/me", Some(&c)).await.problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": pair["refresh_token"]})).await.problem(401);
    app.login(&c.email, PASSWORD).await.problem(401);
    // Reactivated, they can sign in again (old tokens stay revoked).
    app.patch(&format!("/api/v1/users/{}", c.id), Some(&p.admin), json!({"active": true})).await.expect(200);
    app.login(&c.email, PASSWORD).await.expect(200);
}

#[tokio::test]
async fn a_token_whose_role_no_longer_matches_is_refused() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let c = app.counselor(&p).await;
    app.patch(&format!("/api/v1/users/{}", c.id), Some(&p.admin), json!({"role": "admin"})).await.expect(200);
    // The old token says counselor: it no longer works.
    app.get("/api/v1/me", Some(&c)).await.problem(401);
    // A token minted for the wrong practice is refused too.
    let other = app.practice().await;
    let forged = app.token(&c.id, Role::Admin, &other.id);
    app.req(Method::GET, "/api/v1/me").bearer(&forged).send().await.problem(401);
}
