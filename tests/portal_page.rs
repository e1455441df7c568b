//! The pages in the binary (`GET /`, `GET /portal` and their assets, among them the ES modules
//! under `/shared/` that every page imports): served from the binary to anyone, with the right
//! content types and a strict Content-Security-Policy; the pages hold no script or style inline
//! and write API text only as text (`common::pages`). The browser test of the portal is
//! `tests/portal_page/run.sh` (Chromium, Selenium, axe-core). `/app` has tests/app_page.rs.

mod common;

use common::pages::*;
use common::*;
use mend::api::pages::ASSETS;
use reqwest::Method;

/// What must be served, whatever else is (each of `ASSETS` is checked too).
const EXPECTED: &[(&str, &str)] = &[
    ("/", "text/html; charset=utf-8"),
    ("/home/home.css", "text/css; charset=utf-8"),
    ("/portal", "text/html; charset=utf-8"),
    ("/portal/app.js", "text/javascript; charset=utf-8"),
    ("/portal/app.css", "text/css; charset=utf-8"),
    ("/portal/icon.svg", "image/svg+xml"),
    ("/shared/h.js", "text/javascript; charset=utf-8"),
    ("/shared/ui.js", "text/javascript; charset=utf-8"),
    ("/shared/api.js", "text/javascript; charset=utf-8"),
    ("/shared/time.js", "text/javascript; charset=utf-8"),
];

#[tokio::test]
async fn page_and_assets_are_public_with_their_types_and_a_strict_policy() {
    let app = TestApp::spawn().await;
    for (path, content_type) in EXPECTED {
        assert!(
            ASSETS.iter().any(|(p, t, _)| p == path && t == content_type),
            "{path} is not served as {content_type}"
        );
    }
    for (path, content_type, _) in ASSETS {
        let r = app.get(path, None).await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some(*content_type), "{path}");
        assert!(!r.text.is_empty(), "{path}");
        assert_strict_headers(path, &r);
        // A token, good or bad, changes nothing: the page holds no data.
        let r = app.req(Method::GET, path).bearer("not-a-token").send().await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some(*content_type), "{path}");
    }
    // The invite link is the page with a query; the server ignores it (the page reads it).
    let r = app.get("/portal?invite=abc123", None).await.expect(200);
    assert!(r.text.contains("<script type=\"module\" src=\"/portal/app.js\"></script>"));
    assert_strict_headers("/portal?invite", &r);
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    for (path, _, _) in ASSETS {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let r = app.req(method.clone(), path).body("application/json", "{}").send().await;
            assert_eq!(r.header("allow").as_deref(), Some("GET"), "{method} {path}");
            r.problem(405);
        }
    }
}

#[tokio::test]
async fn an_unknown_asset_is_404_and_the_api_keeps_its_own_policy() {
    let app = TestApp::spawn().await;
    for path in ["/portal/nothing.js", "/shared/nothing.js", "/home/nothing.css", "/shared/", "/portal/app.js/x"] {
        let r = app.get(path, None).await;
        assert_strict_headers(path, &r);
        r.problem(404);
    }
    let p = app.practice().await;
    let api = app.get("/api/v1/portal/me", Some(&p.admin)).await;
    assert_eq!(api.header("content-security-policy").as_deref(), Some("default-src 'none'; frame-ancestors 'none'"));
}

#[tokio::test]
async fn the_page_loads_only_its_own_files_and_writes_api_text_as_text() {
    let app = TestApp::spawn().await;
    let html = assert_own_files_only(&app, "/portal").await;
    assert!(html.contains("src=\"/portal/app.js\""));
    // Every module the page loads (app.js and what it imports, transitively) writes text only
    // through textContent and text nodes, keeps no token where it outlives the tab, and loads
    // nothing but modules of this origin, by static imports.
    let seen = assert_modules_write_text_only(&app, "/portal/app.js", "/portal/").await;
    // The portal is split by screen and imports what the pages share, and every module it ships is loaded.
    for module in ["/shared/h.js", "/shared/ui.js", "/shared/api.js", "/shared/time.js", "/portal/letters.js"] {
        assert!(seen.iter().any(|s| s == module), "the portal does not load {module}: {seen:?}");
    }
    for (path, _, _) in ASSETS.iter().filter(|(p, _, _)| p.starts_with("/portal/") && p.ends_with(".js")) {
        assert!(seen.iter().any(|s| s == path), "{path} is served but the portal does not load it");
    }
    // The invite token leaves the address bar at once.
    let js = app.get("/portal/app.js", None).await.expect(200).text;
    assert!(js.contains("history.replaceState(null, \"\", location.pathname)"));
    // The client calls only the JSON API of this origin.
    let client = app.get("/shared/api.js", None).await.expect(200).text;
    assert!(client.contains("export const API = \"/api/v1\";"));
    assert!(client.contains("fetch(API + path, init)"));
}

#[tokio::test]
async fn the_front_door_sends_clients_to_the_portal_and_staff_to_their_screen() {
    let app = TestApp::spawn().await;
    let html = assert_own_files_only(&app, "/").await;
    assert!(!html.to_ascii_lowercase().contains("<script"), "the front door needs no script");
    assert!(html.contains("href=\"/portal\">I'm a client or partner: open my portal</a>"), "{html}");
    assert!(html.contains("href=\"/app\">I work at the practice: open Mend for staff</a>"), "{html}");
    assert!(html.contains("href=\"/docs/\""), "the API docs are named");
    let r = app.get("/?from=somewhere", None).await.expect(200);
    assert_strict_headers("/?from", &r);
}
