use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::instruments::AssessmentId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::assessments;
use crate::views::assessments::AssessmentView;

/// One assessment, with its answers and score once completed.
#[utoipa::path(get, operation_id = "read_assessment", path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = inline(AssessmentId), Path)), responses((status = 200, body = AssessmentView, headers(("ETag" = String)))))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<AssessmentId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Assessment,
        Some(id.to_string()),
        move |conn, staff| {
            let row = assessments::find_visible(conn, staff, &id)?;
            Ok(AssessmentView::from(row))
        },
    )
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
