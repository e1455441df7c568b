use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments;
use crate::views::assessments::AssessmentView;

/// One assessment, with its answers and score once completed.
#[utoipa::path(get, operation_id = "read_assessment", path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = Uuid, Path)), responses((status = 200, body = AssessmentView)))]
pub async fn read(state: web::Data<AppState>, staff: Staff, path: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let id = path.into_inner().to_string();
    let view = audit::read(&state.db, staff.0, Action::Read, "assessment", Some(id.clone()), move |conn, staff| {
        let row = assessments::find_visible(conn, staff, &id)?.ok_or(AppError::NotFound)?;
        Ok(AssessmentView::from(row))
    })
    .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
