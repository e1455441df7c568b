//! Accounts a practice can trust: invites and password resets mailed as links (to a folder,
//! `MEND_MAIL_URL=file://…`), the mail outbox's retries, and `POST /users/{id}/invite`.

mod common;

use std::time::{Duration, Instant};

use common::accounts::*;
use common::*;
use diesel::prelude::*;
use mend::db::schema::{mail_outbox as mo, password_resets as pr};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_mailed_staff_invite_carries_the_link_and_the_answer_no_token() {
    let app = MailApp::spawn().await;
    let p = app.practice().await;
    let email = format!("new-{}@example.org", uuid::Uuid::new_v4().simple());
    let body = json!({"email": email, "display_name": "New Counselor", "role": "counselor"});
    let created = app.post("/api/v1/users", Some(&p.admin), body).await.expect(201).json();
    assert_eq!(created["delivery"], "email");
    assert!(created.get("invite_token").is_none(), "{created}");
    assert!(created["invite_expires_at"].is_string());

    let mail = app.mail_to(&email, 1).await.remove(0);
    assert!(mail.contains("Subject: Your invitation to Mend"));
    assert!(mail.contains("text/plain") && mail.contains("text/html"), "plain text and HTML");
    assert!(!mail.contains("New Counselor"), "no name in the mail");
    let (path, param, token) = link_of(&mail);
    assert_eq!((path.as_str(), param.as_str()), ("/app", "invite"));
    let pair = app
        .post("/api/v1/auth/accept-invite", None, json!({"token": token, "password": "a brand new password"}))
        .await
        .expect(200)
        .json();
    assert!(pair["access_token"].is_string());
    // Once sent, the outbox keeps no copy of the link.
    let bodies: Vec<(String, String)> =
        app.sql(|c| mo::table.select((mo::body_text, mo::status)).load(c).unwrap()).await;
    assert!(bodies.iter().all(|(b, s)| b.is_empty() && s == "sent"), "{bodies:?}");
}

#[tokio::test]
async fn a_mailed_portal_invite_links_to_the_portal() {
    let app = MailApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let client = app.client(&p, Some(&counselor)).await;
    let r = app.post(&format!("/api/v1/clients/{client}/portal-invite"), Some(&counselor), json!({})).await;
    let invite = r.expect(201).json();
    assert_eq!(invite["delivery"], "email");
    assert!(invite.get("invite_token").is_none() && invite["expires_at"].is_string(), "{invite}");
    let mail = app.mail_to(&format!("{client}@client.example.org"), 1).await.remove(0);
    assert!(!mail.contains("Alex"), "no client name in the mail");
    let (path, param, token) = link_of(&mail);
    assert_eq!((path.as_str(), param.as_str()), ("/portal", "invite"));
    app.post("/api/v1/auth/accept-invite", None, json!({"token": token, "password": "the client's password"}))
        .await
        .expect(200);
}

#[tokio::test]
async fn the_mailed_reset_link_sets_the_password_and_ends_earlier_logins() {
    let app = MailApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let earlier = signed_in(&app, &counselor, PASSWORD).await;
    app.post("/api/v1/auth/forgot-password", None, json!({"email": counselor.email})).await.expect(202);
    let (path, param, token) = link_of(&app.mail_to(&counselor.email, 1).await[0]);
    assert_eq!((path.as_str(), param.as_str()), ("/app", "reset"));

    // A short password is refused and the link still works.
    app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": "short"})).await.problem(422);
    let new_password = "a new password, long enough";
    app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": new_password})).await.expect(204);
    // Every earlier login ended, at once.
    app.get("/api/v1/me", Some(&earlier)).await.problem(401);
    app.get("/api/v1/me", Some(&counselor)).await.problem(401);
    app.login(&counselor.email, PASSWORD).await.problem(401);
    app.login(&counselor.email, new_password).await.expect(200);
    // The link works once.
    app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": "yet another password"}))
        .await
        .problem(401);
    let events = app.audit_rows(&counselor.id).await;
    assert!(events.iter().any(|(a, o, by)| a == "update" && o == "success" && by == &counselor.id), "{events:?}");
}

