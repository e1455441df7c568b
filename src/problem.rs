//! RFC 9457 problem+json: the one error type of the app and its one rendering.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem with one field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request's `X-Request-Id`, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized(&'static str),
    /// The caller may not do this; the detail says why (`ROLE_MAY_NOT` for a role that may never
    /// use the endpoint).
    #[error("forbidden")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conflict with a type of its own (`https://mend.dev/problems/<kind>`), for a client that
    /// must tell it apart from other conflicts.
    #[error("conflict ({kind}): {detail}")]
    ConflictOf { kind: &'static str, detail: String },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("too many requests")]
    TooManyRequests { retry_after: u64, detail: &'static str },
    #[error("service unavailable: {detail}")]
    Unavailable { retry_after: u64, detail: &'static str },
    /// Something failed that the caller cannot fix; the cause is logged (its whole chain), and
    /// never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The `type` (after `https://mend.dev/problems/`) and `detail` of every 500, whoever renders
/// it: [`AppError::Internal`] here, and the framework's own 500s in `middleware.rs`.
/// The detail of a 403 for a role that may never use the endpoint.
pub const ROLE_MAY_NOT: &str = "Your role may not use this endpoint.";

/// The detail of a 403 (type `mfa-enrollment-required`) for staff of a practice that requires
/// two-factor sign-in who have not turned it on: everything but `/me`, `/me/mfa*` and `/auth/*`.
pub const MFA_ENROLLMENT_REQUIRED: &str =
    "Your practice requires two-factor sign-in: turn it on (POST /api/v1/me/mfa/totp), then sign in again.";

/// The detail of a 403 for a counselor who tries to change assignments.
pub const ONLY_ADMINS_ASSIGN: &str = "Only an admin may change who is assigned.";

pub const INTERNAL_TYPE: &str = "internal";
pub const INTERNAL_DETAIL: &str = "Something went wrong on our side; quote the request id to support.";

/// An error and its sources, outermost first: `a: b: c`. Error messages only (Mend's own and its
/// libraries'); no request data goes into them.
pub fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// A 500 that keeps its cause: an error (`map_err(AppError::internal)`) or a message.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(cause.into())
    }

    pub fn database_unavailable() -> Self {
        AppError::Unavailable { retry_after: 2, detail: "The database is unreachable; try again shortly." }
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::BadRequest(d) => (StatusCode::BAD_REQUEST, "bad-request", d.clone()),
            AppError::Unauthorized(d) => (StatusCode::UNAUTHORIZED, "unauthorized", (*d).to_string()),
            AppError::Forbidden(detail) if *detail == MFA_ENROLLMENT_REQUIRED => {
                (StatusCode::FORBIDDEN, "mfa-enrollment-required", (*detail).to_string())
            }
            AppError::Forbidden(detail) => (StatusCode::FORBIDDEN, "forbidden", (*detail).to_string()),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not-found", "No such resource.".into()),
            AppError::MethodNotAllowed(allow) => {
                (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", format!("This resource allows {allow}."))
            }
            AppError::Conflict(d) => (StatusCode::CONFLICT, "conflict", d.clone()),
            AppError::ConflictOf { kind, detail } => (StatusCode::CONFLICT, kind, detail.clone()),
            AppError::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "If-Match does not match the resource's current ETag; nothing was written.".into(),
            ),
            AppError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "The body is over 1 MiB.".into())
            }
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send the body as application/json.".into(),
            ),
            AppError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                match errors.as_slice() {
                    [one] => format!("{}: {}", one.field, one.message),
                    _ => format!("{} fields are invalid.", errors.len()),
                },
            ),
            AppError::TooManyRequests { detail, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too-many-requests", (*detail).to_string())
            }
            AppError::Unavailable { detail, .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", (*detail).to_string())
            }
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_TYPE, INTERNAL_DETAIL.into()),
        }
    }
}

/// Renders a problem for any status, with the current request's id.
pub fn problem_response(
    status: StatusCode,
    type_: &str,
    detail: String,
    errors: Option<Vec<FieldError>>,
) -> HttpResponse {
    let body = Problem {
        type_: format!("https://mend.dev/problems/{type_}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        request_id: request_id::current(),
        errors,
    };
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
    match serde_json::to_string(&body) {
        Ok(json) => resp.body(json),
        Err(_) => resp.body("{}"),
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        let (status, type_, detail) = self.parts();
        if let AppError::Internal(cause) = self {
            tracing::error!(error = %cause_chain(cause.as_ref()), "internal error");
        }
        let errors = match self {
            AppError::Validation(errors) => Some(errors.clone()),
            _ => None,
        };
        let mut resp = problem_response(status, type_, detail, errors);
        let headers = resp.headers_mut();
        match self {
            AppError::MethodNotAllowed(allow) => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            AppError::TooManyRequests { retry_after, .. } | AppError::Unavailable { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            AppError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        resp
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound,
            E::DatabaseError(K::UniqueViolation, _) => AppError::Conflict("That already exists.".into()),
            E::DatabaseError(K::ClosedConnection, _) => AppError::database_unavailable(),
            E::DatabaseError(K::SerializationFailure, _) => {
                AppError::Conflict("A concurrent change won; try again.".into())
            }
            E::DatabaseError(_, info) if looks_like_lost_connection(info.message()) => AppError::database_unavailable(),
            E::BrokenTransactionManager => AppError::database_unavailable(),
            other => AppError::internal(other),
        }
    }
}

fn looks_like_lost_connection(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("server closed the connection")
        || m.contains("connection refused")
        || m.contains("terminating connection")
        || m.contains("no connection to the server")
        || m.contains("could not connect")
        || m.contains("database is locked")
}

impl From<r2d2::Error> for AppError {
    fn from(_: r2d2::Error) -> Self {
        AppError::database_unavailable()
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn internal_keeps_its_cause_chain() {
        let err = AppError::internal(Outer(std::io::Error::other("inner")));
        let AppError::Internal(cause) = &err else { panic!("not internal") };
        assert_eq!(cause_chain(cause.as_ref()), "outer: inner");
        assert_eq!(cause_chain(&err), "internal error: outer: inner");
        let from_diesel = AppError::from(diesel::result::Error::QueryBuilderError("bad".into()));
        assert_eq!(cause_chain(&from_diesel), "internal error: bad");
        assert!(matches!(AppError::internal("message"), AppError::Internal(_)));
    }

    #[test]
    fn internal_body_is_the_one_500_shape() {
        let resp = AppError::internal("x").error_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::MessageBody::try_into_bytes(resp.into_body()).unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["type"], format!("https://mend.dev/problems/{INTERNAL_TYPE}"));
        assert_eq!(body["detail"], INTERNAL_DETAIL);
        assert_eq!(body["status"], 500);
    }
}
