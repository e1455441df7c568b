//! The pages in the binary (`GET /`, `GET /portal` and their assets, among them the ES modules
//! under `/shared/` that every page imports): served from the binary to anyone, with the right
//! content types and a strict Content-Security-Policy; the pages hold no script or style inline
//! and write API text only as text. The browser test of the pages is `tests/portal_page/run.sh`
//! (Chromium, Selenium, axe-core).

mod common;

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

/// Links of `/` to pages not served yet: staff go to `/app`, which is still to come.
const NOT_YET: &[&str] = &["/app"];

/// No inline script, inline style or event-handler attribute in `html` (the CSP would block them
/// anyway); every reference is to this origin and loads.
async fn assert_own_files_only(app: &TestApp, page: &str) -> String {
    let html = app.get(page, None).await.expect(200).text;
    let lower = html.to_ascii_lowercase();
    for piece in lower.split("<script").skip(1) {
        let tag_end = piece.find('>').expect("script tag closes");
        assert!(piece[..tag_end].contains("src=\"/"), "{page}: external script only: <script{}", &piece[..tag_end]);
        assert!(piece[tag_end + 1..].starts_with("</script>"), "{page}: no inline script");
    }
    assert!(!lower.contains("<style") && !lower.contains(" style="), "{page}: no inline style");
    for (i, _) in lower.match_indices(" on") {
        let name: String = lower[i + 3..].chars().take_while(char::is_ascii_alphabetic).collect();
        let after = lower[i + 3 + name.len()..].chars().next();
        assert!(name.is_empty() || after != Some('='), "{page}: inline event handler on{name}");
    }
    for attr in ["src=\"", "href=\""] {
        for piece in html.split(attr).skip(1) {
            let target = piece.split('"').next().unwrap_or_default();
            assert!(target.starts_with('/') || target.starts_with('#'), "{page}: same-origin reference: {target}");
            if target.starts_with('/') && !NOT_YET.contains(&target) {
                app.get(target, None).await.expect(200);
            }
        }
    }
    html
}

/// The modules `js` (served at `url`) imports, as absolute paths.
fn imports(url: &str, js: &str) -> Vec<String> {
    let dir = &url[..url.rfind('/').unwrap_or(0) + 1];
    js.split(" from \"")
        .skip(1)
        .filter_map(|piece| piece.split('"').next())
        .map(|spec| match spec.strip_prefix("./") {
            Some(name) => format!("{dir}{name}"),
            None => spec.to_string(),
        })
        .collect()
}

#[tokio::test]
async fn the_page_loads_only_its_own_files_and_writes_api_text_as_text() {
    let app = TestApp::spawn().await;
    let html = assert_own_files_only(&app, "/portal").await;
    assert!(html.contains("src=\"/portal/app.js\""));
    // Every module the page loads (app.js and what it imports, transitively) writes text only
    // through textContent and text nodes, keeps no token where it outlives the tab, and loads
    // nothing but modules of this origin, by static imports.
    let mut seen: Vec<String> = Vec::new();
    let mut queue = vec!["/portal/app.js".to_string()];
    while let Some(url) = queue.pop() {
        if seen.contains(&url) {
            continue;
        }
        let r = app.get(&url, None).await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some("text/javascript; charset=utf-8"), "{url}");
        let code: String = r.text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
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
            "import(",
            "http://",
            "https://",
        ] {
            assert!(!code.contains(banned), "{url} uses {banned}");
        }
        // Only the API client talks to the network.
        assert!(url == "/shared/api.js" || !code.contains("fetch("), "{url} calls fetch itself");
        for import in imports(&url, &r.text) {
            assert!(import.starts_with("/portal/") || import.starts_with("/shared/"), "{url} imports {import}");
            queue.push(import);
        }
        seen.push(url);
    }
    // The portal is split by screen and imports what the pages share, and every module it ships is loaded.
    for module in ["/shared/h.js", "/shared/ui.js", "/shared/api.js", "/shared/time.js", "/portal/letters.js"] {
        assert!(seen.iter().any(|s| s == module), "the portal does not load {module}: {seen:?}");
    }
    for (path, _, _) in ASSETS.iter().filter(|(p, _, _)| p.ends_with(".js")) {
        assert!(seen.iter().any(|s| s == path), "{path} is served but no page loads it");
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
