use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::consent;
use crate::views::consent::{PortalConsent, PortalConsentList};

/// The current confidentiality policy of each of the caller's couples, with the caller's own
/// signature of it; ordered by couple id.
#[utoipa::path(get, operation_id = "list_portal_consents", path = "/api/v1/portal/consents", tag = "portal", params(PageQuery),
    responses((status = 200, body = PortalConsentList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-consents", 1, q.limit, q.cursor.as_deref())?;
    let me = client.client_id.clone();
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::ConfidentialityPolicy,
        me.as_ref().map(|c| c.to_string()),
        move |conn, client| {
            let me = me.ok_or(AppError::NotFound)?;
            let rows = consent::current_of_client(conn, client, &page)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let mine = consent::signatures_by(conn, &ids, &me)?;
            let page = page.finish(
                rows,
                |r| vec![r.couple_id.clone()],
                |r| {
                    let at = mine.iter().find(|s| s.policy_id == r.id).map(|s| s.signed_at);
                    PortalConsent::new(r, at)
                },
            );
            Ok(PortalConsentList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
