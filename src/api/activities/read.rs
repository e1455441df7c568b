use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::activities::ActivityId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities;
use crate::views::activities::ActivityView;

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = ActivityId, Path)),
    responses((status = 200, body = ActivityView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<ActivityId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Activity,
        Some(id.to_string()),
        move |conn, staff| {
            activities::find_visible(conn, staff, &id)?.map(ActivityView::from).ok_or(AppError::NotFound)
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
