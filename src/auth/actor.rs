//! The authenticated caller, and the extractors that decide who may call a handler.
//!
//! `Staff`, `Admin`, `PortalClient` and `AnyUser` verify the token and check the role it carries
//! (403 for a role that may never use the endpoint). Handlers then reach the database only
//! through `Db::run_as(actor.live(), ..)`, which first checks the live user row, so a
//! deactivated user's tokens stop working at once (401). tests/security_table.rs sends every
//! operation with a deactivated user's token to hold every handler to that.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::prelude::*;

use crate::db::schema::{refresh_tokens, users};
pub use crate::domain::actor::{Actor, LiveParts, Liveness, RequestMeta};
use crate::domain::audit::{Action, AuditContext, Outcome};
use crate::domain::ids::{ClientId, PracticeId, UserId};
use crate::domain::resource::RouteKind;
use crate::domain::ResourceKind;
use crate::domain::Role;
use crate::problem::AppError;
use crate::state::AppState;
use crate::store::audit::record;
use diesel::sql_types::{Nullable, Text};

impl FromRequest for RequestMeta {
    type Error = AppError;
    type Future = std::future::Ready<Result<RequestMeta, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(RequestMeta::of(req)))
    }
}

type ActorFuture = Pin<Box<dyn Future<Output = Result<Actor, AppError>>>>;

/// `enrolment_only`: the extractor of `/me*` (`AnyUser`), which staff whose MFA enrolment is due
/// may still reach; every other one answers them 403 `mfa-enrollment-required`.
fn authenticate(req: &HttpRequest, allowed: fn(Role) -> bool, enrolment_only: bool) -> ActorFuture {
    let unauthorized = |why| Box::pin(std::future::ready(Err(AppError::Unauthorized(why)))) as ActorFuture;
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Box::pin(std::future::ready(Err(AppError::internal("app state missing"))));
    };
    let Some(token) = crate::auth::tokens::bearer(req.headers()) else {
        return unauthorized("Send an access token: Authorization: Bearer <token>.");
    };
    let Some(claims) = state.tokens.verify(token) else {
        return unauthorized("The access token is invalid or expired.");
    };
    let meta = RequestMeta::of(req);
    if !allowed(claims.role) {
        return Box::pin(record_forbidden(state, claims, meta, req, crate::problem::ROLE_MAY_NOT));
    }
    if claims.mfa_due && !enrolment_only {
        return Box::pin(record_forbidden(state, claims, meta, req, crate::problem::MFA_ENROLLMENT_REQUIRED));
    }
    // The live user is checked in the handler's own database job (`Db::run_as`), so a request
    // costs one trip to the blocking pool and one pooled connection, not two.
    Box::pin(std::future::ready(Ok(Actor {
        // The token is ours (its signature was just checked): its ids are the ones we issued.
        user_id: UserId::from_db(claims.sub),
        practice_id: PracticeId::from_db(claims.pid),
        role: claims.role,
        client_id: claims.cid.map(ClientId::from_db),
        family_id: claims.sid,
        meta,
    })))
}

/// A client record bound as a nullable text parameter.
type BoundClient = diesel::dsl::AsExprOf<Option<String>, Nullable<Text>>;

/// The rows of `users` that are the token's user, if still live: exists, active, same practice
/// and role, for a client the same client record, and the token's login not ended (a refresh
/// token of its family not revoked: logout, reuse detection, a password change or reset and
/// deactivation revoke them). The one statement of that rule, used by [`check_live`];
/// `audit_batch::STATEMENT` states the same rule for a batch of audit rows (tests/audit_batch.rs
/// holds the two to the same answers). Staff bind NULL for the client record (any matches), so
/// every token gives the same SQL, one prepared statement.
#[diesel::dsl::auto_type]
fn live_user_query(user: String, practice: String, role: &'static str, client: Option<String>, family: String) -> _ {
    let client_matches: diesel::dsl::Or<
        diesel::dsl::IsNull<BoundClient>,
        diesel::dsl::Eq<users::client_id, BoundClient>,
    > = client
        .clone()
        .into_sql::<Nullable<Text>>()
        .is_null()
        .or(users::client_id.eq(client.into_sql::<Nullable<Text>>()));
    let owner: String = user.clone();
    let login_open = diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::user_id.eq(owner))
            .filter(refresh_tokens::revoked_at.is_null()),
    );
    users::table
        .filter(users::id.eq(user))
        .filter(users::practice_id.eq(practice))
        .filter(users::role.eq(role))
        .filter(users::active.eq(true))
        .filter(client_matches)
        .filter(login_open)
}

