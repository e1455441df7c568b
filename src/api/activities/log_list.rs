use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::activities::ActivityId;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities;
use crate::views::activities::{ActivityLogList, ActivityLogView};

/// Every log of an activity, reflections included, newest day first.
#[utoipa::path(get, path = "/api/v1/activities/{id}/logs", tag = "activities",
    params(("id" = ActivityId, Path), PageQuery), responses((status = 200, body = ActivityLogList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ActivityId>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let activity_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("activity-logs", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::ActivityLog,
        Some(activity_id.to_string()),
        move |conn, staff| {
            activities::find_visible(conn, staff, &activity_id)?.ok_or(AppError::NotFound)?;
            let rows = activities::list_logs(conn, &activity_id, None, &page)?;
            let page = page.finish(rows, |r| vec![r.done_on.clone(), r.id.clone()], ActivityLogView::from);
            Ok(ActivityLogList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
