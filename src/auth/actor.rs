//! The authenticated caller, and the extractors that decide who may call a handler.
//!
//! `Staff`, `Admin`, `PortalClient` and `AnyUser` verify the token, check the role it carries
//! (403 for a role that may never use the endpoint) and then load the live user, so a
//! deactivated user's tokens stop working at once (401).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::prelude::*;

use crate::audit::{record, Action, AuditContext, Outcome};
use crate::db::schema::users;
use crate::domain::Role;
use crate::problem::AppError;
use crate::request_id;
use crate::state::AppState;

/// Request facts that go into audit events.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: Option<String>,
}

impl RequestMeta {
    pub fn of(req: &HttpRequest) -> RequestMeta {
        // The peer address only: a forwarded-for header is the caller's word, not a fact.
        RequestMeta { request_id: request_id::of(req), ip: req.peer_addr().map(|a| a.ip().to_string()) }
    }
}

impl FromRequest for RequestMeta {
    type Error = AppError;
    type Future = std::future::Ready<Result<RequestMeta, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(RequestMeta::of(req)))
    }
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: String,
    pub practice_id: String,
    pub role: Role,
    /// Set for role `client`: the client record this user is.
    pub client_id: Option<String>,
    /// The login this access token belongs to.
    pub family_id: String,
    pub meta: RequestMeta,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn audit_context(&self) -> AuditContext {
        AuditContext {
            practice_id: Some(self.practice_id.clone()),
            actor_id: Some(self.user_id.clone()),
            actor_role: Some(self.role.as_str().to_string()),
            request_id: self.meta.request_id.clone(),
            ip: self.meta.ip.clone(),
        }
    }
}

type ActorFuture = Pin<Box<dyn Future<Output = Result<Actor, AppError>>>>;

fn authenticate(req: &HttpRequest, allowed: fn(Role) -> bool) -> ActorFuture {
    let unauthorized = |why| Box::pin(std::future::ready(Err(AppError::Unauthorized(why)))) as ActorFuture;
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Box::pin(std::future::ready(Err(AppError::internal("app state missing"))));
    };
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(token) = token else {
        return unauthorized("Send an access token: Authorization: Bearer <token>.");
    };
    let Some(claims) = state.tokens.verify(token) else {
        return unauthorized("The access token is invalid or expired.");
    };
    let meta = RequestMeta::of(req);
    if !allowed(claims.role) {
        return Box::pin(record_forbidden(state, claims, meta, req));
    }
    Box::pin(async move {
        let user_id = claims.sub.clone();
        let row: Option<(String, String, bool, Option<String>)> = state
            .db
            .run(move |conn| {
                Ok(users::table
                    .filter(users::id.eq(&user_id))
                    .select((users::practice_id, users::role, users::active, users::client_id))
                    .first(conn)
                    .optional()?)
            })
            .await?;
        match row {
            Some((practice_id, role, true, client_id))
                if practice_id == claims.pid && Role::parse(&role) == Some(claims.role) =>
            {
                Ok(Actor {
                    user_id: claims.sub,
                    practice_id,
                    role: claims.role,
                    client_id,
                    family_id: claims.sid,
                    meta,
                })
            }
            _ => Err(AppError::Unauthorized("The access token is no longer valid.")),
        }
    })
}

/// A role that may never use the endpoint: 403, and the attempt goes into the audit trail.
fn record_forbidden(
    state: web::Data<AppState>,
    claims: crate::auth::tokens::Claims,
    meta: RequestMeta,
    req: &HttpRequest,
) -> impl Future<Output = Result<Actor, AppError>> {
    let action = match *req.method() {
        actix_web::http::Method::GET if req.match_info().get("id").is_some() => Action::Read,
        actix_web::http::Method::GET => Action::List,
        actix_web::http::Method::POST => Action::Create,
        _ => Action::Update,
    };
    let pattern = req.match_pattern().unwrap_or_default();
    let resource_type =
        pattern.trim_start_matches("/api/v1/").split('/').next().unwrap_or("unknown").trim_end_matches('s').to_string();
    let resource_id = req.match_info().get("id").map(String::from);
    async move {
        let ctx = AuditContext {
            practice_id: Some(claims.pid.clone()),
            actor_id: Some(claims.sub.clone()),
            actor_role: Some(claims.role.as_str().to_string()),
            request_id: meta.request_id,
            ip: meta.ip,
        };
        let written = state
            .db
            .run(move |conn| {
                // Only for a user that exists in that practice: a forged token writes nothing.
                let known: bool = diesel::select(diesel::dsl::exists(
                    users::table.filter(users::id.eq(&claims.sub)).filter(users::practice_id.eq(&claims.pid)),
                ))
                .get_result(conn)?;
                if known {
                    record(conn, &ctx, action, &resource_type, resource_id.as_deref(), Outcome::Denied)?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, "could not audit a forbidden request");
        }
        Err(AppError::Forbidden)
    }
}

macro_rules! audience {
    ($(#[$doc:meta])* $name:ident, $allowed:expr) => {
        $(#[$doc])*
        pub struct $name(pub Actor);

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Pin<Box<dyn Future<Output = Result<$name, AppError>>>>;
            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let fut = authenticate(req, $allowed);
                Box::pin(async move { fut.await.map($name) })
            }
        }

        impl std::ops::Deref for $name {
            type Target = Actor;
            fn deref(&self) -> &Actor {
                &self.0
            }
        }
    };
}

audience!(
    /// Any signed-in user.
    AnyUser, |_| true
);
audience!(
    /// An admin or a counselor.
    Staff, Role::is_staff
);
audience!(
    /// An admin.
    Admin, |r| r == Role::Admin
);
audience!(
    /// A client, in the portal.
    PortalClient, |r| r == Role::Client
);
