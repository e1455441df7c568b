use actix_web::{web, HttpResponse};

use crate::auth::Staff;
use crate::domain::templates::TEMPLATES;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::views::trust::{TemplateList, TemplateView};

/// The built-in plans a counselor can apply to a couple.
#[utoipa::path(get, operation_id = "list_milestone_templates", path = "/api/v1/milestone-templates", tag = "milestones",
    responses((status = 200, body = TemplateList)))]
pub async fn list(state: web::Data<AppState>, staff: Staff) -> AppResult<HttpResponse> {
    // Nothing to read, but a deactivated user still gets 401.
    state.db.run_as(staff.live(), |_| Ok(())).await?;
    let items = TEMPLATES.iter().map(TemplateView::from).collect();
    Ok(HttpResponse::Ok().json(TemplateList { items }))
}
