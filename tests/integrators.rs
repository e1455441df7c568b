//! Bugs an integrator hits from outside (issue 12): If-Match syntax and comparison, the bearer
//! scheme's case, the first start on a fresh directory, and db's independence of auth.

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

/// A new user's first screen: the real binary on a fresh directory logs no ERROR before it
/// answers /healthz (it used to log `ERROR r2d2: database is locked`, a race, so a few starts).
#[tokio::test]
async fn first_start_on_a_fresh_directory_logs_no_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    for _ in 0..4 {
        let dir = std::env::temp_dir().join(format!("mend-first-start-{}", mend::db::new_id()));
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_mend"))
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}/data/mend.db", dir.display()))
            .env("MEND_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mend");
        let client = reqwest::Client::new();
        let mut up = false;
        for _ in 0..100 {
            let r = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await;
            if r.is_ok_and(|r| r.status() == 200) {
                up = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        let mut log = String::new();
        child.stdout.take().map(|mut o| o.read_to_string(&mut log));
        child.stderr.take().map(|mut e| e.read_to_string(&mut log));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(up, "never answered /healthz:\n{log}");
        assert!(log.contains("mend is serving"), "{log}");
        let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

/// The contract a newcomer needs is in the repository, and the spec and README point at it.
#[test]
fn the_contract_is_in_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = std::fs::read_to_string(root.join("openapi/README.md")).expect("openapi/README.md");
    assert!(contract.starts_with("# Mend HTTP API contract"));
    let spec = mend::openapi::document();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    for (name, text) in [("spec", spec.as_str()), ("README", readme.as_str())] {
        assert!(text.contains("openapi/README.md"), "{name} points at the contract");
        assert!(!text.contains("API.md`") && !text.contains("See API.md"), "{name} names a file not in the repo");
    }
}

/// Client generators name each time zone: the names must be distinct identifiers, one per zone.
#[test]
fn time_zone_constant_names_are_distinct_identifiers() {
    let (zones, names) = mend::openapi::time_zone_names();
    assert_eq!(zones.len(), names.len());
    assert!(zones.contains(&"America/New_York") && zones.contains(&"GMT+0") && zones.contains(&"GMT0"));
    let distinct: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "duplicate constant names");
    for name in &names {
        let first = name.chars().next().unwrap_or('0');
        assert!(first.is_ascii_uppercase(), "{name}");
        assert!(name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'), "{name}");
        assert!(!name.contains("__") && !name.ends_with('_'), "{name}");
    }
    // Every zone in the spec is one the server accepts, and the other way round.
    for zone in &zones {
        assert!(zone.parse::<chrono_tz::Tz>().is_ok(), "{zone}");
    }
}
