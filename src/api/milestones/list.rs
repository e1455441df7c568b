use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::ids::CoupleId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::milestones;
use crate::views::trust::{MilestoneList, MilestoneView};

/// A couple's milestones, ordered by position (then id), including hidden and set-aside ones.
#[utoipa::path(get, operation_id = "list_couple_milestones", path = "/api/v1/couples/{id}/milestones", tag = "milestones",
    params(("id" = CoupleId, Path), PageQuery), responses((status = 200, body = MilestoneList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("milestones", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Milestone,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let rows = milestones::list(conn, milestones::visible(staff), Some(&couple_id), &page)?;
            let page = page.finish(rows, |r| vec![r.position.to_string(), r.id.to_string()], MilestoneView::from);
            Ok(MilestoneList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
