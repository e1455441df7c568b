use actix_web::{web, HttpResponse};

use crate::api::assessments::ListQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments;
use crate::store::boundaries::ts_key;
use crate::views::assessments::{PortalAssessment, PortalAssessmentList};

/// The caller's own assessments, oldest first; never the partner's.
#[utoipa::path(get, operation_id = "list_portal_assessments", path = "/api/v1/portal/assessments", tag = "portal",
    params(ListQuery), responses((status = 200, body = PortalAssessmentList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-assessments", 2, q.limit, q.cursor.as_deref())?;
    let instrument = q.instrument()?;
    let me = client.client_id.clone();
    let list =
        audit::read(&state.db, client.0, Action::List, ResourceKind::Assessment, me.clone(), move |conn, client| {
            me.ok_or(AppError::NotFound)?;
            let rows = assessments::list_own(conn, client, instrument, &page)?;
            let page = page.finish(
                rows,
                |r| vec![ts_key(r.row().created_at), r.row().id.clone()],
                |r| PortalAssessment::from(&r),
            );
            Ok(PortalAssessmentList { items: page.items, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
