//! The client portal page: HTML, CSS, JavaScript and an icon, vendored in the binary
//! (`static/portal/`), no CDN and no build step. The page uses only the public JSON API.
//!
//! Every response here is public (the page holds no data; it signs in through the API) and
//! carries [`CSP`] (set by `middleware::request_context` for `/portal` paths): scripts, styles,
//! images and API calls from this origin only, no inline script or style, no eval, no framing.

use actix_web::HttpResponse;

/// The Content-Security-Policy of the portal's page and assets. `require-trusted-types-for`
/// makes the browser refuse any string written into an HTML sink (`innerHTML` and the like),
/// so text from the API can reach the page only as text.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'; require-trusted-types-for 'script'";

/// Whether `path` is the page or one of its assets (they get [`CSP`]).
pub fn is_portal_path(path: &str) -> bool {
    path == "/portal" || path.starts_with("/portal/")
}

const INDEX: &str = include_str!("../../static/portal/index.html");
const SCRIPT: &str = include_str!("../../static/portal/app.js");
const STYLE: &str = include_str!("../../static/portal/app.css");
const ICON: &str = include_str!("../../static/portal/icon.svg");

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok().content_type(content_type).body(body)
}

/// The client portal: sign in (or accept an invite, `/portal?invite=TOKEN`), then sessions and
/// shared summaries, agreements, the plan, activities, questionnaires, letters, consent and
/// releases. A single page that calls the JSON API under `/api/v1`.
#[utoipa::path(get, path = "/portal", tag = "portal page", security(()),
    responses((status = 200, description = "The portal page", content_type = "text/html", body = String)))]
pub async fn page() -> HttpResponse {
    asset("text/html; charset=utf-8", INDEX)
}

/// The portal page's script.
#[utoipa::path(get, path = "/portal/app.js", tag = "portal page", security(()),
    responses((status = 200, description = "The portal's JavaScript", content_type = "text/javascript", body = String)))]
pub async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// The portal page's style sheet.
#[utoipa::path(get, path = "/portal/app.css", tag = "portal page", security(()),
    responses((status = 200, description = "The portal's style sheet", content_type = "text/css", body = String)))]
pub async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE)
}

/// The portal's icon.
#[utoipa::path(get, path = "/portal/icon.svg", tag = "portal page", security(()),
    responses((status = 200, description = "The portal's icon", content_type = "image/svg+xml", body = String)))]
pub async fn icon() -> HttpResponse {
    asset("image/svg+xml", ICON)
}
