use actix_web::{web, HttpResponse};

use crate::audit::{audited_under, Action, Target};
use crate::auth::Admin;
use crate::db::now;
use crate::domain::webhooks::{WebhookDeliveryId, WebhookId};
use crate::domain::ResourceKind;
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::webhooks;
use crate::views::webhooks::{delivery_view, DeliveryView};

/// Send the delivery's event again now: its waiting attempt is made due, or a new attempt is
/// queued. 409 while the webhook is inactive. The answer is the attempt that will be made.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", tag = "webhooks",
    params(("id" = WebhookId, Path), ("delivery_id" = WebhookDeliveryId, Path)),
    responses((status = 202, body = DeliveryView)))]
pub async fn retry(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<(WebhookId, WebhookDeliveryId)>,
) -> AppResult<HttpResponse> {
    let (id, delivery_id) = path.into_inner();
    let view = state
        .db
        .run(move |conn| {
            let target = Target::new(Action::Create, ResourceKind::WebhookDelivery, Some(&delivery_id));
            let parent = Target::new(Action::Create, ResourceKind::WebhookDelivery, Some(&delivery_id));
            audited_under(conn, &admin, target, parent, |conn| {
                let hook = webhooks::find(conn, &admin.practice_id, &id)?;
                let delivery = webhooks::find_delivery(conn, &admin.practice_id, &hook.id, &delivery_id)?;
                if !hook.active {
                    return Err(AppError::Conflict("The webhook is inactive; activate it first.".into()));
                }
                let at = now();
                let pending = match webhooks::pending_of(conn, &hook.id, &delivery.event_id)? {
                    Some(p) => {
                        webhooks::make_due(conn, &p.id, at)?;
                        p.id
                    }
                    None => {
                        let attempt = webhooks::last_attempt(conn, &hook.id, &delivery.event_id)? + 1;
                        let (p, e) = (&delivery.practice_id, &delivery.event_id);
                        webhooks::insert_attempt(conn, p, &hook.id, e, delivery.event_type, attempt, at)?
                    }
                };
                Ok(delivery_view(webhooks::find_delivery(conn, &admin.practice_id, &hook.id, &pending)?))
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().json(view))
}
