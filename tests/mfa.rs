//! Two-factor sign-in (TOTP, RFC 6238): enrolment, sign-in with a code or a recovery code,
//! replays and the lock, turning it off, an admin's reset, and a practice that requires it of
//! staff. All its state is in the database: two instances on one database share it.

mod common;

use common::accounts::*;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn me(app: &TestApp, user: &User) -> Value {
    app.get("/api/v1/me", Some(user)).await.expect(200).json()
}

#[tokio::test]
async fn enrol_confirm_and_sign_in_needs_the_code() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    assert_eq!(me(&app, &counselor).await["mfa_enabled"], false);

    let started = app.post("/api/v1/me/mfa/totp", Some(&counselor), json!({})).await.expect(201).json();
    let secret = base32_decode(started["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20);
    let uri = started["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Mend%3A"), "{uri}");
    assert!(uri.contains(&format!("secret={}", started["secret"].as_str().unwrap())));
    assert!(uri.contains("algorithm=SHA1&digits=6&period=30"));
    // Not active until confirmed: signing in needs no code yet.
    assert_eq!(me(&app, &counselor).await["mfa_enabled"], false);
    app.login(&counselor.email, PASSWORD).await.expect(200).json()["access_token"].as_str().unwrap();
    // The secret is sealed at rest.
    let stored: String = app
        .sql(|c| {
            use diesel::prelude::*;
            mend::db::schema::user_mfa::table.select(mend::db::schema::user_mfa::secret).first(c).unwrap()
        })
        .await;
    assert!(!stored.contains(started["secret"].as_str().unwrap()));

    // A wrong code changes nothing.
    let wrong = if code(&secret, 0) == "000000" { "111111" } else { "000000" };
    app.post("/api/v1/me/mfa/totp/confirm", Some(&counselor), json!({"code": wrong})).await.problem(422);
    assert_eq!(me(&app, &counselor).await["mfa_enabled"], false);
    let confirmed = app
        .post("/api/v1/me/mfa/totp/confirm", Some(&counselor), json!({"code": code(&secret, -1)}))
        .await
        .expect(200)
        .json();
    let recovery = confirmed["recovery_codes"].as_array().unwrap();
    assert_eq!(recovery.len(), 10);
    assert_eq!(me(&app, &counselor).await["mfa_enabled"], true);
    // Starting again once it is on: 409.
    app.post("/api/v1/me/mfa/totp", Some(&counselor), json!({})).await.problem(409);

    // The password alone gives no tokens.
    let challenge = app.login(&counselor.email, PASSWORD).await.expect(200).json();
    assert_eq!(challenge["mfa_required"], true);
    assert_eq!(challenge["expires_in"], 300);
    assert!(challenge.get("access_token").is_none() && challenge.get("refresh_token").is_none(), "{challenge}");
    let token = challenge["mfa_token"].as_str().unwrap();
    // Neither or both factors: 422.
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token})).await.problem(422);
    let both = json!({"mfa_token": token, "code": code(&secret, 0), "recovery_code": recovery[0]});
    app.post("/api/v1/auth/mfa", None, both).await.problem(422);
    let pair = app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": code(&secret, 0)})).await;
    let pair = pair.expect(200).json();
    let access = pair["access_token"].as_str().unwrap();
    app.req(Method::GET, "/api/v1/me").bearer(access).send().await.expect(200);
    // The mfa_token was used.
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": code(&secret, 1)})).await.problem(401);
    // The wrong password still says nothing about MFA.
    app.login(&counselor.email, "not the password at all").await.problem(401);
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let (secret, _) = enrol(&app, &counselor).await;
    let now = code(&secret, 0);
    login_with_code(&app, &counselor.email, PASSWORD, &now).await.expect(200);
    // The same code again, within its window: 401. And the code used to confirm (an earlier step).
    login_with_code(&app, &counselor.email, PASSWORD, &now).await.problem(401);
    login_with_code(&app, &counselor.email, PASSWORD, &code(&secret, -1)).await.problem(401);
    // The next step's code still works (one step of drift).
    login_with_code(&app, &counselor.email, PASSWORD, &code(&secret, 1)).await.expect(200);
    // Two steps away is too far.
    forget_used_codes(&app, &counselor.id).await;
    let far = code(&secret, 3);
    if ![code(&secret, -1), code(&secret, 0), code(&secret, 1)].contains(&far) {
        login_with_code(&app, &counselor.email, PASSWORD, &far).await.problem(401);
    }
}

