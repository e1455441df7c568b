use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::instruments::AssessmentId;
use crate::domain::ResourceKind;
use crate::fhir::questionnaire_response::{questionnaire_response, Completed};
use crate::fhir::{docs, respond};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::assessments;

/// A completed assessment as a QuestionnaireResponse, for the staff who see it (as
/// `GET /api/v1/assessments/{id}`); a pending or cancelled one has none (404).
#[utoipa::path(get, path = "/fhir/R4/QuestionnaireResponse/{id}", tag = "fhir",
    params(("id" = inline(AssessmentId), Path)),
    responses((status = 200, description = "The QuestionnaireResponse", body = docs::FhirQuestionnaireResponse,
        content_type = "application/fhir+json", headers(("ETag" = String)))))]
pub async fn read(staff: Staff, state: web::Data<AppState>, path: web::Path<AssessmentId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (resource, version) = audit::read(
        &state.db,
        staff.0,
        Action::Read,
        ResourceKind::Assessment,
        Some(id.to_string()),
        move |conn, staff| {
            let row = assessments::find_visible(conn, staff, &id)?;
            Ok((questionnaire_response(&Completed::of(&row)?), row.version))
        },
    )
    .await?;
    respond(resource, Some(version))
}
