//! Test helpers for mail, resets and two-factor sign-in: an app whose mail goes to a folder
//! (`MEND_MAIL_URL=file://…`) with its mail worker, reading links out of the `.eml` files, and
//! TOTP codes computed the way an authenticator app does.

use std::path::PathBuf;
use std::time::Duration;

use mend::auth::totp;
use mend::mail::Mailer;
use serde_json::{json, Value};

use super::{config, Resp, TestApp, User};

pub const PUBLIC_URL: &str = "https://mend.test";

/// An app with mail to a folder, and the mail worker on its database.
pub struct MailApp {
    pub app: TestApp,
    pub dir: PathBuf,
    _mailer: Mailer,
}

impl std::ops::Deref for MailApp {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Drop for MailApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn mail_vars(dir: &std::path::Path) -> Vec<(String, String)> {
    vec![
        ("MEND_MAIL_URL".into(), format!("file://{}", dir.display())),
        ("MEND_MAIL_FROM".into(), "Mend <no-reply@mend.test>".into()),
        ("MEND_PUBLIC_URL".into(), PUBLIC_URL.into()),
    ]
}

impl MailApp {
    pub async fn spawn() -> MailApp {
        let dir = std::env::temp_dir().join(format!("mend-mail-{}", uuid::Uuid::new_v4()));
        let vars = mail_vars(&dir);
        let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let app = TestApp::spawn_with(&extra).await;
        let cfg = config(&app.config_url, &extra);
        let mailer = Mailer::start(app.db.clone(), cfg.mail.expect("mail configured"), Some(200)).expect("mailer");
        MailApp { app, dir, _mailer: mailer }
    }

    /// The messages written so far (whole `.eml` files), in no particular order.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// The messages to `to` (waits up to 10 s for at least `n`).
    pub async fn mail_to(&self, to: &str, n: usize) -> Vec<String> {
        for _ in 0..100 {
            let found: Vec<String> = self.messages().into_iter().filter(|m| m.contains(&format!("To: {to}"))).collect();
            if found.len() >= n {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail to {to} within 10 s");
    }
}

/// The message's text with quoted-printable soft breaks and `=3D` undone.
fn unfold(message: &str) -> String {
    message.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The one link of a message: `(path, param, token)`, such as `("/portal", "invite", "…")`.
pub fn link_of(message: &str) -> (String, String, String) {
    let text = unfold(message);
    let start = text.find(PUBLIC_URL).expect("a link to the public URL");
    let rest = &text[start + PUBLIC_URL.len()..];
    let end = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len());
    let url = &rest[..end];
    let (path, query) = url.split_once('?').expect("a query");
    let (param, token) = query.split_once('=').expect("param=token");
    (path.to_string(), param.to_string(), token.to_string())
}

/// RFC 4648 base32 (no padding) to bytes.
pub fn base32_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base32") as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            out.push((bits >> (n - 8)) as u8);
            n -= 8;
        }
    }
    out
}

/// The code of the step `offset` steps from now.
pub fn code(secret: &[u8], offset: i64) -> String {
    totp::code_at(secret, totp::step_of(chrono::Utc::now().timestamp()) + offset)
}

/// Turns MFA on for `user`: the secret and the recovery codes. Uses the code of the previous
/// step, so the current and next steps stay free for sign-ins.
pub async fn enrol(app: &TestApp, user: &User) -> (Vec<u8>, Vec<String>) {
    let started = app.post("/api/v1/me/mfa/totp", Some(user), json!({})).await.expect(201).json();
    let secret = base32_decode(started["secret"].as_str().unwrap());
    let codes = app.post("/api/v1/me/mfa/totp/confirm", Some(user), json!({"code": code(&secret, -1)})).await;
    let codes = codes.expect(200).json();
    let codes = codes["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    (secret, codes)
}

/// Lets codes of earlier steps be used again (as if time had passed), for tests that sign in
/// more often than a 30-second window allows.
pub async fn forget_used_codes(app: &TestApp, user_id: &str) {
    use diesel::prelude::*;
    use mend::db::schema::user_mfa as m;
    let id = user_id.to_string();
    app.sql(move |c| diesel::update(m::table.filter(m::user_id.eq(id))).set(m::last_step.eq(0i64)).execute(c).unwrap())
        .await;
}

/// Signs in with password and code; the token pair.
pub async fn login_with_code(app: &TestApp, email: &str, password: &str, code: &str) -> Resp {
    let challenge = app.login(email, password).await.expect(200).json();
    assert_eq!(challenge["mfa_required"], true, "{challenge}");
    let token = challenge["mfa_token"].as_str().unwrap();
    app.post("/api/v1/auth/mfa", None, json!({"mfa_token": token, "code": code})).await
}

/// A user with the access token of a real sign-in (what `POST /auth/login` issued).
pub async fn signed_in(app: &TestApp, user: &User, password: &str) -> User {
    let pair: Value = app.login(&user.email, password).await.expect(200).json();
    User { token: pair["access_token"].as_str().unwrap().to_string(), ..user.clone() }
}