/// [`live_user_query`] for a token's facts. `None`: the token cannot be live at all (a portal
/// token without its client record), so there is nothing to ask the database.
fn live_user(live: &Liveness) -> Option<live_user_query> {
    let p = live.parts()?;
    Some(live_user_query(
        p.user.to_string(),
        p.practice.to_string(),
        p.role,
        p.client.map(String::from),
        p.family.to_string(),
    ))
}

/// The answer for a token whose user is no longer live (deactivated, role or record changed).
pub fn no_longer_live() -> AppError {
    AppError::Unauthorized("The access token is no longer valid.")
}

/// 401 unless the token's user still exists, is active and has the role, practice (and, for a
/// client, the client record) the token says: a deactivated user's tokens stop working at once,
/// and a user whose role changed must sign in again.
pub fn check_live(conn: &mut crate::db::AnyConnection, live: &Liveness) -> Result<(), AppError> {
    // One rule, in `live_user`; here read on its own, in `audit` folded into the event's INSERT.
    let Some(user) = live_user(live) else { return Err(no_longer_live()) };
    let found: Option<String> = user.select(users::id).first(conn).optional()?;
    if found.is_some() {
        Ok(())
    } else {
        Err(no_longer_live())
    }
}

/// The database for an authenticated caller. Defined here, not in `db`, so that `db` does not
/// depend on `auth` (the live-user rule is auth's; db only runs work on a connection).
impl crate::db::Db {
    /// Runs `f` for an authenticated caller: in the same blocking job and on the same
    /// connection, first checks that the token's user is still live (401 otherwise). Every
    /// handler with an actor reaches the database through here, or through `audit::read` and
    /// `audit::audited` (under `Db::run`), which fold the same check into their audit event's
    /// INSERT.
    pub async fn run_as<T, F>(&self, live: Liveness, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, AppError> + Send + 'static,
    {
        self.run(move |conn| {
            check_live(conn, &live)?;
            f(conn)
        })
        .await
    }
}

/// A role that may never use the endpoint (or staff who must enrol in MFA first): 403 with
/// `detail`, and the attempt goes into the audit trail.
fn record_forbidden(
    state: web::Data<AppState>,
    claims: crate::auth::tokens::Claims,
    meta: RequestMeta,
    req: &HttpRequest,
    detail: &'static str,
) -> impl Future<Output = Result<Actor, AppError>> {
    let action = Action::of_method(req.method(), req.match_info().get("id").is_some());
    // The kind of resource the route addresses, as the route table attached it to the route
    // (so a denial says `boundary` exactly as a success does).
    let resource_type = req.app_data::<RouteKind>().and_then(|k| k.0).unwrap_or(ResourceKind::User);
    let resource_id = req.match_info().get("id").or_else(|| req.match_info().get("couple_id")).map(String::from);
    async move {
        let ctx = AuditContext {
            practice_id: Some(claims.pid.clone()),
            actor_id: Some(claims.sub.clone()),
            actor_role: Some(claims.role.as_str().to_string()),
            request_id: meta.request_id,
            ip: meta.ip,
        };
        let live =
            Liveness::new(claims.sub.clone(), claims.pid.clone(), claims.role, claims.cid.clone(), claims.sid.clone());
        // A user who is no longer live gets 401, as everywhere; a live one's attempt is audited.
        let written = state
            .db
            .run_as(live, move |conn| {
                record(conn, &ctx, action, resource_type, resource_id.as_deref(), Outcome::Denied)?;
                Ok(())
            })
            .await;
        match written {
            Ok(()) => {}
            Err(e @ AppError::Unauthorized(_)) => return Err(e),
            Err(e) => tracing::warn!(error = %crate::problem::cause_chain(&e), "could not audit a forbidden request"),
        }
        Err(AppError::Forbidden(detail))
    }
}

macro_rules! audience {
    ($(#[$doc:meta])* $name:ident, $allowed:expr, $enrolment_only:expr) => {
        $(#[$doc])*
        pub struct $name(pub Actor);

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Pin<Box<dyn Future<Output = Result<$name, AppError>>>>;
            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let fut = authenticate(req, $allowed, $enrolment_only);
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
    AnyUser, |_| true, true
);
audience!(
    /// An admin or a counselor.
    Staff, Role::is_staff, false
);
audience!(
    /// An admin.
    Admin, |r| r == Role::Admin, false
);
audience!(
    /// A client, in the portal.
    PortalClient, |r| r == Role::Client, false
);
