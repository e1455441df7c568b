//! The pages in the binary: `/` (which sends clients to the portal and staff to their own screen),
//! `/portal` (the client portal), `/app` (the practice's own screen for counselors and admins) and
//! their assets, vendored from `static/` (no CDN, no build step).
//! They are clients of the public JSON API like any integrator's front end; they are mounted by the
//! route table's `pages` section and are not operations of the OpenAPI document.
//!
//! One handler serves [`ASSETS`], a map from URL path to content type and bytes: a file
//! `static/<dir>/<name>` is at `/<dir>/<name>`; a page's HTML is `static/<dir>/index.html`, served
//! at `/<dir>` (`static/home/index.html` at `/`). `static/shared/` holds the ES modules every page
//! imports (`/shared/h.js`, `/shared/api.js`, ...). Any other name is a problem+json 404.
//!
//! Every response here is public (the pages hold no data; they sign in through the API) and
//! carries [`CSP`] (set by `middleware::request_context` for every [`is_page_path`]): scripts,
//! styles, images and API calls from this origin only, no inline script or style, no eval, no
//! framing, and Trusted Types. Images may also be `blob:` URLs: the only way to show an image the
//! API answers to a bearer token (a chart) is to fetch it with the token and show it from memory;
//! only this origin's scripts can make such a URL, and an SVG shown as an image runs no script.

use actix_web::{HttpRequest, HttpResponse};

use crate::problem::AppError;

/// The Content-Security-Policy of the pages and their assets. `require-trusted-types-for` makes
/// the browser refuse any string written into an HTML sink (`innerHTML` and the like), so text
/// from the API can reach a page only as text.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob:; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'; require-trusted-types-for 'script'";

/// The URL prefixes of the pages and their assets, besides `/` itself.
const SECTIONS: &[&str] = &["/portal", "/app", "/shared", "/home"];

/// Whether `path` is a page or one of their assets (they get [`CSP`]): `/`, a section
/// (`/portal`) or anything under one (`/portal/app.js`, `/shared/h.js`).
pub fn is_page_path(path: &str) -> bool {
    path == "/"
        || SECTIONS.iter().any(|s| path.strip_prefix(s).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every file served, by URL path: its content type and bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    // `/`: where to go, for clients and for staff.
    ("/", HTML, include_bytes!("../../static/home/index.html")),
    ("/home/home.css", CSS, include_bytes!("../../static/home/home.css")),
    // The client portal: the page, its entry module, one module per screen, its words, style and icon.
    ("/portal", HTML, include_bytes!("../../static/portal/index.html")),
    ("/portal/app.js", JS, include_bytes!("../../static/portal/app.js")),
    ("/portal/sign-in.js", JS, include_bytes!("../../static/portal/sign-in.js")),
    ("/portal/home.js", JS, include_bytes!("../../static/portal/home.js")),
    ("/portal/sessions.js", JS, include_bytes!("../../static/portal/sessions.js")),
    ("/portal/agreements.js", JS, include_bytes!("../../static/portal/agreements.js")),
    ("/portal/plan.js", JS, include_bytes!("../../static/portal/plan.js")),
    ("/portal/activities.js", JS, include_bytes!("../../static/portal/activities.js")),
    ("/portal/questionnaires.js", JS, include_bytes!("../../static/portal/questionnaires.js")),
    ("/portal/letters.js", JS, include_bytes!("../../static/portal/letters.js")),
    ("/portal/consent.js", JS, include_bytes!("../../static/portal/consent.js")),
    ("/portal/words.js", JS, include_bytes!("../../static/portal/words.js")),
    ("/portal/access.js", JS, include_bytes!("../../static/portal/access.js")),
    ("/portal/account.js", JS, include_bytes!("../../static/portal/account.js")),
    ("/portal/app.css", CSS, include_bytes!("../../static/portal/app.css")),
    ("/portal/icon.svg", SVG, include_bytes!("../../static/portal/icon.svg")),
    // The staff screen: the page, its entry module, one module per screen and the parts they
    // share (a chart's sessions, the scheduling form), its words and style.
    ("/app", HTML, include_bytes!("../../static/app/index.html")),
    ("/app/app.js", JS, include_bytes!("../../static/app/app.js")),
    ("/app/sign-in.js", JS, include_bytes!("../../static/app/sign-in.js")),
    ("/app/today.js", JS, include_bytes!("../../static/app/today.js")),
    ("/app/calendar.js", JS, include_bytes!("../../static/app/calendar.js")),
    ("/app/caseload.js", JS, include_bytes!("../../static/app/caseload.js")),
    ("/app/couple.js", JS, include_bytes!("../../static/app/couple.js")),
    ("/app/client.js", JS, include_bytes!("../../static/app/client.js")),
    ("/app/record.js", JS, include_bytes!("../../static/app/record.js")),
    ("/app/schedule.js", JS, include_bytes!("../../static/app/schedule.js")),
    ("/app/words.js", JS, include_bytes!("../../static/app/words.js")),
    ("/app/sections.js", JS, include_bytes!("../../static/app/sections.js")),
    ("/app/measures.js", JS, include_bytes!("../../static/app/measures.js")),
    ("/app/consent.js", JS, include_bytes!("../../static/app/consent.js")),
    ("/app/releases.js", JS, include_bytes!("../../static/app/releases.js")),
    ("/app/between.js", JS, include_bytes!("../../static/app/between.js")),
    ("/app/letters.js", JS, include_bytes!("../../static/app/letters.js")),
    ("/app/plan.js", JS, include_bytes!("../../static/app/plan.js")),
    ("/app/activities.js", JS, include_bytes!("../../static/app/activities.js")),
    ("/app/account.js", JS, include_bytes!("../../static/app/account.js")),
    ("/app/practice.js", JS, include_bytes!("../../static/app/practice.js")),
    ("/app/practice-assign.js", JS, include_bytes!("../../static/app/practice-assign.js")),
    ("/app/practice-settings.js", JS, include_bytes!("../../static/app/practice-settings.js")),
    ("/app/practice-audit.js", JS, include_bytes!("../../static/app/practice-audit.js")),
    ("/app/practice-webhooks.js", JS, include_bytes!("../../static/app/practice-webhooks.js")),
    ("/app/app.css", CSS, include_bytes!("../../static/app/app.css")),
    // What every page shares: the element builder, form blocks, the API client, dates and times.
    ("/shared/base.css", CSS, include_bytes!("../../static/shared/base.css")),
    ("/shared/h.js", JS, include_bytes!("../../static/shared/h.js")),
    ("/shared/ui.js", JS, include_bytes!("../../static/shared/ui.js")),
    ("/shared/api.js", JS, include_bytes!("../../static/shared/api.js")),
    ("/shared/time.js", JS, include_bytes!("../../static/shared/time.js")),
    ("/shared/sign-in-steps.js", JS, include_bytes!("../../static/shared/sign-in-steps.js")),
    ("/shared/qr.js", JS, include_bytes!("../../static/shared/qr.js")),
];

/// The content type and bytes served at `path`, if any.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS.iter().find(|(p, _, _)| *p == path).map(|(_, content_type, body)| (*content_type, *body))
}

