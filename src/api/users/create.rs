use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::domain::ids::UserId;
use crate::domain::role::StaffRole;
use crate::domain::value::{parsed, Email};
use crate::domain::value_trust::DisplayName;
use crate::domain::{ResourceKind, Role};
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::users::{self, NewUser};
use crate::views::identity::{CreatedUser, UserView};
use crate::views::instant;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[validate(custom(function = "Email::check"))]
    #[schema(value_type = Email)]
    pub email: String,
    #[validate(custom(function = "DisplayName::check"))]
    #[schema(value_type = DisplayName)]
    pub display_name: String,
    pub role: StaffRole,
}

/// The checked request.
struct Checked {
    email: Email,
    display_name: DisplayName,
    role: Role,
}

impl TryFrom<CreateUserRequest> for Checked {
    type Error = AppError;
    fn try_from(r: CreateUserRequest) -> AppResult<Checked> {
        Ok(Checked {
            email: parsed("email", Email::parse(&r.email))?,
            display_name: parsed("display_name", DisplayName::parse(r.display_name))?,
            role: Role::from(r.role),
        })
    }
}

/// Add a staff member. They get an invite to set their password: mailed as a link
/// (`{MEND_PUBLIC_URL}/app?invite=…`, `delivery: "email"`, no token in the answer) when mail is
/// configured, else as `invite_token` in the answer (`delivery: "token"`).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = CreatedUser), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    admin: Admin,
    body: ValidJson<CreateUserRequest>,
) -> AppResult<HttpResponse> {
    let req = Checked::try_from(body.into_inner())?;
    let id = UserId::new();
    let mail = state.config.mail.clone();
    let (row, issued) = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Create, ResourceKind::User, Some(&id)), |conn| {
                if users::email_taken(conn, req.email.as_str())? {
                    return Err(AppError::Conflict("A user with this email already exists.".into()));
                }
                users::create(
                    conn,
                    &NewUser {
                        id: &id,
                        practice_id: &admin.practice_id,
                        email: req.email.as_str(),
                        display_name: req.display_name.as_str(),
                        role: req.role,
                        password_hash: None,
                        client_id: None,
                    },
                )?;
                let issued = crate::api::invites::issue(
                    conn,
                    mail.as_ref(),
                    &admin.practice_id,
                    &id,
                    req.role,
                    req.email.as_str(),
                )?;
                let row = users::find_in_practice(conn, &admin.practice_id, &id)?;
                Ok((row, issued))
            })
        })
        .await?;
    let location = format!("{API}/users/{}", row.id);
    let version = row.version;
    let body = CreatedUser {
        user: UserView::from(row),
        delivery: issued.delivery,
        invite_token: issued.token,
        invite_expires_at: instant(issued.expires_at),
    };
    Ok(created(&body, location, Some(version)))
}
