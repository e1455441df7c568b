use actix_web::{web, HttpResponse};

use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::db::now;
use crate::domain::webhooks::WebhookId;
use crate::domain::ResourceKind;
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::webhooks::{self, WebhookChanges};
use crate::views::webhooks::{with_secret, WebhookWithSecret};
use crate::webhooks::sign::new_secret;

/// How long the secret before a rotation stays valid (deliveries carry both signatures).
pub const OVERLAP_HOURS: i64 = 24;

/// Give the webhook a new secret, shown in the answer only. For 24 hours deliveries carry a
/// signature with each, so receivers can switch without losing one. Audited as `update`.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = WebhookId, Path)), responses((status = 200, body = WebhookWithSecret, headers(("ETag" = String)))))]
pub async fn rotate(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<WebhookId>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Update, ResourceKind::Webhook, Some(&id)), |conn| {
                let current = webhooks::find(conn, &admin.practice_id, &id)?;
                if_match.check(current.version)?;
                let at = now();
                let mut changes = WebhookChanges::of(&current, at);
                changes.previous_secret = Some(current.secret.clone());
                changes.previous_secret_expires_at = Some(at + chrono::Duration::hours(OVERLAP_HOURS));
                changes.secret = new_secret();
                if !webhooks::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                Ok(with_secret(webhooks::find(conn, &admin.practice_id, &id)?))
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
