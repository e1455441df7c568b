//! The staff screen in the binary (`GET /app` and its assets under `/app/`): served to anyone
//! (it holds no data; it signs in through the API) with the right content types and the pages'
//! strict Content-Security-Policy with Trusted Types; it loads only its own modules and the
//! shared ones, writes API text only as text and keeps tokens in memory. The browser walk is
//! `tests/app_page/run.sh` (Chromium, Selenium, axe-core, screenshots at 768 and 1280 px).

mod common;

use common::pages::*;
use common::*;
use mend::api::pages::ASSETS;
use reqwest::Method;

/// The staff screen's files: its page, entry module, one module per screen, words and style.
const APP: &[(&str, &str)] = &[
    ("/app", "text/html; charset=utf-8"),
    ("/app/app.js", "text/javascript; charset=utf-8"),
    ("/app/sign-in.js", "text/javascript; charset=utf-8"),
    ("/app/today.js", "text/javascript; charset=utf-8"),
    ("/app/calendar.js", "text/javascript; charset=utf-8"),
    ("/app/caseload.js", "text/javascript; charset=utf-8"),
    ("/app/couple.js", "text/javascript; charset=utf-8"),
    ("/app/client.js", "text/javascript; charset=utf-8"),
    ("/app/record.js", "text/javascript; charset=utf-8"),
    ("/app/schedule.js", "text/javascript; charset=utf-8"),
    ("/app/words.js", "text/javascript; charset=utf-8"),
    ("/app/sections.js", "text/javascript; charset=utf-8"),
    ("/app/measures.js", "text/javascript; charset=utf-8"),
    ("/app/consent.js", "text/javascript; charset=utf-8"),
    ("/app/releases.js", "text/javascript; charset=utf-8"),
    ("/app/between.js", "text/javascript; charset=utf-8"),
    ("/app/letters.js", "text/javascript; charset=utf-8"),
    ("/app/plan.js", "text/javascript; charset=utf-8"),
    ("/app/activities.js", "text/javascript; charset=utf-8"),
    ("/app/account.js", "text/javascript; charset=utf-8"),
    ("/app/practice.js", "text/javascript; charset=utf-8"),
    ("/app/practice-assign.js", "text/javascript; charset=utf-8"),
    ("/app/practice-settings.js", "text/javascript; charset=utf-8"),
    ("/app/practice-audit.js", "text/javascript; charset=utf-8"),
    ("/app/practice-webhooks.js", "text/javascript; charset=utf-8"),
    ("/app/app.css", "text/css; charset=utf-8"),
];

#[tokio::test]
async fn the_staff_screen_and_its_assets_are_public_with_their_types_and_a_strict_policy() {
    let app = TestApp::spawn().await;
    let p = app.practice().await;
    let counselor = app.user_in(&p.id, mend::domain::Role::Counselor).await;
    for (path, content_type) in APP {
        assert!(
            ASSETS.iter().any(|(a, t, _)| a == path && t == content_type),
            "{path} is not served as {content_type}"
        );
        let r = app.get(path, None).await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some(*content_type), "{path}");
        assert!(!r.text.is_empty(), "{path}");
        assert_strict_headers(path, &r);
        // A token, good or bad, changes nothing: the page holds no data.
        for token in [p.admin.token.as_str(), counselor.token.as_str(), "not-a-token"] {
            let r = app.req(Method::GET, path).bearer(token).send().await.expect(200);
            assert_eq!(r.header("content-type").as_deref(), Some(*content_type), "{path}");
            assert_strict_headers(path, &r);
        }
    }
    // Every file under /app/ is one of these: a new module is listed here when it is added.
    let served: Vec<&str> =
        ASSETS.iter().map(|(p, _, _)| *p).filter(|p| *p == "/app" || p.starts_with("/app/")).collect();
    assert_eq!(served.len(), APP.len(), "{served:?}");
    // A staff invite link is the page with a query; the server ignores it (the page reads it).
    let r = app.get("/app?invite=abc123", None).await.expect(200);
    assert!(r.text.contains("<script type=\"module\" src=\"/app/app.js\"></script>"));
    assert_strict_headers("/app?invite", &r);
}

#[tokio::test]
async fn other_methods_are_405_and_unknown_files_404() {
    let app = TestApp::spawn().await;
    for (path, _) in APP {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let r = app.req(method.clone(), path).body("application/json", "{}").send().await;
            assert_eq!(r.header("allow").as_deref(), Some("GET"), "{method} {path}");
            r.problem(405);
        }
    }
    for path in ["/app/nothing.js", "/app/", "/app/app.js/x", "/app/index.html", "/app/app.css.map"] {
        let r = app.get(path, None).await;
        assert_strict_headers(path, &r);
        r.problem(404);
    }
    // A path that only begins like the page is not one of the pages.
    let r = app.get("/apps", None).await;
    assert_ne!(r.status, 200);
    assert!(r.header("content-security-policy").is_none_or(|c| !c.contains("require-trusted-types-for")), "/apps");
}

#[tokio::test]
async fn the_staff_screen_loads_only_its_own_files_and_writes_api_text_as_text() {
    let app = TestApp::spawn().await;
    let html = assert_own_files_only(&app, "/app").await;
    assert!(html.contains("src=\"/app/app.js\""));
    assert!(html.contains("href=\"/shared/base.css\"") && html.contains("href=\"/app/app.css\""));
    let seen = assert_modules_write_text_only(&app, "/app/app.js", "/app/").await;
    // It reuses what the pages share, and every module it ships is loaded.
    for module in ["/shared/h.js", "/shared/ui.js", "/shared/api.js", "/shared/time.js"] {
        assert!(seen.iter().any(|s| s == module), "the staff screen does not load {module}: {seen:?}");
    }
    for (path, _) in APP.iter().filter(|(p, _)| p.ends_with(".js")) {
        assert!(seen.iter().any(|s| s == path), "{path} is served but the staff screen does not load it");
    }
    // Every module of every page is loaded by one of them.
    let portal = assert_modules_write_text_only(&app, "/portal/app.js", "/portal/").await;
    for (path, _, _) in ASSETS.iter().filter(|(p, _, _)| p.ends_with(".js")) {
        assert!(seen.iter().chain(&portal).any(|s| s == path), "{path} is served but no page loads it");
    }
    // The invite token leaves the address bar at once; tokens stay in the shared client's memory.
    let js = app.get("/app/app.js", None).await.expect(200).text;
    assert!(js.contains("history.replaceState(null, \"\", location.pathname)"));
    assert!(js.contains("import { ApiError, createClient } from \"/shared/api.js\";"));
    // Times are shown in the practice's zone, read from the API at sign-in.
    assert!(
        js.contains("client.call(\"GET\", \"/practice\")") && js.contains("dates({ timeZone: practice.timezone })")
    );
}

#[tokio::test]
async fn the_front_door_links_staff_to_the_staff_screen() {
    let app = TestApp::spawn().await;
    let html = app.get("/", None).await.expect(200).text;
    assert!(html.contains("href=\"/app\">I work at the practice: open Mend for staff</a>"), "{html}");
    let r = app.get("/app", None).await.expect(200);
    assert!(r.text.contains("<title>Mend for staff</title>"));
    assert!(
        r.text.contains("href=\"#/today\"")
            && r.text.contains("href=\"#/calendar\"")
            && r.text.contains("href=\"#/caseload\"")
    );
}
