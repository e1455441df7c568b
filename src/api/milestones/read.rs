use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::MilestoneId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::milestones;
use crate::views::trust::MilestoneView;

/// One milestone (where a created milestone's Location points).
#[utoipa::path(get, operation_id = "read_milestone", path = "/api/v1/milestones/{id}", tag = "milestones", params(("id" = MilestoneId, Path)),
    responses((status = 200, body = MilestoneView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<MilestoneId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Milestone,
        Some(id.to_string()),
        move |conn, staff| Ok(milestones::find_visible(conn, staff, &id)?),
    )
    .await?;
    let version = row.version;
    Ok(ok_versioned(&MilestoneView::from(row), version))
}
