//! Response helpers and small extractors shared by every endpoint: ETag and If-Match,
//! Created with Location.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::problem::AppError;

pub const API: &str = "/api/v1";

/// `ETag: "<version>"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// 200 with the resource and its ETag.
pub fn ok_versioned<T: Serialize>(body: &T, version: i64) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// 201 with the resource, its Location and its ETag.
pub fn created<T: Serialize>(body: &T, location: String, version: Option<i64>) -> HttpResponse {
    let mut resp = HttpResponse::Created();
    resp.insert_header((header::LOCATION, location));
    if let Some(v) = version {
        resp.insert_header((header::ETAG, etag(v)));
    }
    resp.json(body)
}

/// The version a write is conditional on, from `If-Match`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfMatch {
    /// No header, or `*`: write whatever the current version is.
    Any,
    /// `"<version>"`.
    Version(i64),
    /// A header that is not an ETag of ours: it matches no version (412).
    Malformed,
}

impl IfMatch {
    pub fn parse(value: Option<&str>) -> IfMatch {
        let Some(v) = value.map(str::trim) else { return IfMatch::Any };
        if v == "*" {
            return IfMatch::Any;
        }
        let v = v.strip_prefix("W/").unwrap_or(v);
        match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).and_then(|v| v.parse::<i64>().ok()) {
            Some(n) => IfMatch::Version(n),
            None => IfMatch::Malformed,
        }
    }

    /// Checks the current version; 412 when it does not match.
    pub fn check(self, current: i64) -> Result<(), AppError> {
        match self {
            IfMatch::Any => Ok(()),
            IfMatch::Version(v) if v == current => Ok(()),
            IfMatch::Version(_) | IfMatch::Malformed => Err(AppError::PreconditionFailed),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<IfMatch, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(header::IF_MATCH).map(|v| v.to_str().unwrap_or("invalid"));
        std::future::ready(Ok(IfMatch::parse(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match() {
        assert_eq!(IfMatch::parse(None), IfMatch::Any);
        assert_eq!(IfMatch::parse(Some("*")), IfMatch::Any);
        assert_eq!(IfMatch::parse(Some("\"3\"")), IfMatch::Version(3));
        assert_eq!(IfMatch::parse(Some("W/\"3\"")), IfMatch::Version(3));
        assert_eq!(IfMatch::parse(Some("3")), IfMatch::Malformed);
        assert_eq!(IfMatch::parse(Some("")), IfMatch::Malformed);
        assert!(IfMatch::Version(3).check(3).is_ok());
        assert!(matches!(IfMatch::Version(2).check(3), Err(AppError::PreconditionFailed)));
        assert!(matches!(IfMatch::Malformed.check(3), Err(AppError::PreconditionFailed)));
    }
}