#[tokio::test]
async fn a_reset_link_expires_after_30_minutes() {
    let app = MailApp::spawn().await;
    let p = app.practice().await;
    let client = app.client(&p, None).await;
    let portal = app.portal_user(&p, &client).await;
    app.post("/api/v1/auth/forgot-password", None, json!({"email": portal.email})).await.expect(202);
    let (path, _, token) = link_of(&app.mail_to(&portal.email, 1).await[0]);
    assert_eq!(path, "/portal", "a client's link opens the portal");
    let expires: chrono::NaiveDateTime = app.sql(|c| pr::table.select(pr::expires_at).first(c).unwrap()).await;
    let created: chrono::NaiveDateTime = app.sql(|c| pr::table.select(pr::created_at).first(c).unwrap()).await;
    assert_eq!((expires - created).num_minutes(), 30);
    app.sql(|c| {
        diesel::update(pr::table).set(pr::expires_at.eq(mend::db::now() - chrono::Duration::seconds(1))).execute(c)
    })
    .await
    .unwrap();
    app.post("/api/v1/auth/reset-password", None, json!({"token": token, "password": "a new password, long enough"}))
        .await
        .problem(401);
    app.login(&portal.email, PASSWORD).await.expect(200);
    // A second request voids the first link.
    app.post("/api/v1/auth/forgot-password", None, json!({"email": portal.email})).await.expect(202);
    app.post("/api/v1/auth/forgot-password", None, json!({"email": portal.email})).await.expect(202);
    let mails = app.mail_to(&portal.email, 3).await;
    let tokens: Vec<String> = mails.iter().map(|m| link_of(m).2).filter(|t| *t != token).collect();
    assert_eq!(tokens.len(), 2);
    let mut ok = 0;
    for t in &tokens {
        let r = app
            .post("/api/v1/auth/reset-password", None, json!({"token": t, "password": "a new password, long enough"}))
            .await;
        assert!(r.status == 204 || r.status == 401, "{}", r.text);
        ok += usize::from(r.status == 204);
    }
    assert_eq!(ok, 1, "only the latest link works");
}

#[tokio::test]
async fn unknown_and_known_emails_get_the_same_202() {
    let app = MailApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let mut known = Duration::ZERO;
    let mut unknown = Duration::ZERO;
    for i in 0..3 {
        let t = Instant::now();
        let a = app.post("/api/v1/auth/forgot-password", None, json!({"email": counselor.email})).await.expect(202);
        known += t.elapsed();
        let t = Instant::now();
        let b = app
            .post("/api/v1/auth/forgot-password", None, json!({"email": format!("nobody{i}@example.org")}))
            .await
            .expect(202);
        unknown += t.elapsed();
        assert_eq!(a.text, b.text);
        assert_eq!(a.header("content-type"), b.header("content-type"));
        assert_eq!(a.header("content-length"), b.header("content-length"));
    }
    // No mail is the work of the request: the two cost about the same (a loose bound, for CI).
    assert!(known < unknown * 5 + Duration::from_millis(300), "known {known:?} vs unknown {unknown:?}");
    assert_eq!(app.mail_to(&counselor.email, 3).await.len(), 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.messages().len(), 3, "no mail for unknown emails");
    // A malformed email is no account either.
    app.post("/api/v1/auth/forgot-password", None, json!({"email": "not an email"})).await.expect(202);
    app.post("/api/v1/auth/forgot-password", None, json!({"mail": "x@example.org"})).await.problem(400);
}

#[tokio::test]
async fn forgot_password_is_rate_limited_alike_for_known_and_unknown_emails() {
    let app = MailApp::spawn().await;
    let p = app.practice().await;
    for email in [p.admin.email.clone(), "nobody@example.org".to_string()] {
        for _ in 0..5 {
            app.post("/api/v1/auth/forgot-password", None, json!({"email": email})).await.expect(202);
        }
        let r = app.post("/api/v1/auth/forgot-password", None, json!({"email": email})).await;
        assert!(r.header("retry-after").is_some());
        r.problem(429);
    }
    // Per address too, with the sign-in limit.
    let limited = TestApp::spawn_with(&[("MEND_LOGIN_LIMIT_PER_IP", "3")]).await;
    for i in 0..3 {
        limited
            .post("/api/v1/auth/forgot-password", None, json!({"email": format!("a{i}@example.org")}))
            .await
            .expect(202);
    }
    limited.post("/api/v1/auth/forgot-password", None, json!({"email": "b@example.org"})).await.problem(429);
}

#[tokio::test]
async fn without_mail_invites_answer_the_token_and_resets_mail_nothing() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let body = json!({"email": "staff@example.org", "display_name": "Staff", "role": "counselor"});
    let created = app.post("/api/v1/users", Some(&p.admin), body).await.expect(201).json();
    assert_eq!(created["delivery"], "token");
    assert!(created["invite_token"].is_string());
    app.post("/api/v1/auth/forgot-password", None, json!({"email": p.admin.email})).await.expect(202);
    let (resets, mails): (i64, i64) =
        app.sql(|c| (pr::table.count().get_result(c).unwrap(), mo::table.count().get_result(c).unwrap())).await;
    assert_eq!((resets, mails), (0, 0));
}

