use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Admin;
use crate::domain::ids::UserId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::users;
use crate::views::identity::UserView;

/// One user of the practice.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = UserId, Path)),
    responses((status = 200, body = UserView)))]
pub async fn read(state: web::Data<AppState>, admin: Admin, path: web::Path<UserId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row =
        audit::read(&state.db, admin.0, Action::Read, ResourceKind::User, Some(id.to_string()), move |conn, admin| {
            Ok(users::find_in_practice(conn, &admin.practice_id, &id)?)
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&UserView::from(row), version))
}
