//! What the pages in the binary (`/`, `/portal`, `/app`) are held to, shared by their tests:
//! the strict headers every page and asset carries, HTML that loads only this origin's files, and
//! ES modules that write API text only as text and keep no token beyond the tab.

use super::{Resp, TestApp};

const DIRECTIVES: &[&str] = &[
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "require-trusted-types-for 'script'",
];

/// The pages' Content-Security-Policy (exactly), and the headers that go with it.
#[track_caller]
pub fn assert_strict_headers(path: &str, r: &Resp) {
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

/// No inline script, inline style or event-handler attribute in the HTML at `page` (the CSP
/// would block them anyway); every reference is to this origin and loads. Returns the HTML.
pub async fn assert_own_files_only(app: &TestApp, page: &str) -> String {
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
            if target.starts_with('/') {
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

/// Every module a page loads from `entry` (transitively), each checked: it writes text only
/// through textContent and text nodes, keeps no token where it outlives the tab, loads nothing
/// but modules of its own section (`own`, e.g. "/app/") and `/shared/` by static imports, and
/// only the API client calls fetch. Returns the modules' URLs.
pub async fn assert_modules_write_text_only(app: &TestApp, entry: &str, own: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut queue = vec![entry.to_string()];
    while let Some(url) = queue.pop() {
        if seen.contains(&url) {
            continue;
        }
        let r = app.get(&url, None).await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some("text/javascript; charset=utf-8"), "{url}");
        let code: String = r.text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        // The SVG namespace is a name for createElementNS, not an address anything is fetched from.
        let code = code.replace("\"http://www.w3.org/2000/svg\"", "SVG_NAMESPACE");
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
        assert!(url == "/shared/api.js" || !code.contains("fetch("), "{url} calls fetch itself");
        for import in imports(&url, &r.text) {
            assert!(import.starts_with(own) || import.starts_with("/shared/"), "{url} imports {import}");
            queue.push(import);
        }
        seen.push(url);
    }
    seen
}
