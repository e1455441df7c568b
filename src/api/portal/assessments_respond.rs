use actix_web::{web, HttpResponse};

use crate::api::assessments::respond::{complete, opened};
use crate::api::assessments::RespondRequest;
use crate::audit::{audited, Action, Target};
use crate::auth::PortalClient;
use crate::domain::instruments::AssessmentId;
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::assessments;
use crate::views::assessments::PortalAssessmentDetail;

/// Answer one of the caller's own assessments: every item, each value one of its options (else
/// 422 naming the items, nothing stored). Scored on the server; once completed, 409.
#[utoipa::path(post, operation_id = "respond_portal_assessment", path = "/api/v1/portal/assessments/{id}/responses", tag = "portal",
    params(("id" = inline(AssessmentId), Path)), request_body = RespondRequest, responses((status = 200, body = PortalAssessmentDetail)))]
pub async fn respond(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<AssessmentId>,
    body: ValidJson<RespondRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let req = body.into_inner();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &client, Target::new(Action::Respond, ResourceKind::Assessment, Some(id.as_str())), |conn| {
                let own = assessments::find_own(conn, &client, &id)?;
                opened(conn, &client.practice_id, own.row())?;
                complete(conn, own.row(), &req.answers, &client.user_id, None)?;
                let own = assessments::find_own(conn, &client, &id)?;
                Ok(PortalAssessmentDetail::from(&own))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
