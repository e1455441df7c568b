use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::CoupleStatus;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::couples::{self, ListFilter};
use crate::views::clients::{CoupleExtras, CoupleList};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCouplesQuery {
    pub status: Option<CoupleStatus>,
    /// Only couples this client is a partner of.
    pub client_id: Option<Uuid>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Couples the caller is assigned to (admins too), in creation order.
#[utoipa::path(get, path = "/api/v1/couples", tag = "couples", params(ListCouplesQuery),
    responses((status = 200, body = CoupleList)))]
pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListCouplesQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("couples", 1, q.limit, q.cursor.as_deref())?;
    let client_id = q.client_id.map(|c| c.to_string());
    let filter = ListFilter { status: q.status, client_id: client_id.clone() };
    let page =
        audit::read(&state.db, staff.0, Action::List, ResourceKind::Couple, client_id.clone(), move |conn, staff| {
            let rows = couples::list(conn, staff, &filter, &page)?;
            let extras = CoupleExtras::load(conn, &rows)?;
            Ok(page.finish(rows, |r| vec![r.id.clone()], |r| extras.view(r)))
        })
        .await?;
    Ok(HttpResponse::Ok().json(CoupleList { items: page.items, next_cursor: page.next_cursor }))
}
