//! The client portal page (`GET /portal` and its assets): served from the binary to anyone, with
//! the right content types and a strict Content-Security-Policy; the page itself holds no script
//! or style inline and writes API text only as text. The browser test of the page is
//! `tests/portal_page/run.sh` (Chromium, Selenium, axe-core).

mod common;

use common::*;
use reqwest::Method;

const ASSETS: &[(&str, &str)] = &[
    ("/portal", "text/html; charset=utf-8"),
    ("/portal/app.js", "text/javascript; charset=utf-8"),
    ("/portal/app.css", "text/css; charset=utf-8"),
    ("/portal/icon.svg", "image/svg+xml"),
];

const DIRECTIVES: &[&str] = &[
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "require-trusted-types-for 'script'",
];

#[track_caller]
fn assert_strict_headers(path: &str, r: &Resp) {
    let csp = r.header("content-security-policy").unwrap_or_default();
    let got: Vec<&str> = csp.split(';').map(str::trim).collect();
    for d in DIRECTIVES {
        assert!(got.contains(d), "{path}: CSP lacks {d}: {csp}");
    }
    assert_eq!(got.len(), DIRECTIVES.len(), "{path}: CSP has other directives: {csp}");
    assert!(!csp.contains("unsafe") && !csp.contains('*') && !csp.contains("data:"), "{path}: {csp}");
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
    assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
    assert_eq!(r.header("x-frame-options").as_deref(), Some("DENY"), "{path}");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"), "{path}");
    assert!(r.header("set-cookie").is_none(), "{path}: no cookie");
}

#[tokio::test]
async fn page_and_assets_are_public_with_their_types_and_a_strict_policy() {
    let app = TestApp::spawn().await;
    for (path, content_type) in ASSETS {
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
    assert!(r.text.contains("<script src=\"/portal/app.js\" defer></script>"));
    assert_strict_headers("/portal?invite", &r);
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    for (path, _) in ASSETS {
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
    app.get("/portal/nothing.js", None).await.problem(404);
    let p = app.practice().await;
    let api = app.get("/api/v1/portal/me", Some(&p.admin)).await;
    assert_eq!(api.header("content-security-policy").as_deref(), Some("default-src 'none'; frame-ancestors 'none'"));
}

#[tokio::test]
async fn the_page_loads_only_its_own_files_and_writes_api_text_as_text() {
    let app = TestApp::spawn().await;
    let html = app.get("/portal", None).await.expect(200).text;
    // No inline script, inline style or event-handler attribute (the CSP would block them anyway).
    let lower = html.to_ascii_lowercase();
    for piece in lower.split("<script").skip(1) {
        let tag_end = piece.find('>').expect("script tag closes");
        assert!(piece[..tag_end].contains("src=\"/portal/"), "external script only: <script{}", &piece[..tag_end]);
        assert!(piece[tag_end + 1..].starts_with("</script>"), "no inline script");
    }
    assert!(!lower.contains("<style") && !lower.contains(" style="), "no inline style");
    for (i, _) in lower.match_indices(" on") {
        let name: String = lower[i + 3..].chars().take_while(char::is_ascii_alphabetic).collect();
        let after = lower[i + 3 + name.len()..].chars().next();
        assert!(name.is_empty() || after != Some('='), "inline event handler on{name}");
    }
    // Every reference is to this origin, and each one loads.
    for attr in ["src=\"", "href=\""] {
        for piece in html.split(attr).skip(1) {
            let target = piece.split('"').next().unwrap_or_default();
            assert!(target.starts_with('/') || target.starts_with('#'), "same-origin reference: {target}");
            if target.starts_with('/') {
                app.get(target, None).await.expect(200);
            }
        }
    }
    // The script writes text only through textContent and text nodes, and keeps no token where it
    // outlives the tab.
    let js = app.get("/portal/app.js", None).await.expect(200).text;
    for banned in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "localStorage",
        "sessionStorage",
        "document.cookie",
        "indexedDB",
    ] {
        let code: String = js.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        assert!(!code.contains(banned), "app.js uses {banned}");
    }
    // The invite token leaves the address bar at once.
    assert!(js.contains("history.replaceState(null, \"\", location.pathname)"));
    // It calls only the JSON API of this origin.
    assert!(js.contains("const API = \"/api/v1\";"));
    assert!(!js.contains("http://") && !js.contains("https://"), "no absolute URL in app.js");
}
