use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Admin;
use crate::domain::webhooks::WebhookId;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::webhooks;
use crate::views::webhooks::{delivery_view, DeliveryList};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesQuery {
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The webhook's delivery log: one item per attempt (a waiting one included), newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = WebhookId, Path), ListDeliveriesQuery), responses((status = 200, body = DeliveryList)))]
pub async fn list(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<WebhookId>,
    query: ValidQuery<ListDeliveriesQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let q = query.into_inner();
    let page = PageRequest::parse("webhook_deliveries", 2, q.limit, q.cursor.as_deref())?;
    let resource = Some(id.to_string());
    let page =
        audit::read(&state.db, admin.0, Action::List, ResourceKind::WebhookDelivery, resource, move |conn, a| {
            let hook = webhooks::find(conn, &a.practice_id, &id)?;
            let rows = webhooks::list_deliveries(conn, &hook.id, &page)?;
            Ok(page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], delivery_view))
        })
        .await?;
    Ok(HttpResponse::Ok().json(DeliveryList { items: page.items, next_cursor: page.next_cursor }))
}
