//! Denials are decided and recorded first. A request that names a record the caller may not
//! see (in its path, or in a `couple_id`/`client_id` filter) is a 404 and a `denied` event with
//! that record's id, whatever else is wrong with it: a bad body, query or limit never answers
//! first and hides the denial.
//!
//! Handlers check access before anything about the request's content, but the framework reads
//! (and refuses) a body or a query before a handler runs. So when the answer is one of those
//! refusals (400, 413, 415, 422), this middleware asks the scoped query of the named record
//! (`auth::probe`) and, if the caller may not see it, answers 404 and records the denial
//! instead. Answers of any other status pass untouched, so the cost falls on refused requests
//! only.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, FromRequest, HttpMessage, HttpRequest, ResponseError};

use crate::audit::{Action, Outcome};
use crate::audit_batch::Event;
use crate::auth::actor::no_longer_live;
use crate::auth::probe::{kind_of_segment, may_see, Named};
use crate::auth::AnyUser;
use crate::middleware::RequestBody;
use crate::problem::AppError;
use crate::routes::ROUTES;
use crate::state::AppState;

/// The refusals a bad request gets before or regardless of its access check.
fn refused_for_content(status: StatusCode) -> bool {
    matches!(status.as_u16(), 400 | 413 | 415 | 422)
}

/// The record the request's path names (the id after the first resource segment of the route
/// it matches), else the record a `couple_id` or `client_id` filter names. Ids that are not
/// UUIDs name nothing (that request stays a 400).
pub fn named(path: &str, query: &str) -> Option<Named> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for route in ROUTES {
        let pattern: Vec<&str> = route.path.split('/').collect();
        if pattern.len() != segments.len() {
            continue;
        }
        let matches = pattern.iter().zip(&segments).all(|(p, s)| p.starts_with('{') || p == s);
        if !matches {
            continue;
        }
        let Some(at) = pattern.iter().position(|p| p.starts_with('{')) else { break };
        let kind = at.checked_sub(1).and_then(|i| kind_of_segment(pattern[i]))?;
        let id = segments[at];
        let (within, portal) = (at + 1 < segments.len(), route.path.starts_with("/api/v1/portal/"));
        return uuid::Uuid::parse_str(id).is_ok().then(|| Named {
            kind,
            id: id.to_string(),
            within,
            direct: false,
            portal,
        });
    }
    url::form_urlencoded::parse(query.as_bytes()).find_map(|(k, v)| {
        let kind = match k.as_ref() {
            "couple_id" => crate::domain::ResourceKind::Couple,
            "client_id" => crate::domain::ResourceKind::Client,
            _ => return None,
        };
        let portal = path.starts_with("/api/v1/portal/");
        uuid::Uuid::parse_str(&v).is_ok().then(|| Named {
            kind,
            id: v.into_owned(),
            within: true,
            direct: false,
            portal,
        })
    })
}

/// The middleware: see the module's documentation.
pub async fn first(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    if !refused_for_content(res.status()) {
        return Ok(res);
    }
    let (http, response) = res.into_parts();
    match denial(&http).await {
        Some(answer) => Ok(ServiceResponse::new(http, answer.error_response())),
        None => Ok(ServiceResponse::new(http, response)),
    }
}

/// The records a refused body names in its reference fields (`couple_id`, `client_id`,
/// `partner_ids`, `attendee_ids`), UUIDs only.
fn named_in_body(http: &HttpRequest) -> Vec<Named> {
    use crate::domain::ResourceKind;
    let Some(body) = http.extensions().get::<RequestBody>().cloned() else { return Vec::new() };
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice::<serde_json::Value>(&body.0) else {
        return Vec::new();
    };
    let mut named = Vec::new();
    let portal = http.path().starts_with("/api/v1/portal/");
    let mut add = |kind: ResourceKind, direct: bool, v: &serde_json::Value| {
        if let Some(id) = v.as_str().filter(|id| uuid::Uuid::parse_str(id).is_ok()) {
            named.push(Named { kind, id: id.to_string(), within: true, direct, portal });
        }
    };
    if let Some(v) = fields.get("couple_id") {
        add(ResourceKind::Couple, false, v);
    }
    // A body's `client_id` names the client of individual work (a session, a release).
    if let Some(v) = fields.get("client_id") {
        add(ResourceKind::Client, true, v);
    }
    for field in ["partner_ids", "attendee_ids"] {
        for v in fields.get(field).and_then(|v| v.as_array()).into_iter().flatten() {
            add(ResourceKind::Client, false, v);
        }
    }
    named
}

/// The answer that replaces the refusal: 404 (its denial recorded) when the caller may not see
/// the record the path or a filter names, 401 when the caller is no longer live. `None` keeps
/// the refusal; records the body names that the caller may not see are recorded as denials
/// then too (a body reference stays a 422).
async fn denial(http: &HttpRequest) -> Option<AppError> {
    let in_path = named(http.path(), http.query_string());
    let in_body = named_in_body(http);
    if in_path.is_none() && in_body.is_empty() {
        return None;
    }
    let state = http.app_data::<web::Data<AppState>>()?.clone();
    // Without a valid token there is no caller to decide for: the refusal stands.
    let actor = AnyUser::from_request(http, &mut Payload::None).await.ok()?.0;
    let who = actor.clone();
    let (path_probe, body_probe) = (in_path.clone(), in_body.clone());
    let unseen = state
        .db
        .run(move |conn| {
            if let Some(named) = &path_probe {
                if !may_see(conn, &who, named)? {
                    return Ok((true, vec![named.clone()]));
                }
            }
            let mut hidden = Vec::new();
            for named in &body_probe {
                if !may_see(conn, &who, named)? {
                    hidden.push(named.clone());
                }
            }
            Ok((false, hidden))
        })
        .await;
    let Ok((path_hidden, hidden)) = unseen else { return None };
    let path = http.path().trim_end_matches('/');
    let mut answer = None;
    for named in hidden {
        // A GET whose path ends in the id reads that record; any other GET lists under it.
        let names_one = path.ends_with(named.id.as_str());
        let event = Event {
            ctx: actor.audit_context(),
            live: actor.live(),
            action: Action::of_method(http.method(), names_one),
            kind: named.kind,
            resource_id: Some(named.id),
            outcome: Outcome::Denied,
        };
        match crate::audit_batch::record(&state.db, event).await {
            Ok(true) if path_hidden => answer = Some(AppError::NotFound),
            Ok(true) => {}
            Ok(false) => return Some(no_longer_live()),
            Err(e) => return Some(e),
        }
    }
    answer
}
