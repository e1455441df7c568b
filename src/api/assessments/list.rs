use actix_web::{web, HttpResponse};

use super::ListQuery;
use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::access::{clinical_refusal, NEEDS_ASSIGNMENT};
use crate::auth::Staff;
use crate::domain::ids::ClientId;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::assessments::{self, Of};
use crate::store::boundaries::ts_key;
use crate::views::assessments::{AssessmentList, AssessmentView};

/// A couple's assessments (both partners'), oldest first.
#[utoipa::path(get, operation_id = "list_couple_assessments", path = "/api/v1/couples/{id}/assessments", tag = "assessments",
    params(("id" = inline(CoupleId), Path), ListQuery), responses((status = 200, body = AssessmentList)))]
pub async fn for_couple(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: ValidQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("couple-assessments", 2, q.limit, q.cursor.as_deref())?;
    let instrument = q.instrument()?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Assessment,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let rows = assessments::list_visible(conn, staff, Of::Couple(&couple_id), instrument, &page)?;
            let page = page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], AssessmentView::from);
            Ok(AssessmentList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A client's assessments the caller may see (their couples' and their own), oldest first.
#[utoipa::path(get, operation_id = "list_client_assessments", path = "/api/v1/clients/{id}/assessments", tag = "assessments",
    params(("id" = inline(ClientId), Path), ListQuery), responses((status = 200, body = AssessmentList)))]
pub async fn for_client(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ClientId>,
    query: ValidQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let client_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("client-assessments", 2, q.limit, q.cursor.as_deref())?;
    let instrument = q.instrument()?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Assessment,
        Some(client_id.to_string()),
        move |conn, staff| {
            if !assessments::client_in_caseload(conn, staff, &client_id)? {
                return Err(clinical_refusal(conn, staff, &client_id, NEEDS_ASSIGNMENT)?);
            }
            let rows = assessments::list_visible(conn, staff, Of::Client(&client_id), instrument, &page)?;
            let page = page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], AssessmentView::from);
            Ok(AssessmentList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
