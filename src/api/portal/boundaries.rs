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
use crate::views::portal::{PortalBoundary, PortalBoundaryList};

/// Boundaries of the caller's couples, in the order they were made, with the caller's own
/// acknowledgement.
#[utoipa::path(get, operation_id = "list_portal_boundaries", path = "/api/v1/portal/boundaries", tag = "portal", params(PageQuery),
    responses((status = 200, body = PortalBoundaryList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-boundaries", 2, q.limit, q.cursor.as_deref())?;
    let me = client.client_id.clone();
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::Boundary,
        me.as_deref().map(String::from),
        move |conn, client| {
            let me = me.ok_or(AppError::NotFound)?;
            let scope = boundaries::of_client(client).ok_or(AppError::NotFound)?;
            let rows = boundaries::list(conn, scope, None, &page)?;
            let ids: Vec<BoundaryId> = rows.iter().map(|r| r.id.clone()).collect();
            let mine: Vec<_> =
                boundaries::acknowledgements(conn, &ids)?.into_iter().filter(|a| a.client_id == me).collect();
            let page = page.finish(
                rows,
                |r| vec![ts_key(r.created_at), r.id.to_string()],
                |r| {
                    let at = mine.iter().find(|a| a.boundary_id == r.id).map(|a| a.acknowledged_at);
                    PortalBoundary::new(r, at)
                },
            );
            Ok(PortalBoundaryList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
