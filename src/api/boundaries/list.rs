use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::access::couple_visible;
use crate::auth::Staff;
use crate::domain::ids::{BoundaryId, CoupleId};
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::{self, ts_key};
use crate::views::trust::{BoundaryList, BoundaryView};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A couple's boundaries, in the order they were made.
#[utoipa::path(get, operation_id = "list_couple_boundaries", path = "/api/v1/couples/{id}/boundaries", tag = "boundaries",
    params(("id" = CoupleId, Path), PageQuery), responses((status = 200, body = BoundaryList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<CoupleId>,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let couple_id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("boundaries", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Boundary,
        Some(couple_id.to_string()),
        move |conn, staff| {
            if !couple_visible(conn, staff, &couple_id)? {
                return Err(AppError::NotFound);
            }
            let rows = boundaries::list(conn, boundaries::visible(staff), Some(&couple_id), &page)?;
            let ids: Vec<BoundaryId> = rows.iter().map(|r| r.id.clone()).collect();
            let acks = boundaries::acknowledgements(conn, &ids)?;
            let page =
                page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], |r| BoundaryView::new(r, &acks));
            Ok(BoundaryList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
