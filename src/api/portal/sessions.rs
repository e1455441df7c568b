use std::collections::{BTreeSet, HashMap};

use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::ids::UserId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::portal;
use crate::views::portal::{PortalSession, PortalSessionList};

/// Sessions the caller attends, by start time, with the summary once the counselor shares it.
#[utoipa::path(get, operation_id = "list_portal_sessions", path = "/api/v1/portal/sessions", tag = "portal", params(PageQuery),
    responses((status = 200, body = PortalSessionList)))]
pub async fn sessions(
    state: web::Data<AppState>,
    client: PortalClient,
    query: ValidQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-sessions", 2, q.limit, q.cursor.as_deref())?;
    let me = client.client_id.clone();
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::Session,
        me.as_deref().map(String::from),
        move |conn, client| {
            let rows = portal::sessions(conn, client, &page)?;
            let counselors: Vec<UserId> =
                rows.iter().map(|r| r.counselor_id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            // An empty page needs no names (and no second statement).
            let names =
                if counselors.is_empty() { HashMap::new() } else { portal::staff_names(conn, client, &counselors)? };
            let page = page.finish(
                rows,
                |r| vec![ts_key(r.starts_at), r.id.to_string()],
                |r| {
                    let name = names.get(&r.counselor_id).cloned();
                    PortalSession::new(r, name)
                },
            );
            Ok(PortalSessionList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