/// Every page and asset: the one in [`ASSETS`] at the request's path, or a problem+json 404.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let (content_type, body) = asset(req.path()).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `static/` is served at its path, and every entry is such a file: a new
    /// module cannot be forgotten (the browser would get a 404 for its import).
    #[test]
    fn every_static_file_is_served_at_its_path() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        let mut files = Vec::new();
        for dir in std::fs::read_dir(&root).unwrap() {
            let dir = dir.unwrap();
            let name = dir.file_name().into_string().unwrap();
            for file in std::fs::read_dir(dir.path()).unwrap() {
                let file = file.unwrap();
                let body = std::fs::read(file.path()).unwrap();
                let file = file.file_name().into_string().unwrap();
                let url = match (name.as_str(), file.as_str()) {
                    ("home", "index.html") => "/".to_string(),
                    (_, "index.html") => format!("/{name}"),
                    _ => format!("/{name}/{file}"),
                };
                let (content_type, served) =
                    asset(&url).unwrap_or_else(|| panic!("static/{name}/{file} is not served"));
                assert_eq!(served, body.as_slice(), "{url}");
                let expected = match file.rsplit_once('.').map(|(_, ext)| ext) {
                    Some("html") => HTML,
                    Some("js") => JS,
                    Some("css") => CSS,
                    Some("svg") => SVG,
                    other => panic!("static/{name}/{file}: no content type for {other:?}"),
                };
                assert_eq!(content_type, expected, "{url}");
                files.push(url);
            }
        }
        files.sort();
        let mut served: Vec<String> = ASSETS.iter().map(|(p, _, _)| p.to_string()).collect();
        served.sort();
        assert_eq!(files, served, "ASSETS lists a file that is not under static/, or twice");
        for url in &served {
            assert!(is_page_path(url), "{url} would not get the pages' CSP");
        }
    }

    #[test]
    fn page_paths() {
        for yes in [
            "/",
            "/portal",
            "/portal/app.js",
            "/app",
            "/app/app.js",
            "/shared/h.js",
            "/home/home.css",
            "/portal/nothing",
        ] {
            assert!(is_page_path(yes), "{yes}");
        }
        for no in [
            "",
            "/api/v1/portal/me",
            "/portals",
            "/sharedx/h.js",
            "/healthz",
            "/docs/",
            "/openapi.json",
            "//",
            "/apps",
            "/api/v1/app",
        ] {
            assert!(!is_page_path(no), "{no}");
        }
    }
}
