use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::ids::ClientId;
use crate::domain::{CoupleStatus, ResourceKind};
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::couples::{self, ListFilter};
use crate::views::clients::{CoupleList, CoupleParts};

/// A `client_id` that is not a UUID is a 400; a `q` over 100 characters a 422.
#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCouplesQuery {
    pub status: Option<CoupleStatus>,
    /// Only couples this client is a partner of.
    pub client_id: Option<ClientId>,
    /// Finds couples either of whose partners' first, last or preferred name contains this
    /// text, ignoring case (as `GET /clients?q=`). At most 100 characters; empty means no filter.
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Couples the caller is assigned to, in creation order; an admin finds every couple of the
/// practice (those they are not assigned to in the directory view: partners, counselors, status,
/// nothing clinical). `q` finds couples by either partner's name. A `client_id` the caller may
/// not see is a 404.
#[utoipa::path(get, path = "/api/v1/couples", tag = "couples", params(ListCouplesQuery),
    responses((status = 200, body = CoupleList)))]
pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: ValidQuery<ListCouplesQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("couples", 1, q.limit, q.cursor.as_deref())?;
    let audited_id = q.client_id.as_ref().map(|c| c.to_string());
    let filter = ListFilter { status: q.status, client_id: q.client_id, q: q.q.filter(|t| !t.is_empty()) };
    let page = audit::read(&state.db, staff.0, Action::List, ResourceKind::Couple, audited_id, move |conn, staff| {
        // A filter naming a client the caller may not see is a 404 (a denial), never an empty list.
        if let Some(client_id) = &filter.client_id {
            if !crate::auth::access::client_visible(conn, staff, client_id)? {
                return Err(AppError::NotFound);
            }
        }
        // One statement: the page with its partners' names, counselors and session times.
        let rows: Vec<CoupleParts> =
            couples::list(conn, staff, &filter, &page, crate::db::now())?.into_iter().map(CoupleParts::from).collect();
        Ok(page.finish(rows, |r| vec![r.id().to_string()], |r| r.item(&staff.user_id)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(CoupleList { items: page.items, next_cursor: page.next_cursor }))
}
