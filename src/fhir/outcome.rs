//! Errors under `/fhir/R4` are `OperationOutcome`s (`application/fhir+json`), whoever raised
//! them: a handler, an extractor (401, 403, a bad id or query), the route table (405) or the
//! scope's default (404). Every error of the app is first rendered once as problem+json
//! (`problem.rs`); [`operation_outcomes`] rewrites those of this scope, keeping the status and the
//! headers that matter (`Allow`, `Retry-After`, `WWW-Authenticate`), so no error path here can
//! answer in another shape.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};
use serde::Deserialize;

use super::model::{OperationOutcome, OperationOutcomeIssue, Resource};
use super::FHIR_JSON;
use crate::problem::PROBLEM_JSON;

/// The parts of a problem+json body an outcome carries.
#[derive(Deserialize)]
struct ProblemBody {
    detail: String,
    request_id: Option<String>,
    #[serde(default)]
    errors: Vec<FieldProblem>,
}

#[derive(Deserialize)]
struct FieldProblem {
    field: String,
    message: String,
}

/// The issue type (`http://hl7.org/fhir/issue-type`) of an HTTP status.
fn issue_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "invalid",
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        405 | 406 | 415 => "not-supported",
        409 | 412 => "conflict",
        413 => "too-long",
        429 => "throttled",
        503 => "transient",
        _ => "exception",
    }
}

/// The outcome of one error: one issue per bad field (its name in `expression`), else one.
fn outcome(status: StatusCode, problem: &ProblemBody) -> OperationOutcome {
    let code = issue_type(status);
    let suffix = problem.request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default();
    let mut issue: Vec<_> = problem
        .errors
        .iter()
        .map(|e| OperationOutcomeIssue {
            severity: "error",
            code,
            diagnostics: format!("{}: {}{suffix}", e.field, e.message),
            expression: vec![e.field.clone()],
        })
        .collect();
    if issue.is_empty() {
        issue.push(OperationOutcomeIssue {
            severity: "error",
            code,
            diagnostics: format!("{}{suffix}", problem.detail),
            expression: Vec::new(),
        });
    }
    OperationOutcome { issue }
}

/// A search parameter that breaks a rule is 400 in FHIR (a search that "could not be
/// processed"), where the JSON API says 422.
fn fhir_status(status: StatusCode) -> StatusCode {
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    }
}

/// Middleware of the `/fhir/R4` scope: every problem+json answer becomes an OperationOutcome.
pub async fn operation_outcomes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if !is_problem {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let status = res.status();
    let kept: Vec<_> = [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE]
        .into_iter()
        .filter_map(|name| res.headers().get(&name).cloned().map(|v| (name, v)))
        .collect();
    let bytes = actix_web::body::to_bytes(res.into_body()).await.unwrap_or_default();
    let problem = serde_json::from_slice::<ProblemBody>(&bytes).unwrap_or(ProblemBody {
        detail: status.canonical_reason().unwrap_or("Error").to_string(),
        request_id: None,
        errors: Vec::new(),
    });
    let status = fhir_status(status);
    let body = serde_json::to_string(&Resource::from(outcome(status, &problem)));
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON)));
    for (name, value) in kept {
        resp.insert_header((name, value));
    }
    // The outcome is built from our own problem body; should that ever fail, a fixed one.
    let body = body.unwrap_or_else(|_| {
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}"#.to_string()
    });
    Ok(ServiceResponse::new(req, resp.body(body)))
}

/// The scope's default: no such FHIR interaction here.
pub async fn not_found() -> Result<HttpResponse, crate::problem::AppError> {
    Err(crate::problem::AppError::NotFound)
}
