use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ids::BoundaryId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, ts_key};
use crate::views::portal::{PortalCheckIn, PortalCheckInList};

/// The caller's own check-ins on a boundary, newest first (never the partner's).
#[utoipa::path(get, operation_id = "list_portal_check_ins", path = "/api/v1/portal/boundaries/{id}/check-ins", tag = "portal",
    params(("id" = BoundaryId, Path), PageQuery), responses((status = 200, body = PortalCheckInList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    path: web::Path<BoundaryId>,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let boundary_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("portal-check-ins", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::BoundaryCheckIn,
        Some(boundary_id.to_string()),
        move |conn, client| {
            let me = client.client_id.clone().ok_or(AppError::NotFound)?;
            boundaries::find_for_client(conn, client, &boundary_id)?;
            let rows = boundaries::list_check_ins(conn, &boundary_id, Some(&me), &page)?;
            let page = page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], PortalCheckIn::from);
            Ok(PortalCheckInList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
