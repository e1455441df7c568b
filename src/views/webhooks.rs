//! Webhooks as admins see them. The secret is only in [`WebhookWithSecret`], which only create
//! and rotate-secret answer with.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::domain::webhooks::{EventType, WebhookDeliveryId, WebhookEventId, WebhookId};
use crate::store::webhooks::{DeliveryRow, WebhookRow};

/// A webhook (without its secret).
#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: WebhookId,
    pub url: String,
    pub event_types: Vec<EventType>,
    /// False after a delivery was answered 410, or when an admin paused it.
    pub active: bool,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A webhook with its signing secret: shown on creation and rotation only.
#[derive(Serialize, ToSchema)]
pub struct WebhookWithSecret {
    pub id: WebhookId,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub active: bool,
    pub description: Option<String>,
    /// `whsec_` + base64 of 32 random bytes; the HMAC key is the decoded bytes.
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
    pub next_cursor: Option<String>,
}

pub fn webhook_view(r: WebhookRow) -> WebhookView {
    WebhookView {
        event_types: r.types(),
        id: r.id,
        url: r.url,
        active: r.active,
        description: r.description,
        created_at: instant(r.created_at),
        version: r.version,
    }
}

pub fn with_secret(r: WebhookRow) -> WebhookWithSecret {
    WebhookWithSecret {
        event_types: r.types(),
        id: r.id,
        url: r.url,
        active: r.active,
        description: r.description,
        secret: r.secret,
        created_at: instant(r.created_at),
        version: r.version,
    }
}

/// One delivery attempt.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: WebhookDeliveryId,
    /// The `webhook-id` header: the same on every attempt of the event.
    pub event_id: WebhookEventId,
    pub event_type: EventType,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// The receiver's status code; null while waiting, or when no response came.
    pub status_code: Option<i32>,
    /// Why the attempt failed without a status code (timeout, refused address...).
    pub error: Option<String>,
    /// When the attempt was made; null while it waits.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When a waiting attempt is due; null once made.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
    pub next_cursor: Option<String>,
}

pub fn delivery_view(r: DeliveryRow) -> DeliveryView {
    DeliveryView {
        id: r.id,
        event_id: r.event_id,
        event_type: r.event_type,
        attempt: r.attempt,
        status_code: r.status_code,
        error: r.error,
        delivered_at: r.delivered_at.map(instant),
        next_attempt_at: r.next_attempt_at.map(instant),
    }
}
