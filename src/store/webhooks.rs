//! Webhooks and their delivery log. Every query is scoped by the caller's practice: another
//! practice's webhook is `NotFound` (the caller's 404).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{webhook_deliveries as d, webhooks as w};
use crate::db::AnyConnection;
use crate::domain::ids::PracticeId;
use crate::domain::webhooks::{DeliveryStatus, EventType, WebhookDeliveryId, WebhookEventId, WebhookId};
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::store::boundaries::parse_ts_key;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = w)]
pub struct WebhookRow {
    pub id: WebhookId,
    pub practice_id: PracticeId,
    pub url: String,
    pub event_types: String,
    pub description: Option<String>,
    pub active: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WebhookRow {
    /// The subscribed types. A stored word outside the vocabulary is skipped (never sent).
    pub fn types(&self) -> Vec<EventType> {
        decode_types(&self.event_types)
    }
}

pub fn encode_types(types: &[EventType]) -> String {
    serde_json::to_string(types).unwrap_or_else(|_| "[]".into())
}

pub fn decode_types(text: &str) -> Vec<EventType> {
    serde_json::from_str::<Vec<String>>(text).unwrap_or_default().iter().filter_map(|t| EventType::parse(t)).collect()
}

#[derive(Insertable)]
#[diesel(table_name = w, treat_none_as_default_value = false)]
pub struct NewWebhook {
    pub id: WebhookId,
    pub practice_id: PracticeId,
    pub url: String,
    pub event_types: String,
    pub description: Option<String>,
    pub active: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields a PATCH or a rotation may change.
#[derive(AsChangeset)]
#[diesel(table_name = w, treat_none_as_null = true)]
pub struct WebhookChanges {
    pub url: String,
    pub event_types: String,
    pub description: Option<String>,
    pub active: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

impl WebhookChanges {
    /// The row as it is, one version on (callers change what they change).
    pub fn of(r: &WebhookRow, at: NaiveDateTime) -> WebhookChanges {
        WebhookChanges {
            url: r.url.clone(),
            event_types: r.event_types.clone(),
            description: r.description.clone(),
            active: r.active,
            secret: r.secret.clone(),
            previous_secret: r.previous_secret.clone(),
            previous_secret_expires_at: r.previous_secret_expires_at,
            version: r.version + 1,
            updated_at: at,
        }
    }
}

pub fn create(conn: &mut AnyConnection, new: &NewWebhook) -> QueryResult<()> {
    diesel::insert_into(w::table).values(new).execute(conn).map(|_| ())
}

/// A webhook of the practice (`NotFound` for another practice's).
pub fn find(conn: &mut AnyConnection, practice_id: &PracticeId, id: &WebhookId) -> QueryResult<WebhookRow> {
    w::table.filter(w::practice_id.eq(practice_id)).filter(w::id.eq(id)).select(WebhookRow::as_select()).first(conn)
}

/// The practice's webhooks in creation order (created_at, id), one page.
pub fn list(conn: &mut AnyConnection, practice_id: &PracticeId, page: &PageRequest) -> AppResult<Vec<WebhookRow>> {
    let mut q = w::table.filter(w::practice_id.eq(practice_id)).select(WebhookRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(w::created_at.ge(at)).filter(w::created_at.gt(at).or(w::created_at.eq(at).and(w::id.gt(id))));
    }
    Ok(q.order((w::created_at.asc(), w::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Writes `changes` if the row is still at `version`; false when it moved on (412).
pub fn update(conn: &mut AnyConnection, id: &WebhookId, version: i64, changes: &WebhookChanges) -> QueryResult<bool> {
    let n = diesel::update(w::table.filter(w::id.eq(id)).filter(w::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

/// Removes a webhook with its delivery log (the outbox events stay: other webhooks may use them).
pub fn delete(conn: &mut AnyConnection, id: &WebhookId) -> QueryResult<()> {
    diesel::delete(d::table.filter(d::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(w::table.filter(w::id.eq(id))).execute(conn).map(|_| ())
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = d)]
pub struct DeliveryRow {
    pub id: WebhookDeliveryId,
    pub practice_id: PracticeId,
    pub webhook_id: WebhookId,
    pub event_id: WebhookEventId,
    pub event_type: EventType,
    pub attempt: i32,
    pub status: DeliveryStatus,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A new pending attempt, due at `due`.
pub fn insert_attempt(
    conn: &mut AnyConnection,
    practice_id: &str,
    webhook_id: &str,
    event_id: &str,
    event_type: EventType,
    attempt: i32,
    due: NaiveDateTime,
) -> QueryResult<WebhookDeliveryId> {
    let id = WebhookDeliveryId::new();
    diesel::insert_into(d::table)
        .values((
            d::id.eq(&id),
            d::practice_id.eq(practice_id),
            d::webhook_id.eq(webhook_id),
            d::event_id.eq(event_id),
            d::event_type.eq(event_type),
            d::attempt.eq(attempt),
            d::status.eq(DeliveryStatus::Pending),
            d::next_attempt_at.eq(Some(due)),
            d::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A webhook's delivery attempts, newest first (created_at, id descending), one page.
pub fn list_deliveries(
    conn: &mut AnyConnection,
    webhook_id: &WebhookId,
    page: &PageRequest,
) -> AppResult<Vec<DeliveryRow>> {
    let mut q = d::table.filter(d::webhook_id.eq(webhook_id)).select(DeliveryRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(d::created_at.le(at)).filter(d::created_at.lt(at).or(d::created_at.eq(at).and(d::id.lt(id))));
    }
    Ok(q.order((d::created_at.desc(), d::id.desc())).limit(page.fetch()).load(conn)?)
}

/// One attempt of a webhook of the practice.
pub fn find_delivery(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    webhook_id: &WebhookId,
    id: &WebhookDeliveryId,
) -> QueryResult<DeliveryRow> {
    d::table
        .filter(d::practice_id.eq(practice_id))
        .filter(d::webhook_id.eq(webhook_id))
        .filter(d::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
}

/// The event's pending attempt to this webhook, if one waits.
pub fn pending_of(
    conn: &mut AnyConnection,
    webhook_id: &WebhookId,
    event_id: &WebhookEventId,
) -> QueryResult<Option<DeliveryRow>> {
    d::table
        .filter(d::webhook_id.eq(webhook_id))
        .filter(d::event_id.eq(event_id))
        .filter(d::status.eq(DeliveryStatus::Pending))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// The highest attempt number of the event to this webhook.
pub fn last_attempt(conn: &mut AnyConnection, webhook_id: &WebhookId, event_id: &WebhookEventId) -> QueryResult<i32> {
    d::table
        .filter(d::webhook_id.eq(webhook_id))
        .filter(d::event_id.eq(event_id))
        .select(diesel::dsl::max(d::attempt))
        .first::<Option<i32>>(conn)
        .map(|m| m.unwrap_or(0))
}

/// Makes a pending attempt due now.
pub fn make_due(conn: &mut AnyConnection, id: &WebhookDeliveryId, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(d::table.filter(d::id.eq(id))).set(d::next_attempt_at.eq(Some(at))).execute(conn).map(|_| ())
}
