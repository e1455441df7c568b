use actix_web::{web, HttpResponse};

use crate::audit::{self, Action};
use crate::auth::Admin;
use crate::domain::webhooks::WebhookId;
use crate::domain::ResourceKind;
use crate::http::ok_versioned;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::webhooks;
use crate::views::webhooks::{webhook_view, WebhookView};

/// One webhook of the practice (without its secret).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = WebhookId, Path)),
    responses((status = 200, body = WebhookView, headers(("ETag" = String)))))]
pub async fn read(admin: Admin, state: web::Data<AppState>, path: web::Path<WebhookId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view =
        audit::read(&state.db, admin.0, Action::Read, ResourceKind::Webhook, Some(id.to_string()), move |conn, a| {
            Ok(webhook_view(webhooks::find(conn, &a.practice_id, &id)?))
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
