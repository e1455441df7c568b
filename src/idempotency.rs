//! `Idempotency-Key` on POST, as middleware: the same key from the same user with the same body
//! within 24 h answers the first response again; another body is 422; a request that arrives
//! while the first is in flight is 409. State lives in the database (see `store::idempotency`).

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::audit::{record_if_live, Action, Outcome};
use crate::auth::actor::no_longer_live;
use crate::auth::probe::may_see;
use crate::problem::{AppError, PROBLEM_JSON};
use crate::state::AppState;
use crate::store::idempotency::{self as store, Claim};

pub const HEADER: &str = "idempotency-key";
pub use crate::middleware::MAX_BODY;

fn fail(req: ServiceRequest, err: AppError) -> Result<ServiceResponse<BoxBody>, Error> {
    let resp = err.error_response();
    Ok(req.into_response(resp))
}

/// Decides and audits a replay as the original request was: the record its path names must
/// still be visible to the caller (else 404, audited as denied), and the caller live (else 401);
/// an allowed replay is audited with the original's action on the record it named or created
/// (its `Location`).
async fn replay_allowed(
    req: &ServiceRequest,
    state: &web::Data<AppState>,
    location: Option<&str>,
) -> Result<(), AppError> {
    use actix_web::FromRequest;
    let actor = crate::auth::AnyUser::from_request(req.request(), &mut actix_web::dev::Payload::None).await?.0;
    let path = req.path().trim_end_matches('/');
    let in_path = crate::denials::named(path, "");
    let created = location.and_then(|l| crate::denials::named(l, ""));
    let last = path.rsplit('/').next().unwrap_or_default();
    let action = match Action::parse(last) {
        Some(action) if in_path.is_some() => action,
        _ => Action::Create,
    };
    let (ctx, live) = (actor.audit_context(), actor.live());
    state
        .db
        .run(move |conn| {
            let allowed = match &in_path {
                Some(named) => may_see(conn, &actor, named)?,
                None => true,
            };
            let target = if allowed { created.as_ref().or(in_path.as_ref()) } else { in_path.as_ref() };
            let (kind, id) = match target {
                Some(named) => (named.kind, Some(named.id.as_str())),
                None => (crate::domain::ResourceKind::User, None),
            };
            let outcome = if allowed { Outcome::Success } else { Outcome::Denied };
            if !record_if_live(conn, &ctx, &live, action, kind, id, outcome)? {
                return Err(no_longer_live());
            }
            if allowed {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        })
        .await
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let key = match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(k) if !k.is_empty() && k.len() <= 255 => k.to_string(),
        _ => return fail(req, AppError::field("Idempotency-Key", "must be 1 to 255 visible characters")),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return fail(req, AppError::internal("app state missing"));
    };
    // The key belongs to a user; without a valid token the handler answers 401 as usual.
    let user_id = crate::auth::tokens::bearer(req.headers()).and_then(|t| state.tokens.verify(t)).map(|c| c.sub);
    let Some(user_id) = user_id else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };

    let mut body = web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return fail(req, AppError::BadRequest("The body could not be read.".into()));
        };
        if body.len() + chunk.len() > MAX_BODY {
            return fail(req, AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(req.path().as_bytes());
    hasher.update(b"\n");
    hasher.update(&body);
    let request_hash = hex::encode(hasher.finalize());

    let claim = {
        let (user_id, key, request_hash) = (user_id.clone(), key.clone(), request_hash.clone());
        state.db.run(move |conn| Ok(store::claim(conn, &user_id, &key, &request_hash)?)).await
    };
    match claim {
        Err(e) => return fail(req, e),
        Ok(Claim::Existing(stored)) => {
            if stored.request_hash != request_hash {
                return fail(req, AppError::field("Idempotency-Key", "was already used with a different request"));
            }
            let (Some(status), Some(body)) = (stored.status_code, stored.response_body) else {
                return fail(
                    req,
                    AppError::Conflict("A request with this Idempotency-Key is still in progress.".into()),
                );
            };
            // A replay is a request: the caller must still be live and allowed, and it is audited.
            if let Err(e) = replay_allowed(&req, &state, stored.location.as_deref()).await {
                return fail(req, e);
            }
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(500)).unwrap_or(StatusCode::OK);
            let mut resp = HttpResponse::build(status);
            let content_type = if status.is_success() { "application/json" } else { PROBLEM_JSON };
            resp.insert_header((header::CONTENT_TYPE, content_type));
            resp.insert_header(("idempotent-replayed", "true"));
            if let Some(l) = stored.location {
                resp.insert_header((header::LOCATION, l));
            }
            if let Some(e) = stored.etag {
                resp.insert_header((header::ETAG, e));
            }
            return Ok(req.into_response(resp.body(body)));
        }
        Ok(Claim::Claimed) => {}
    }

    req.set_payload(actix_web::dev::Payload::from(body));
    let res = next.call(req).await;
    let (req, res) = match res {
        Ok(res) => res.map_into_boxed_body().into_parts(),
        Err(e) => {
            let _ = state.db.run(move |conn| Ok(store::release(conn, &user_id, &key)?)).await;
            return Err(e);
        }
    };
    let status = res.status();
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(String::from);
    let etag = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).map(String::from);
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let saved = if status.is_server_error() {
        state.db.run(move |conn| Ok(store::release(conn, &user_id, &key)?)).await
    } else {
        state
            .db
            .run(move |conn| {
                Ok(store::complete(conn, &user_id, &key, status.as_u16(), &text, location.as_deref(), etag.as_deref())?)
            })
            .await
    };
    if let Err(e) = saved {
        tracing::warn!(error = %crate::problem::cause_chain(&e), "idempotency key not saved");
    }
    let mut head = head.set_body(BoxBody::new(bytes));
    if let Some(v) = head.headers().get(header::CONTENT_TYPE).cloned() {
        head.headers_mut().insert(header::CONTENT_TYPE, v);
    } else {
        head.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(ServiceResponse::new(req, head))
}
