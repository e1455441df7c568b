use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::access::{clinical_refusal, NEEDS_ASSIGNMENT};
use crate::auth::Staff;
use crate::domain::ids::ClientId;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::releases;
use crate::views::releases::{DisclosureList, DisclosureView};

/// The accounting of disclosures of a client's records (HIPAA 164.528): every disclosure that
/// carried them, of their own records or of a couple's, oldest first, with its date,
/// recipient, purpose and what it held. Only disclosures of releases the caller may read
/// (`GET /releases/{id}` would answer them) are listed.
#[utoipa::path(get, operation_id = "list_client_disclosures", path = "/api/v1/clients/{id}/disclosures", tag = "releases",
    params(("id" = ClientId, Path), PageQuery), responses((status = 200, body = DisclosureList)))]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<ClientId>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let client_id = path.into_inner().to_string();
    let q = query.into_inner();
    let page = PageRequest::parse("disclosures", 2, q.limit, q.cursor.as_deref())?;
    let list = audit::read(
        &state.db,
        staff.0,
        Action::List,
        ResourceKind::Disclosure,
        Some(client_id.clone()),
        move |conn, staff| {
            if !releases::client_in_care(conn, staff, &client_id)? {
                return Err(clinical_refusal(conn, staff, &client_id, NEEDS_ASSIGNMENT)?);
            }
            let rows = releases::accounting(conn, staff, &client_id, &page)?;
            let page = page.finish(rows, |r| vec![ts_key(r.disclosed_at), r.id.clone()], DisclosureView::from);
            Ok(DisclosureList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
