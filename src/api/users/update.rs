use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::db::lock_practice;
use crate::domain::role::StaffRole;
use crate::domain::ResourceKind;
use crate::domain::{text, Role};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::revoke_user;
use crate::store::users::{self, Changes};
use crate::views::identity::UserView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// 1 to 200 characters, not blank.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: Option<String>,
    pub role: Option<StaffRole>,
    /// false deactivates: the user's tokens stop working at once.
    pub active: Option<bool>,
}

/// Rename, change the role of, or (de)activate a user. The last active admin cannot be removed.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)),
    request_body = UpdateUserRequest, responses((status = 200, body = UserView), (status = 409, body = crate::problem::Problem)))]
pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<UpdateUserRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let req = body.into_inner();
    text::collect([req.display_name.as_deref().map_or(Ok(()), |n| text::required("display_name", n, 200))])?;
    let row = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Update, ResourceKind::User, Some(&id)), |conn| {
                let current = users::find_in_practice(conn, &admin.practice_id, &id)?.ok_or(AppError::NotFound)?;
                if_match.check(current.version)?;
                let current_role = Role::parse(&current.role).ok_or_else(|| AppError::internal("bad role"))?;
                if req.role.is_some() && current_role == Role::Client {
                    return Err(AppError::field("role", "a client account's role cannot change"));
                }
                let role = req.role.map(Role::from).unwrap_or(current_role);
                let active = req.active.unwrap_or(current.active);
                if id == admin.user_id && (!active || role != Role::Admin) {
                    return Err(AppError::Conflict(
                        "Admins cannot deactivate or demote themselves; ask another admin.".into(),
                    ));
                }
                let removes_admin = current_role == Role::Admin && current.active && (role != Role::Admin || !active);
                if removes_admin {
                    lock_practice(conn, &admin.practice_id)?;
                    if users::other_active_admins(conn, &admin.practice_id, &id)? == 0 {
                        return Err(AppError::Conflict("A practice keeps at least one active admin.".into()));
                    }
                }
                let changes = Changes {
                    display_name: req.display_name.as_deref().unwrap_or(&current.display_name),
                    role: role.as_str(),
                    active,
                };
                if !users::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                if !active {
                    revoke_user(conn, &id)?;
                }
                users::find_in_practice(conn, &admin.practice_id, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&UserView::from(row), version))
}
