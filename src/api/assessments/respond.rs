use actix_web::{web, HttpResponse};

use super::{score, RespondRequest};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::instruments;
use crate::domain::instruments::AssessmentId;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments::{self, AssessmentRow};
use crate::views::assessments::AssessmentView;

/// Checks that `row` can still be answered, scores the answers and completes it (a
/// version-checked UPDATE: of two concurrent responses one wins, the other is 409).
pub(crate) fn complete(
    conn: &mut crate::db::AnyConnection,
    row: &AssessmentRow,
    req: &RespondRequest,
    responded_by: &crate::domain::ids::UserId,
) -> AppResult<()> {
    if row.status != "pending" {
        return Err(AppError::Conflict(format!("This assessment is {}; it cannot be answered again.", row.status)));
    }
    let instrument = instruments::find(&row.instrument)
        .ok_or_else(|| AppError::internal(format!("assessment {} names an unknown instrument", row.id)))?;
    let (answers, scored) = score(instrument, &req.answers)?;
    if !assessments::complete(conn, &row.id, row.version, &answers, &scored, responded_by)? {
        return Err(AppError::Conflict("This assessment was answered at the same time; it is completed.".into()));
    }
    Ok(())
}

/// Enter a partner's answers from a paper form. Every item answered with one of its options;
/// scored on the server; once completed it is locked (409).
#[utoipa::path(post, operation_id = "respond_assessment", path = "/api/v1/assessments/{id}/responses", tag = "assessments",
    params(("id" = inline(AssessmentId), Path)), request_body = RespondRequest, responses((status = 200, body = AssessmentView, headers(("ETag" = String)))))]
pub async fn respond(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<AssessmentId>,
    body: ValidJson<RespondRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = body.into_inner();
    let row = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Respond, ResourceKind::Assessment, Some(id.as_str())), |conn| {
                let row = assessments::find_visible(conn, &staff, &id)?;
                complete(conn, &row, &req, &staff.user_id)?;
                Ok(assessments::find_visible(conn, &staff, &id)?)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&AssessmentView::from(row), version))
}