#[tokio::test]
async fn five_wrong_codes_lock_the_account() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let (secret, _) = enrol(&app, &counselor).await;
    let right = code(&secret, 0);
    let wrong: String = (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| ![code(&secret, -1), right.clone(), code(&secret, 1)].contains(c))
        .unwrap();
    let challenge = app.login(&counselor.email, PASSWORD).await.expect(200).json();
    let token = challenge["mfa_token"].as_str().unwrap();
    for _ in 0..5 {
        app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": wrong})).await.problem(401);
    }
    // Locked: the right code is refused too, and so is the password.
    let locked = app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": right})).await;
    assert!(locked.header("retry-after").is_some());
    locked.problem(429);
    app.login(&counselor.email, PASSWORD).await.problem(429);
    let events = app.audit_rows(&counselor.id).await;
    assert!(events.iter().filter(|(a, o, _)| a == "login" && o == "denied").count() >= 6, "{events:?}");
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let client = app.client(&p, None).await;
    // Clients may turn MFA on for themselves.
    let portal = app.portal_user(&p, &client).await;
    let (_, codes) = enrol(&app, &portal).await;
    let with_recovery = |token: String, code: &str| json!({"mfa_token": token, "recovery_code": code.to_uppercase()});
    let challenge = app.login(&portal.email, PASSWORD).await.expect(200).json();
    let token = challenge["mfa_token"].as_str().unwrap().to_string();
    let pair = app.post("/api/v1/auth/mfa", None, with_recovery(token, &codes[3])).await.expect(200).json();
    let access = pair["access_token"].as_str().unwrap();
    app.req(Method::GET, "/api/v1/portal/me").bearer(access).send().await.expect(200);
    let challenge = app.login(&portal.email, PASSWORD).await.expect(200).json();
    let token = challenge["mfa_token"].as_str().unwrap().to_string();
    app.post("/api/v1/auth/mfa", None, with_recovery(token.clone(), &codes[3])).await.problem(401);
    app.post("/api/v1/auth/mfa", None, with_recovery(token.clone(), "aaaaa-aaaaa")).await.problem(401);
    app.post("/api/v1/auth/mfa", None, with_recovery(token, &codes[4])).await.expect(200);
}

#[tokio::test]
async fn turning_mfa_off_needs_password_and_code_and_old_recovery_codes_die() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let (secret, old_codes) = enrol(&app, &counselor).await;
    let delete = |body: Value| {
        let app = &app;
        let counselor = &counselor;
        async move { app.req(Method::DELETE, "/api/v1/me/mfa").auth(Some(counselor)).json(&body).send().await }
    };
    delete(json!({"password": "wrong password here", "code": code(&secret, 0)})).await.problem(422);
    delete(json!({"password": PASSWORD, "code": "12345x"})).await.problem(422);
    app.req(Method::DELETE, "/api/v1/me/mfa")
        .json(&json!({"password": PASSWORD, "code": "1"}))
        .send()
        .await
        .problem(401);
    delete(json!({"password": PASSWORD, "code": code(&secret, 0)})).await.expect(204);
    assert_eq!(me(&app, &counselor).await["mfa_enabled"], false);
    app.login(&counselor.email, PASSWORD).await.expect(200).json()["access_token"].as_str().unwrap();
    delete(json!({"password": PASSWORD, "code": code(&secret, 1)})).await.problem(409);

    // On again: the earlier recovery codes are gone.
    let (_, new_codes) = enrol(&app, &counselor).await;
    assert!(new_codes.iter().all(|c| !old_codes.contains(c)));
    let challenge = app.login(&counselor.email, PASSWORD).await.expect(200).json();
    let token = challenge["mfa_token"].as_str().unwrap();
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "recovery_code": old_codes[0]})).await.problem(401);
}

