use actix_web::HttpResponse;

use crate::auth::Staff;
use crate::domain::templates::TEMPLATES;
use crate::problem::AppResult;
use crate::views::trust::{TemplateList, TemplateView};

/// The built-in plans a counselor can apply to a couple.
#[utoipa::path(get, operation_id = "list_milestone_templates", path = "/api/v1/milestone-templates", tag = "milestones",
    responses((status = 200, body = TemplateList)))]
pub async fn list(_staff: Staff) -> AppResult<HttpResponse> {
    let items = TEMPLATES.iter().map(TemplateView::from).collect();
    Ok(HttpResponse::Ok().json(TemplateList { items }))
}
