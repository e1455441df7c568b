use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::domain::webhooks::WebhookId;
use crate::domain::ResourceKind;
use crate::http::IfMatch;
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::webhooks;

/// Remove a webhook and its delivery log; nothing more is sent to it. Audited as `revoke`.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = WebhookId, Path)),
    responses((status = 204)))]
pub async fn delete(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<WebhookId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Delete, ResourceKind::Webhook, Some(&id)), |conn| {
                let current = webhooks::find(conn, &admin.practice_id, &id)?;
                if_match.check(current.version)?;
                Ok(webhooks::delete(conn, &id)?)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
