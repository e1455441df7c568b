use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::date;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::releases;
use crate::views::releases::{PortalRelease, PortalReleaseList};

/// Releases that need the caller's authorization or have it, in the order they were made.
#[utoipa::path(get, operation_id = "list_portal_releases", path = "/api/v1/portal/releases", tag = "portal", params(PageQuery),
    responses((status = 200, body = PortalReleaseList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-releases", 2, q.limit, q.cursor.as_deref())?;
    let me = client.client_id.clone();
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::Release,
        me.as_ref().map(|c| c.to_string()),
        move |conn, client| {
            let me = me.ok_or(AppError::NotFound)?;
            let scope = releases::of_client(client).ok_or(AppError::NotFound)?;
            let rows = releases::list(conn, scope, None, &page)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let auths = releases::authorizers(conn, &ids)?;
            let today = date::today();
            let page = page.finish(
                rows,
                |r| vec![ts_key(r.created_at), r.id.clone()],
                |r| PortalRelease::new(r, &auths, &me, today),
            );
            Ok(PortalReleaseList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
