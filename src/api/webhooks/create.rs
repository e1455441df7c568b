use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{checked_url, event_types_rule, resolves_public, unique};
use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::db::now;
use crate::domain::webhooks::{EventType, WebhookDescription, WebhookId, WebhookUrl};
use crate::domain::ResourceKind;
use crate::extract::ValidJson;
use crate::http::{created, API};
use crate::problem::AppResult;
use crate::state::AppState;
use crate::store::webhooks::{self, encode_types, NewWebhook};
use crate::views::webhooks::{with_secret, WebhookWithSecret};
use crate::webhooks::sign::new_secret;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    #[validate(custom(function = "WebhookUrl::check"))]
    #[schema(value_type = WebhookUrl)]
    pub url: String,
    /// 1 to 13 types; a repeated one counts once.
    #[validate(custom(function = "event_types_rule"))]
    #[schema(min_items = 1, max_items = 13)]
    pub event_types: Vec<EventType>,
    #[validate(custom(function = "WebhookDescription::check"))]
    #[schema(value_type = Option<WebhookDescription>)]
    pub description: Option<String>,
}

/// Register a webhook. The answer holds its signing secret: the only time it is shown (besides
/// a rotation).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = CreateWebhookRequest,
    responses((status = 201, body = WebhookWithSecret, headers(("Location" = String), ("ETag" = String)))))]
pub async fn create(
    admin: Admin,
    state: web::Data<AppState>,
    body: ValidJson<CreateWebhookRequest>,
) -> AppResult<HttpResponse> {
    let r = body.into_inner();
    let url = checked_url(&r.url, state.config.webhook_allow_insecure)?;
    resolves_public(&url, state.config.webhook_allow_insecure).await?;
    let id = WebhookId::new();
    let at = now();
    let new = NewWebhook {
        id: id.clone(),
        practice_id: admin.practice_id.clone(),
        url,
        event_types: encode_types(&unique(r.event_types)),
        description: r.description,
        active: true,
        secret: new_secret(),
        previous_secret: None,
        previous_secret_expires_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Create, ResourceKind::Webhook, Some(&id)), |conn| {
                webhooks::create(conn, &new)?;
                Ok(with_secret(webhooks::find(conn, &admin.practice_id, &id)?))
            })
        })
        .await?;
    let (location, version) = (format!("{API}/webhooks/{}", view.id), view.version);
    Ok(created(&view, location, Some(version)))
}
