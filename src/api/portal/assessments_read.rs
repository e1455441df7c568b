use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::instruments::AssessmentId;
use crate::domain::ResourceKind;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::assessments;
use crate::views::assessments::PortalAssessmentDetail;

/// One of the caller's own assessments, with the questionnaire and the caller's own answers
/// and score. Another client's (the partner's included) is 404.
#[utoipa::path(get, operation_id = "read_portal_assessment", path = "/api/v1/portal/assessments/{id}", tag = "portal",
    params(("id" = inline(AssessmentId), Path)), responses((status = 200, body = PortalAssessmentDetail)))]
pub async fn read(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<AssessmentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = audit::read(
        &state.db,
        client.0,
        Action::Read,
        ResourceKind::Assessment,
        Some(id.to_string()),
        move |conn, client| {
            let own = assessments::find_own(conn, client, &id)?;
            Ok(PortalAssessmentDetail::from(&own))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
