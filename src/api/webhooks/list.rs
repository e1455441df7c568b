use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::audit::{self, Action};
use crate::auth::Admin;
use crate::domain::ResourceKind;
use crate::extract::ValidQuery;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::boundaries::ts_key;
use crate::store::webhooks;
use crate::views::webhooks::{webhook_view, WebhookList};

#[derive(Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListWebhooksQuery {
    /// 1 to 100, default 25.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The practice's webhooks, oldest first (without secrets).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", params(ListWebhooksQuery),
    responses((status = 200, body = WebhookList)))]
pub async fn list(
    admin: Admin,
    state: web::Data<AppState>,
    query: ValidQuery<ListWebhooksQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let page = PageRequest::parse("webhooks", 2, q.limit, q.cursor.as_deref())?;
    let page = audit::read(&state.db, admin.0, Action::List, ResourceKind::Webhook, None, move |conn, actor| {
        let rows = webhooks::list(conn, &actor.practice_id, &page)?;
        Ok(page.finish(rows, |r| vec![ts_key(r.created_at), r.id.to_string()], webhook_view))
    })
    .await?;
    Ok(HttpResponse::Ok().json(WebhookList { items: page.items, next_cursor: page.next_cursor }))
}
