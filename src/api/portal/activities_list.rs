use actix_web::{web, HttpResponse};

use crate::api::boundaries::list::PageQuery;
use crate::audit::{self, Action};
use crate::auth::PortalClient;
use crate::domain::activities::ActivityStatus;
use crate::domain::ResourceKind;
use crate::pagination::PageRequest;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::activities;
use crate::store::boundaries::ts_key;
use crate::views::activities::{PortalActivity, PortalActivityList};

/// Active and paused activities of the caller's couples that are for both partners or for the
/// caller, in the order they were assigned. An activity for the other partner is not listed.
#[utoipa::path(get, path = "/api/v1/portal/activities", tag = "portal", params(PageQuery),
    responses((status = 200, body = PortalActivityList)))]
pub async fn list(
    state: web::Data<AppState>,
    client: PortalClient,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("portal-activities", 2, q.limit, q.cursor.as_deref())?;
    let me = client.client_id.clone();
    let list = audit::read(
        &state.db,
        client.0,
        Action::List,
        ResourceKind::Activity,
        me.as_deref().map(String::from),
        move |conn, client| {
            let scope = activities::of_client(client).ok_or(AppError::NotFound)?;
            let rows =
                activities::list(conn, scope, None, Some(&[ActivityStatus::Active, ActivityStatus::Paused]), &page)?;
            let page = page.finish(rows, |r| vec![ts_key(r.created_at), r.id.clone()], PortalActivity::from);
            Ok(PortalActivityList { items: page.items, next_cursor: page.next_cursor })
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(list))
}
