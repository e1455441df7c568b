//! Middleware that every response passes through: request id and span, security headers,
//! and problem+json for every error the framework produces on its own.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use tracing::Instrument;

use crate::problem::{problem_response, AppError, FieldError, INTERNAL_DETAIL, INTERNAL_TYPE, PROBLEM_JSON};
use crate::request_id::{self, RequestId};

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = request_id::choose(req.headers().get(request_id::HEADER).and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(RequestId(id.clone()));
    // The route pattern, not the path: a path or query may carry a search term.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route);
    let started = Instant::now();
    let is_docs = req.path().starts_with("/docs");
    let is_page = crate::api::pages::is_page_path(req.path());

    let res = request_id::scope(id.clone(), next.call(req).instrument(span.clone())).await?;
    let mut res = res.map_into_boxed_body();

    let status = res.status();
    if status.is_client_error() || status.is_server_error() {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            // FHIR's OperationOutcome is the error shape under /fhir/R4 (`fhir::outcome`).
            .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with(crate::fhir::FHIR_JSON));
        if !is_problem {
            let allow = res.headers().get(header::ALLOW).cloned();
            let retry = res.headers().get(header::RETRY_AFTER).cloned();
            let detail = match status.as_u16() {
                404 => "No such resource.".to_string(),
                405 => "This method is not allowed here.".to_string(),
                413 => "The body is over 1 MiB.".to_string(),
                415 => "Send the body as application/json.".to_string(),
                500 => INTERNAL_DETAIL.to_string(),
                _ => status.canonical_reason().unwrap_or("Error").to_string(),
            };
            // A 500 has the one shape of `AppError::Internal`, whoever produced it.
            let type_ = match status.as_u16() {
                500 => INTERNAL_TYPE.to_string(),
                _ => status.canonical_reason().unwrap_or("error").to_ascii_lowercase().replace(' ', "-"),
            };
            let mut new = request_id::scope(id.clone(), async { problem_response(status, &type_, detail, None) }).await;
            if let Some(a) = allow {
                new.headers_mut().insert(header::ALLOW, a);
            }
            if let Some(r) = retry {
                new.headers_mut().insert(header::RETRY_AFTER, r);
            }
            res = res.into_response(new);
        }
    }

    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(HeaderName::from_static(request_id::HEADER), v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let csp = if is_docs {
        // Swagger UI's scripts are files of its own (no inline script runs); its React
        // components set style attributes, so inline styles stay allowed.
        DOCS_CSP
    } else if is_page {
        crate::api::pages::CSP
    } else {
        "default-src 'none'; frame-ancestors 'none'"
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));

    let _enter = span.enter();
    tracing::info!(
        status = res.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request done"
    );
    Ok(res)
}

/// Default service: an unknown route is a problem+json 404.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// A resource's default service: the method is not one of `allow`.
pub fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    actix_web::web::to(move || async move { Err::<HttpResponse, _>(AppError::MethodNotAllowed(allow)) })
}

/// Renders a framework error as problem+json (used by the extractor configs).
pub fn render(err: AppError) -> actix_web::Error {
    let resp = err.error_response();
    actix_web::error::InternalError::from_response(err, resp).into()
}

/// The in-flight bound shared by every worker of one instance.
#[derive(Clone)]
pub struct InFlight(pub std::sync::Arc<tokio::sync::Semaphore>);

/// Bounds the requests one instance handles at once: a request that cannot start within a second
/// gets 503 with Retry-After instead of queueing without end.
pub async fn bounded(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limit) = req.app_data::<actix_web::web::Data<InFlight>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let permit = tokio::time::timeout(std::time::Duration::from_secs(1), limit.0.clone().acquire_owned()).await;
    match permit {
        Ok(Ok(_permit)) => next.call(req).await.map(ServiceResponse::map_into_boxed_body),
        _ => {
            let err = AppError::Unavailable { retry_after: 1, detail: "The server is busy; try again in a moment." };
            Ok(req.into_response(err.error_response()))
        }
    }
}

/// Request bodies are JSON objects. serde would also read a struct from a JSON array
/// (`[null, null]`), which no client of this API means to send: refuse anything but an object
/// here, once, for every endpoint. Bodies over 1 MiB are refused too (413).
///
/// Text is text: U+0000 in any string of the body (or in a query value) is one 422 naming each
/// field, on both stores (PostgreSQL cannot store it; SQLite would).
pub async fn json_object_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    use actix_web::http::Method;
    use futures_util::StreamExt;
    if let Some(fields) = nul_in_query(req.query_string()) {
        return Ok(req.into_response(AppError::Validation(fields).error_response()));
    }
    let has_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
    if !(has_body && is_json) {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let mut body = actix_web::web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(req.into_response(AppError::BadRequest("The body could not be read.".into()).error_response()));
        };
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(req.into_response(AppError::PayloadTooLarge.error_response()));
        }
        body.extend_from_slice(&chunk);
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        let err = AppError::BadRequest("The body must be a JSON object.".into());
        return Ok(req.into_response(err.error_response()));
    }
    if let Some(fields) = nul_in_body(&body) {
        return Ok(req.into_response(AppError::Validation(fields).error_response()));
    }
    let body = integral_numbers(body.freeze());
    // Kept for `denials::first`, which reads the records a refused body names.
    req.extensions_mut().insert(RequestBody(body.clone()));
    req.set_payload(actix_web::dev::Payload::from(body));
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

