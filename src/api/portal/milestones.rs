use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::milestones;
use crate::views::portal::{PortalMilestone, PortalMilestoneList};

/// The milestones the counselor has made visible, of each of the caller's couples, ordered by
/// couple, then position.
#[utoipa::path(get, operation_id = "list_portal_milestones", path = "/api/v1/portal/milestones", tag = "portal", params(PageQuery),
    responses((status = 200, body = PortalMilestoneList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-milestones", 3, q.limit, q.cursor.as_deref())?;
    let id = client.client_id.clone();
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::Milestone,
        id.as_deref().map(String::from),
        move |conn, client| {
            let rows = milestones::list_for_client(conn, client, &page)?;
            let page = page.finish(
                rows,
                |r| vec![r.couple_id.to_string(), r.position.to_string(), r.id.to_string()],
                PortalMilestone::from,
            );
            Ok(PortalMilestoneList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