#[tokio::test]
async fn two_instances_share_pending_sign_ins_used_codes_and_locks() {
    let app = TestApp::spawn().await;
    let second = app.second_instance(&[]).await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let (secret, _) = enrol(&app, &counselor).await;
    let on_second = |path: &str, body: Value| {
        let url = format!("{}{path}", second.addr);
        let http = app.http.clone();
        async move {
            let r = http.post(url).json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Password on one instance, code on the other.
    let challenge = app.login(&counselor.email, PASSWORD).await.expect(200).json();
    let token = challenge["mfa_token"].as_str().unwrap();
    let now = code(&secret, 0);
    let (status, pair) = on_second("/api/v1/auth/mfa", json!({"mfa_token": token, "code": now})).await;
    assert_eq!(status, 200, "{pair}");
    // The code, used on the second instance, is refused on the first.
    login_with_code(&app, &counselor.email, PASSWORD, &now).await.problem(401);
    // Wrong codes on one instance lock the account on the other (the replay above was one).
    let (_, challenge) = on_second("/api/v1/auth/login", json!({"email": counselor.email, "password": PASSWORD})).await;
    let token = challenge["mfa_token"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let (status, _) = on_second("/api/v1/auth/mfa", json!({"mfa_token": token, "code": "abcdef"})).await;
        assert_eq!(status, 401);
    }
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": "abcdef"})).await.problem(401);
    let (status, _) = on_second("/api/v1/auth/mfa", json!({"mfa_token": token, "code": code(&secret, 1)})).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn an_admins_mfa_reset_is_audited_and_ends_the_users_logins() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let other_counselor = app.counselor(&p).await;
    let (secret, _) = enrol(&app, &counselor).await;
    let signed = login_with_code(&app, &counselor.email, PASSWORD, &code(&secret, 0)).await.expect(200).json();
    let access = signed["access_token"].as_str().unwrap().to_string();
    let path = format!("/api/v1/users/{}/mfa/reset", counselor.id);

    app.post(&path, None, json!({})).await.problem(401);
    app.post(&path, Some(&other_counselor), json!({})).await.problem(403);
    let client = app.client(&p, None).await;
    let portal = app.portal_user(&p, &client).await;
    app.post(&path, Some(&portal), json!({})).await.problem(403);
    let other = app.practice().await;
    app.post(&path, Some(&other.admin), json!({})).await.problem(404);
    app.post(&format!("/api/v1/users/{}/mfa/reset", uuid::Uuid::new_v4()), Some(&p.admin), json!({}))
        .await
        .problem(404);
    // Still on after all those.
    app.req(Method::GET, "/api/v1/me").bearer(&access).send().await.expect(200);

    app.post(&path, Some(&p.admin), json!({})).await.expect(204);
    // Every login of the user ended, at once; the password alone signs in now.
    app.req(Method::GET, "/api/v1/me").bearer(&access).send().await.problem(401);
    app.get("/api/v1/me", Some(&counselor)).await.problem(401);
    let pair = app.login(&counselor.email, PASSWORD).await.expect(200).json();
    assert!(pair["access_token"].is_string());
    let events = app.audit_rows(&counselor.id).await;
    assert!(events.iter().any(|(a, o, by)| a == "revoke" && o == "success" && by == &p.admin.id), "{events:?}");
    assert!(events.iter().any(|(a, o, by)| a == "revoke" && o == "denied" && by == &other.admin.id), "{events:?}");
}

#[tokio::test]
async fn a_practice_that_requires_mfa_locks_out_unenrolled_staff_except_enrolment() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let before = signed_in(&app, &counselor, PASSWORD).await;
    let client = app.client(&p, Some(&counselor)).await;
    let portal = app.portal_user(&p, &client).await;

    let practice = app.patch("/api/v1/practice", Some(&p.admin), json!({"require_staff_mfa": true})).await;
    assert_eq!(practice.expect(200).json()["require_staff_mfa"], true);
    // The unenrolled counselor's earlier logins ended.
    app.get("/api/v1/clients", Some(&before)).await.problem(401);
    // Signed in again: only /me, /me/mfa* and /auth/* answer.
    let counselor = signed_in(&app, &counselor, PASSWORD).await;
    let refused = app.get("/api/v1/clients", Some(&counselor)).await.problem(403);
    assert!(refused["type"].as_str().unwrap().ends_with("/mfa-enrollment-required"), "{refused}");
    app.get(&format!("/api/v1/clients/{client}"), Some(&counselor)).await.problem(403);
    app.get("/api/v1/practice", Some(&counselor)).await.problem(403);
    app.get("/api/v1/me", Some(&counselor)).await.expect(200);
    // The admin, signing in again without MFA, is held to it too.
    let admin = signed_in(&app, &p.admin, PASSWORD).await;
    app.get("/api/v1/users", Some(&admin)).await.problem(403);
    // Clients are not.
    app.get("/api/v1/portal/me", Some(&portal)).await.expect(200);

    // Enrol, sign in with the code: everything answers again.
    let (secret, _) = enrol(&app, &counselor).await;
    let pair = login_with_code(&app, &counselor.email, PASSWORD, &code(&secret, 0)).await.expect(200).json();
    let access = pair["access_token"].as_str().unwrap();
    app.req(Method::GET, "/api/v1/clients").bearer(access).send().await.expect(200);
    // The denial was recorded.
    let denied = app
        .sql(|c| {
            use diesel::prelude::*;
            use mend::db::schema::audit_events as a;
            a::table
                .filter(a::outcome.eq("denied"))
                .filter(a::resource_type.eq("client"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert!(denied >= 2, "{denied}");
}

#[tokio::test]
async fn mfa_endpoints_need_a_signed_in_user() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/me/mfa/totp", None, json!({})).await.problem(401);
    app.post("/api/v1/me/mfa/totp/confirm", None, json!({"code": "123456"})).await.problem(401);
    app.req(Method::DELETE, "/api/v1/me/mfa").json(&json!({"password": "x", "code": "1"})).send().await.problem(401);
    // Confirming with nothing started is 409; an unknown mfa_token is 401.
    let p = app.practice().await;
    app.post("/api/v1/me/mfa/totp/confirm", Some(&p.admin), json!({"code": "123456"})).await.problem(409);
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": "nope", "code": "123456"})).await.problem(401);
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": "nope", "code": "123456", "extra": 1})).await.problem(400);
}

#[tokio::test]
async fn a_password_change_ends_sign_ins_waiting_for_their_code() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let (secret, _) = enrol(&app, &counselor).await;
    let challenge = app.login(&counselor.email, PASSWORD).await.expect(200).json();
    let token = challenge["mfa_token"].as_str().unwrap();
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new password here"});
    app.post("/api/v1/me/password", Some(&counselor), change).await.expect(204);
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": code(&secret, 0)})).await.problem(401);
}
