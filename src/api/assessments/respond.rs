use actix_web::{web, HttpResponse};

use super::{score, Answers, PaperFormRequest};
use crate::audit::{audited, Action, Target};
use crate::auth::Staff;
use crate::domain::date;
use crate::domain::ids::PracticeId;
use crate::domain::instruments;
use crate::domain::instruments::AssessmentId;
use crate::domain::trust::today_in;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::ok_versioned;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments::{self, AssessmentRow};
use crate::store::practices;
use crate::views::assessments::AssessmentView;

/// 409 while `row` has not opened yet (its `opens_on` is after today in the practice's zone).
pub(crate) fn opened(conn: &mut crate::db::AnyConnection, practice: &PracticeId, row: &AssessmentRow) -> AppResult<()> {
    let Some(opens_on) = &row.opens_on else { return Ok(()) };
    let today = today_in(&practices::own(conn, practice)?.timezone).format("%Y-%m-%d").to_string();
    if opens_on.as_str() > today.as_str() {
        return Err(AppError::Conflict(format!("This questionnaire opens on {opens_on}.")));
    }
    Ok(())
}

/// Checks that `row` can still be answered, scores the answers and completes it (a
/// version-checked UPDATE: of two concurrent responses one wins, the other is 409).
pub(crate) fn complete(
    conn: &mut crate::db::AnyConnection,
    row: &AssessmentRow,
    answers: &Answers,
    responded_by: &crate::domain::ids::UserId,
    completed_on: Option<&str>,
) -> AppResult<()> {
    if row.status != "pending" {
        return Err(AppError::Conflict(format!("This assessment is {}; it cannot be answered again.", row.status)));
    }
    let instrument = instruments::find(&row.instrument)
        .ok_or_else(|| AppError::internal(format!("assessment {} names an unknown instrument", row.id)))?;
    let (answers, scored) = score(instrument, answers)?;
    if !assessments::complete(conn, &row.id, row.version, &answers, &scored, responded_by, completed_on)? {
        return Err(AppError::Conflict("This assessment was answered at the same time; it is completed.".into()));
    }
    Ok(())
}

/// Enter a partner's answers from a paper form, with the day it was filled in. Every item
/// answered with one of its options; scored on the server; once completed it is locked (409).
/// A paper form may come back before the day the portal would have offered it.
#[utoipa::path(post, operation_id = "respond_assessment", path = "/api/v1/assessments/{id}/responses", tag = "assessments",
    params(("id" = inline(AssessmentId), Path)), request_body = PaperFormRequest, responses((status = 200, body = AssessmentView, headers(("ETag" = String)))))]
pub async fn respond(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<AssessmentId>,
    body: ValidJson<PaperFormRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = body.into_inner();
    let completed_on = match &req.completed_on {
        Some(day) => Some(date::parse("completed_on", day).map_err(|e| AppError::field(e.field, e.message))?),
        None => None,
    };
    let row = state
        .db
        .run(move |conn| {
            audited(conn, &staff, Target::new(Action::Respond, ResourceKind::Assessment, Some(id.as_str())), |conn| {
                let row = assessments::find_visible(conn, &staff, &id)?;
                let zone = practices::own(conn, &staff.practice_id)?.timezone;
                let today = today_in(&zone);
                let day = completed_on.unwrap_or(today);
                if day > today {
                    return Err(AppError::field("completed_on", "must not be in the future"));
                }
                complete(conn, &row, &req.answers, &staff.user_id, Some(&day.format("%Y-%m-%d").to_string()))?;
                Ok(assessments::find_visible(conn, &staff, &id)?)
            })
        })
        .await?;
    let version = row.version;
    Ok(ok_versioned(&AssessmentView::from(row), version))
}
