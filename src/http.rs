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

/// The versions a write is conditional on, from `If-Match` (RFC 9110 13.1.1).
///
/// Accepted: `*`, or a comma-separated list of entity-tags of ours, `"<version>"` or
/// `W/"<version>"` (exactly [`IF_MATCH_PATTERN`]). If-Match uses the strong comparison, so a weak
/// tag is well-formed but matches no version. Anything else is a bad request (400), not a stale
/// precondition (412).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfMatch {
    /// No header, or `*`: write whatever the current version is.
    Any,
    /// The strong versions listed (weak tags, and versions past `i64`, match nothing).
    Versions(Vec<i64>),
    /// A header that is not `*` or a list of our entity-tags: 400.
    Malformed,
}

/// What `If-Match` accepts, as a regular expression (the OpenAPI parameter's `pattern`).
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]+"([ \t]*,[ \t]*(W/)?"[0-9]+")*)$"#;

impl IfMatch {
    pub fn parse(value: Option<&str>) -> IfMatch {
        let Some(v) = value.map(|v| v.trim_matches([' ', '\t'])) else { return IfMatch::Any };
        if v == "*" {
            return IfMatch::Any;
        }
        let mut versions = Vec::new();
        for tag in v.split(',') {
            let tag = tag.trim_matches([' ', '\t']);
            let (weak, tag) = match tag.strip_prefix("W/") {
                Some(rest) => (true, rest),
                None => (false, tag),
            };
            let Some(digits) = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
                return IfMatch::Malformed;
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return IfMatch::Malformed;
            }
            if let (false, Ok(n)) = (weak, digits.parse::<i64>()) {
                versions.push(n);
            }
        }
        IfMatch::Versions(versions)
    }

    /// Checks the current version: 400 for a malformed header, 412 when no listed strong tag
    /// is the current version.
    pub fn check(&self, current: i64) -> Result<(), AppError> {
        match self {
            IfMatch::Any => Ok(()),
            IfMatch::Versions(versions) if versions.contains(&current) => Ok(()),
            IfMatch::Versions(_) => Err(AppError::PreconditionFailed),
            IfMatch::Malformed => Err(AppError::BadRequest(
                "If-Match must be * or a list of ETags such as \"3\" (weak ETags never match).".into(),
            )),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<Result<IfMatch, AppError>>;
    /// Never fails here: a malformed header is refused by [`IfMatch::check`], after the caller's
    /// role and the resource's visibility (so a 403 or 404 is still audited as denied).
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Several If-Match lines are one comma-separated list (RFC 9110 5.3).
        let mut lines = req.headers().get_all(header::IF_MATCH).peekable();
        let parsed = if lines.peek().is_none() {
            IfMatch::Any
        } else {
            let values: Option<Vec<&str>> = lines.map(|v| v.to_str().ok()).collect();
            match values {
                Some(values) if values.len() == 1 => IfMatch::parse(Some(values[0])),
                // `*` is only valid alone, so it cannot be one of several lines.
                Some(values) if values.iter().all(|v| v.trim() != "*") => IfMatch::parse(Some(&values.join(","))),
                _ => IfMatch::Malformed,
            }
        };
        std::future::ready(Ok(parsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match() {
        assert_eq!(IfMatch::parse(None), IfMatch::Any);
        assert_eq!(IfMatch::parse(Some("*")), IfMatch::Any);
        assert_eq!(IfMatch::parse(Some("\"3\"")), IfMatch::Versions(vec![3]));
        assert_eq!(IfMatch::parse(Some("\"1\", W/\"2\" ,\"3\"")), IfMatch::Versions(vec![1, 3]));
        assert_eq!(IfMatch::parse(Some("W/\"3\"")), IfMatch::Versions(vec![]));
        assert_eq!(IfMatch::parse(Some("\"99999999999999999999\"")), IfMatch::Versions(vec![]));
        for bad in ["", "3", "\"\"", "\"-1\"", "\"3", "\"a\"", "w/\"3\"", "\"1\",", ",\"1\"", "*, \"1\"", "\"1\" \"2\""]
        {
            assert_eq!(IfMatch::parse(Some(bad)), IfMatch::Malformed, "{bad:?}");
        }
        assert!(IfMatch::Versions(vec![3]).check(3).is_ok());
        assert!(IfMatch::Versions(vec![1, 3]).check(3).is_ok());
        assert!(matches!(IfMatch::Versions(vec![2]).check(3), Err(AppError::PreconditionFailed)));
        assert!(matches!(IfMatch::parse(Some("W/\"3\"")).check(3), Err(AppError::PreconditionFailed)));
        assert!(matches!(IfMatch::Malformed.check(3), Err(AppError::BadRequest(_))));
    }
}
