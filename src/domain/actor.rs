//! Who is calling: the authenticated caller as every layer names it (the scoped queries take it,
//! the audit trail records it), and the facts of their token that must still hold.
//! Verifying tokens and the extractors that make an `Actor` are `auth`'s.

use actix_web::HttpRequest;

use crate::domain::audit::AuditContext;
use crate::domain::ids::{ClientId, PracticeId, UserId};
use crate::domain::Role;

/// Request facts that go into audit events.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: Option<String>,
}

impl RequestMeta {
    pub fn of(req: &HttpRequest) -> RequestMeta {
        // The peer address only: a forwarded-for header is the caller's word, not a fact.
        RequestMeta { request_id: crate::request_id::of(req), ip: req.peer_addr().map(|a| a.ip().to_string()) }
    }
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub practice_id: PracticeId,
    pub role: Role,
    /// Set for role `client`: the client record this user is.
    pub client_id: Option<ClientId>,
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
            practice_id: Some(self.practice_id.to_string()),
            actor_id: Some(self.user_id.to_string()),
            actor_role: Some(self.role.as_str().to_string()),
            request_id: self.meta.request_id.clone(),
            ip: self.meta.ip.clone(),
        }
    }
}

/// What a token says about its user, to check against the live user row.
#[derive(Clone, Debug)]
pub struct Liveness {
    user_id: String,
    practice_id: String,
    role: Role,
    client_id: Option<String>,
    /// The login (refresh-token family) the token belongs to: it must not have ended.
    family_id: String,
}

impl Liveness {
    /// The facts of a token as it was issued (`sub`, `pid`, `role`, `cid`, `sid`).
    pub fn new(user_id: String, practice_id: String, role: Role, client_id: Option<String>, family_id: String) -> Self {
        Liveness { user_id, practice_id, role, client_id, family_id }
    }

    /// The facts as they are matched against `users`: id, practice, role and, for a client, the
    /// client record; and the login, matched against `refresh_tokens`. `None` when they cannot
    /// match (a portal token without its client record). For `audit_batch::STATEMENT`, which
    /// states the rule of `auth::actor::live_user` over a batch of rows.
    pub fn parts(&self) -> Option<LiveParts<'_>> {
        let client = match (self.role, &self.client_id) {
            (Role::Client, Some(cid)) => Some(cid.as_str()),
            (Role::Client, None) => return None,
            _ => None,
        };
        Some(LiveParts {
            user: &self.user_id,
            practice: &self.practice_id,
            role: self.role.as_str(),
            client,
            family: &self.family_id,
        })
    }
}

/// [`Liveness`] as the columns it is matched against.
pub struct LiveParts<'a> {
    pub user: &'a str,
    pub practice: &'a str,
    pub role: &'static str,
    pub client: Option<&'a str>,
    pub family: &'a str,
}

impl Actor {
    /// The facts `Db::run_as` checks before running a handler's work.
    pub fn live(&self) -> Liveness {
        Liveness {
            user_id: self.user_id.to_string(),
            practice_id: self.practice_id.to_string(),
            role: self.role,
            client_id: self.client_id.as_ref().map(ClientId::to_string),
            family_id: self.family_id.clone(),
        }
    }
}
