use actix_web::{web, HttpResponse};

use super::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::BoundaryId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::boundaries::{self, ts_key};
use crate::store::names;
use crate::views::trust::{CheckInList, CheckInView};

/// Check-ins on a boundary, newest first.
#[utoipa::path(get, operation_id = "list_boundary_check_ins", path = "/api/v1/boundaries/{id}/check-ins", tag = "boundaries",
    params(("id" = BoundaryId, Path), PageQuery), responses((status = 200, body = CheckInList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<BoundaryId>,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let boundary_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("check-ins", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::BoundaryCheckIn,
        Some(boundary_id.to_string()),
        move |conn, staff| {
            boundaries::find_visible(conn, staff, &boundary_id)?;
            let rows = boundaries::list_check_ins(conn, &boundary_id, None, &page)?;
            let names = names::clients(conn, &staff.practice_id, rows.iter().map(|r| r.reported_by.clone()))?;
            let page =
                page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], |r| CheckInView::new(r, &names));
            Ok(CheckInList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
