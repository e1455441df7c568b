use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Staff;
use crate::domain::{ClientStatus, ResourceKind};
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::clients::{self, ListFilter};
use crate::views::clients::{ClientExtras, ClientList, ClientListItem};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListClientsQuery {
    pub status: Option<ClientStatus>,
    /// Finds clients whose first, last or preferred name contains this text, ignoring case.
    /// `%` and `_` are matched literally. At most 100 characters; empty means no filter.
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Clients the caller may see: all of the practice for an admin, the caseload (directly or
/// through a couple) for a counselor. Ordered by last name, first name, id.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ListClientsQuery),
    responses((status = 200, body = ClientList)))]
pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: ValidQuery<ListClientsQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("clients", 3, q.limit, q.cursor.as_deref())?;
    let filter = ListFilter { status: q.status, q: q.q.filter(|t| !t.is_empty()) };
    let page = audit::read(&state.db, staff.0, Action::List, ResourceKind::Client, None, move |conn, staff| {
        let rows = clients::list(conn, staff, &filter, &page)?;
        let extras = ClientExtras::load(conn, &rows)?;
        let ids: Vec<_> = rows.iter().map(|r| r.id.clone()).collect();
        let times =
            crate::store::session_times::of_clients(conn, &staff.practice_id, &staff.user_id, &ids, crate::db::now())?;
        Ok(page.finish(
            rows,
            |r| vec![r.last_name.clone(), r.first_name.clone(), r.id.to_string()],
            |r| {
                let t = times.get(&r.id);
                ClientListItem::new(extras.view(r), t)
            },
        ))
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClientList { items: page.items, next_cursor: page.next_cursor }))
}
