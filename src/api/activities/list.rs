use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities;
use crate::store::boundaries::ts_key;
use crate::views::activities::{ActivityList, ActivityView};

/// A couple's activities, in the order they were assigned.
#[utoipa::path(get, path = "/api/v1/couples/{id}/activities", tag = "activities",
    params(("id" = CoupleId, Path), PageQuery), responses((status = 200, body = ActivityList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("activities", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Activity,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let rows = activities::list(conn, activities::visible(staff), Some(&couple_id), None, &page)?;
            let page = page.finish(rows, |r| vec![ts_key(r.created_at), r.id.clone()], ActivityView::from);
            Ok(ActivityList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
