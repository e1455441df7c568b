use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{audited, Action, Target};
use crate::auth::tokens::new_opaque;
use crate::auth::Admin;
use crate::db::new_id;
use crate::domain::role::StaffRole;
use crate::domain::ResourceKind;
use crate::domain::{text, Role};
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::auth::replace_invite;
use crate::store::users::{self, NewUser};
use crate::views::identity::{CreatedUser, UserView};
use crate::views::instant;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s.\x00-\x1f\x7f-\x9f][^@\s\x00-\x1f\x7f-\x9f]*\.[^@\s\x00-\x1f\x7f-\x9f]*[^@\s.\x00-\x1f\x7f-\x9f]$"
    )]
    pub email: String,
    /// 1 to 200 characters, not blank.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: String,
    pub role: StaffRole,
}

/// Add a staff member. They get an invite token to set their password.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = CreatedUser), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    admin: Admin,
    body: web::Json<CreateUserRequest>,
) -> AppResult<HttpResponse> {
    let req = body.into_inner();
    let email = text::email("email", &req.email);
    text::collect([
        email.as_ref().map(|_| ()).map_err(Clone::clone),
        text::required("display_name", &req.display_name, 200),
    ])?;
    let email = email.map_err(|e| AppError::Validation(vec![e]))?;
    let id = new_id();
    let (invite_token, invite_hash) = new_opaque();
    let (row, expires_at) = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Create, ResourceKind::User, Some(&id)), |conn| {
                if users::email_taken(conn, &email)? {
                    return Err(AppError::Conflict("A user with this email already exists.".into()));
                }
                users::create(
                    conn,
                    &NewUser {
                        id: &id,
                        practice_id: &admin.practice_id,
                        email: &email,
                        display_name: &req.display_name,
                        role: Role::from(req.role),
                        password_hash: None,
                        client_id: None,
                    },
                )?;
                let expires_at = replace_invite(conn, &admin.practice_id, &id, &invite_hash)?;
                let row = users::find_in_practice(conn, &admin.practice_id, &id)?.ok_or(AppError::NotFound)?;
                Ok((row, expires_at))
            })
        })
        .await?;
    let location = format!("{API}/users/{}", row.id);
    let version = row.version;
    let body = CreatedUser { user: UserView::from(row), invite_token, invite_expires_at: instant(expires_at) };
    Ok(created(&body, location, Some(version)))
}
