use actix_web::{web, HttpResponse};

use crate::auth::Staff;
use crate::domain::activities::ACTIVITY_TEMPLATES;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::views::activities::{ActivityTemplateList, ActivityTemplateView};

/// The built-in activities a counselor can assign, with plain-language instructions.
#[utoipa::path(get, path = "/api/v1/activity-templates", tag = "activities",
    responses((status = 200, body = ActivityTemplateList)))]
pub async fn list(state: web::Data<AppState>, staff: Staff) -> AppResult<HttpResponse> {
    // Nothing to read, but a deactivated user still gets 401.
    state.db.run_as(staff.live(), |_| Ok(())).await?;
    let items = ACTIVITY_TEMPLATES.iter().map(ActivityTemplateView::from).collect();
    Ok(HttpResponse::Ok().json(ActivityTemplateList { items }))
}
