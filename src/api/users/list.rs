use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Admin;
use crate::domain::ResourceKind;
use crate::domain::Role;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::users::{self, ListFilter};
use crate::views::identity::{UserList, UserView};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The practice's users, in creation order.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListUsersQuery),
    responses((status = 200, body = UserList)))]
pub async fn list(
    state: web::Data<AppState>,
    admin: Admin,
    query: ValidQuery<ListUsersQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("users", 1, q.limit, q.cursor.as_deref())?;
    let filter = ListFilter { role: q.role, active: q.active };
    let rows = audit::read(&state.db, admin.0, Action::List, ResourceKind::User, None, move |conn, admin| {
        let rows = users::list(conn, &admin.practice_id, &filter, &page)?;
        Ok(page.finish(rows, |r| vec![r.id.to_string()], UserView::from))
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserList { items: rows.items, next_cursor: rows.next_cursor }))
}
