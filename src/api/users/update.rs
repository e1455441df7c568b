use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::db::{lock_practice, now};
use crate::domain::ids::UserId;
use crate::domain::role::StaffRole;
use crate::domain::value::parsed;
use crate::domain::value_trust::DisplayName;
use crate::domain::{ResourceKind, Role};
use crate::extract::ValidJson;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::revoke_user;
use crate::store::users::{self, UserChanges};
use crate::views::identity::UserView;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[validate(custom(function = "DisplayName::check"))]
    #[schema(value_type = Option<DisplayName>)]
    pub display_name: Option<String>,
    pub role: Option<StaffRole>,
    /// false deactivates: the user's tokens stop working at once.
    pub active: Option<bool>,
}

/// Rename, change the role of, or (de)activate a user. The last active admin cannot be removed.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = UserId, Path)),
    request_body = UpdateUserRequest, responses((status = 200, body = UserView), (status = 409, body = crate::problem::Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<UserId>,
    if_match: IfMatch,
    body: ValidJson<UpdateUserRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = body.into_inner();
    let display_name = req.display_name.map(|v| parsed("display_name", DisplayName::parse(v))).transpose()?;
    let row = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Update, ResourceKind::User, Some(&id)), |conn| {
                let current = users::find_in_practice(conn, &admin.practice_id, &id)?;
                if_match.check(current.version)?;
                if req.role.is_some() && current.role == Role::Client {
                    return Err(AppError::field("role", "a client account's role cannot change"));
                }
                let role = req.role.map(Role::from).unwrap_or(current.role);
                let active = req.active.unwrap_or(current.active);
                if id == admin.user_id && (!active || role != Role::Admin) {
                    return Err(AppError::Conflict(
                        "Admins cannot deactivate or demote themselves; ask another admin.".into(),
                    ));
                }
                let removes_admin = current.role == Role::Admin && current.active && (role != Role::Admin || !active);
                if removes_admin {
                    lock_practice(conn, &admin.practice_id)?;
                    if users::other_active_admins(conn, &admin.practice_id, &id)? == 0 {
                        return Err(AppError::Conflict("A practice keeps at least one active admin.".into()));
                    }
                }
                let changes =
                    UserChanges { display_name, role, active, version: current.version + 1, updated_at: now() };
                if !users::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                if !active {
                    revoke_user(conn, &id)?;
                }
                Ok(users::find_in_practice(conn, &admin.practice_id, &id)?)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&UserView::from(row), version))
}