/// The Content-Security-Policy of `/docs`: scripts from this origin only.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The largest request body: 1 MiB.
pub const MAX_BODY: usize = 1024 * 1024;

/// The JSON body of the request, as the handler received it.
#[derive(Clone)]
pub struct RequestBody(pub actix_web::web::Bytes);

const NUL_MESSAGE: &str = "must not contain the character U+0000";

/// The query parameters whose name or value holds U+0000 (`%00`), if any.
fn nul_in_query(query: &str) -> Option<Vec<FieldError>> {
    if !query.contains("%00") {
        return None;
    }
    let fields: Vec<FieldError> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| FieldError::new(k.replace('\0', "\\u0000"), NUL_MESSAGE))
        .collect();
    (!fields.is_empty()).then_some(fields)
}

/// The fields of a JSON body whose text holds U+0000 (`a.b`, `items[2]`), if any. Only bodies
/// that spell it (`\u0000`) are parsed.
fn nul_in_body(body: &[u8]) -> Option<Vec<FieldError>> {
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    fn walk(path: &str, v: &serde_json::Value, out: &mut Vec<FieldError>) {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => out.push(FieldError::new(path, NUL_MESSAGE)),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{path}[{i}]"), item, out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let name = k.replace('\0', "\\u0000");
                    let here = if path.is_empty() { name } else { format!("{path}.{name}") };
                    if k.contains('\0') {
                        out.push(FieldError::new(here.clone(), NUL_MESSAGE));
                    }
                    walk(&here, item, out);
                }
            }
            _ => {}
        }
    }
    let mut fields = Vec::new();
    walk("", &value, &mut fields);
    (!fields.is_empty()).then_some(fields)
}

/// JSON Schema counts `50.0` as an integer; serde does not. A body whose numbers include such
/// values is rewritten with them as integers, so every documented `integer` is accepted in both
/// spellings. Bodies without a fraction or exponent are passed through untouched.
fn integral_numbers(body: actix_web::web::Bytes) -> actix_web::web::Bytes {
    if !body.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return body;
    }
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&body) else { return body };
    fn walk(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    *v = serde_json::Value::from(f as i64);
                    true
                }
                _ => false,
            },
            serde_json::Value::Array(items) => {
                let mut changed = false;
                for item in items {
                    changed |= walk(item);
                }
                changed
            }
            serde_json::Value::Object(map) => {
                let mut changed = false;
                for item in map.values_mut() {
                    changed |= walk(item);
                }
                changed
            }
            _ => false,
        }
    }
    if !walk(&mut value) {
        return body;
    }
    serde_json::to_vec(&value).map(actix_web::web::Bytes::from).unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::integral_numbers;
    use actix_web::web::Bytes;

    /// A 500 the framework produced (no problem body of ours) gets the same body as
    /// `AppError::Internal`.
    #[actix_web::test]
    async fn framework_500_has_the_one_internal_shape() {
        use actix_web::{middleware::from_fn, test, web, App, HttpResponse, ResponseError};
        let app = test::init_service(
            App::new()
                .wrap(from_fn(super::request_context))
                .route("/boom", web::get().to(|| async { HttpResponse::InternalServerError().finish() })),
        )
        .await;
        let framework: serde_json::Value =
            test::call_and_read_body_json(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        let ours = crate::problem::AppError::internal("x").error_response();
        let ours = actix_web::body::MessageBody::try_into_bytes(ours.into_body()).unwrap_or_default();
        let ours: serde_json::Value = serde_json::from_slice(&ours).unwrap_or_default();
        assert_eq!(framework["type"], ours["type"]);
        assert_eq!(framework["detail"], ours["detail"]);
        assert_eq!(framework["status"], 500);
    }

    #[test]
    fn nul_is_found_in_bodies_and_queries_only_where_it_is() {
        let fields = super::nul_in_body(br#"{"a": "x\u0000y", "b": ["ok", "\u0000"], "c": {"d": "\\u0000"}}"#)
            .unwrap_or_default();
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        // `\\u0000` is a backslash and "u0000", not U+0000.
        assert_eq!(names, ["a", "b[1]"]);
        assert!(super::nul_in_body(br#"{"a": "plain"}"#).is_none());
        let fields = super::nul_in_query("limit=5&q=a%00b").unwrap_or_default();
        assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["q"]);
        assert!(super::nul_in_query("q=a%2500").is_none());
    }

    #[test]
    fn integral_floats_become_integers() {
        let out = integral_numbers(Bytes::from_static(br#"{"a": 50.0, "b": [1e2, 2.5], "c": "1.0"}"#));
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, serde_json::json!({"a": 50, "b": [100, 2.5], "c": "1.0"}));
        let same = Bytes::from_static(br#"{"a": 1, "t": "x"}"#);
        assert_eq!(integral_numbers(same.clone()), same);
    }
}
