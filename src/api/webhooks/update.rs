use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::{checked_url, event_types_rule, resolves_public, unique};
use crate::audit::{audited, Action, Target};
use crate::auth::Admin;
use crate::db::now;
use crate::domain::patch::nullable;
use crate::domain::webhooks::{EventType, WebhookDescription, WebhookId, WebhookUrl};
use crate::domain::ResourceKind;
use crate::extract::{field_rule, ValidJson};
use crate::http::{ok_versioned, IfMatch};
use crate::problem::{AppError, AppResult};
use crate::state::AppState;
use crate::store::webhooks::{self, encode_types, WebhookChanges};
use crate::views::webhooks::{webhook_view, WebhookView};

/// Absent fields stay as they are; `description` is cleared with `null`.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "present_fields_are_not_null"))]
pub struct UpdateWebhookRequest {
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "WebhookUrl::check"))]
    #[schema(value_type = WebhookUrl)]
    pub url: Option<Option<String>>,
    /// 1 to 13 types; a repeated one counts once.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "event_types_rule"))]
    #[schema(value_type = Vec<EventType>, min_items = 1, max_items = 13)]
    pub event_types: Option<Option<Vec<EventType>>>,
    /// `true` resumes a webhook disabled by a 410 (its waiting attempts are sent again).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = bool)]
    pub active: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "WebhookDescription::check"))]
    #[schema(value_type = Option<WebhookDescription>)]
    pub description: Option<Option<String>>,
}

fn present_fields_are_not_null(r: &UpdateWebhookRequest) -> Result<(), ValidationError> {
    let nulls = [
        ("url", matches!(r.url, Some(None))),
        ("event_types", matches!(r.event_types, Some(None))),
        ("active", matches!(r.active, Some(None))),
    ];
    match nulls.into_iter().find(|(_, null)| *null) {
        Some((field, _)) => Err(field_rule(field, "must not be null")),
        None => Ok(()),
    }
}

/// Change a webhook's URL, event types, state or description.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = WebhookId, Path)),
    request_body = UpdateWebhookRequest, responses((status = 200, body = WebhookView, headers(("ETag" = String)))))]
pub async fn update(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<WebhookId>,
    if_match: IfMatch,
    body: ValidJson<UpdateWebhookRequest>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = body.into_inner();
    let url = r.url.flatten().map(|u| checked_url(&u, state.config.webhook_allow_insecure)).transpose()?;
    if let Some(url) = &url {
        resolves_public(url, state.config.webhook_allow_insecure).await?;
    }
    let types = r.event_types.flatten().map(unique);
    let (active, description) = (r.active.flatten(), r.description);
    let view = state
        .db
        .run(move |conn| {
            audited(conn, &admin, Target::new(Action::Update, ResourceKind::Webhook, Some(&id)), |conn| {
                let current = webhooks::find(conn, &admin.practice_id, &id)?;
                if_match.check(current.version)?;
                let mut changes = WebhookChanges::of(&current, now());
                if let Some(url) = url {
                    changes.url = url;
                }
                if let Some(types) = &types {
                    changes.event_types = encode_types(types);
                }
                if let Some(active) = active {
                    changes.active = active;
                }
                if let Some(description) = description {
                    changes.description = description;
                }
                if !webhooks::update(conn, &id, current.version, &changes)? {
                    return Err(AppError::PreconditionFailed);
                }
                Ok(webhook_view(webhooks::find(conn, &admin.practice_id, &id)?))
            })
        })
        .await?;
    let version = view.version;
    Ok(ok_versioned(&view, version))
}