#[tokio::test]
async fn staff_invite_again_only_before_a_password_is_set() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.counselor(&p).await;
    let body = json!({"email": "later@example.org", "display_name": "Later", "role": "counselor"});
    let created = app.post("/api/v1/users", Some(&p.admin), body).await.expect(201).json();
    let id = created["user"]["id"].as_str().unwrap().to_string();
    let first = created["invite_token"].as_str().unwrap().to_string();
    let path = format!("/api/v1/users/{id}/invite");

    // Audiences: admin only; another practice's admin sees no such user.
    app.post(&path, None, json!({})).await.problem(401);
    app.post(&path, Some(&counselor), json!({})).await.problem(403);
    let client = app.client(&p, Some(&counselor)).await;
    let portal = app.portal_user(&p, &client).await;
    app.post(&path, Some(&portal), json!({})).await.problem(403);
    let other = app.practice().await;
    app.post(&path, Some(&other.admin), json!({})).await.problem(404);

    let again = app.post(&path, Some(&p.admin), json!({})).await.expect(201).json();
    assert_eq!(again["delivery"], "token");
    let second = again["invite_token"].as_str().unwrap().to_string();
    // The new invite voids the first.
    let set = |token: String| json!({"token": token, "password": "a password of my own"});
    app.post("/api/v1/auth/accept-invite", None, set(first)).await.problem(401);
    app.post("/api/v1/auth/accept-invite", None, set(second)).await.expect(200);
    // Now the account is in use: no one receives a token that sets its password.
    let conflict = app.post(&path, Some(&p.admin), json!({})).await.problem(409);
    assert!(conflict["type"].as_str().unwrap().ends_with("/password-set"), "{conflict}");
    // A counselor who already signs in, and a client's portal account: 409 too.
    app.post(&format!("/api/v1/users/{}/invite", counselor.id), Some(&p.admin), json!({})).await.problem(409);
    app.post(&format!("/api/v1/users/{}/invite", portal.id), Some(&p.admin), json!({})).await.problem(409);
    let events = app.audit_rows(&id).await;
    assert!(events.iter().any(|(a, o, _)| a == "invite" && o == "success"), "{events:?}");
    assert!(events.iter().any(|(a, o, _)| a == "invite" && o == "denied"), "{events:?}");
}

#[tokio::test]
async fn a_failed_send_is_retried_and_logged_without_the_address() {
    // An SMTP server that is not there (a closed port on loopback: no TLS needed).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{port}");
    let vars =
        [("MEND_MAIL_URL", url.as_str()), ("MEND_MAIL_FROM", "no-reply@mend.test"), ("MEND_PUBLIC_URL", PUBLIC_URL)];
    let app = TestApp::spawn_with(&vars).await;
    let cfg = config(&app.config_url, &vars);
    let _mailer = mend::mail::Mailer::start(app.db.clone(), cfg.mail.unwrap(), Some(100)).unwrap();
    let p = app.practice().await;
    let body = json!({"email": "retry-me@example.org", "display_name": "R", "role": "counselor"});
    let created = app.post("/api/v1/users", Some(&p.admin), body).await.expect(201).json();
    assert_eq!(created["delivery"], "email");
    let mut row = (0, String::new(), None::<String>);
    for _ in 0..100 {
        row = app
            .sql(|c| {
                mo::table
                    .select((mo::attempts, mo::status, mo::last_error))
                    .first::<(i32, String, Option<String>)>(c)
                    .unwrap()
            })
            .await;
        if row.0 >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(row.0 >= 2, "retried: {row:?}");
    assert_eq!(row.1, "pending");
    let error = row.2.unwrap();
    assert!(!error.contains("retry-me"), "{error}");
}

#[tokio::test]
async fn the_practice_says_whether_staff_need_mfa() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let practice = app.get("/api/v1/practice", Some(&p.admin)).await.expect(200).json();
    assert_eq!(practice["require_staff_mfa"], false);
    let counselor = app.counselor(&p).await;
    app.patch("/api/v1/practice", Some(&counselor), json!({"require_staff_mfa": true})).await.problem(403);
    app.patch("/api/v1/practice", Some(&p.admin), json!({"require_staff_mfa": "yes"})).await.problem(400);
    let r = app.req(Method::GET, "/api/v1/practice").auth(Some(&p.admin)).send().await.expect(200).json();
    assert_eq!(r["require_staff_mfa"], false);
}
