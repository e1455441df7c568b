//! The transactional outbox: called by the audit layer inside a successful write's
//! transaction, so an event exists exactly when its change was committed.

use diesel::prelude::*;

use crate::audit::Action;
use crate::db::schema::{webhook_events as e, webhooks as w};
use crate::db::{now, AnyConnection};
use crate::domain::webhooks::{EventType, WebhookEventId};
use crate::domain::ResourceKind;
use crate::store::webhooks::{decode_types, insert_attempt};

/// Emits the event of a successful `(action, kind)` on resource `id`, if it is one: one outbox
/// row and one due delivery per active webhook of the practice subscribed to its type. Nothing
/// is written when no webhook wants it. The payload holds ids only.
pub fn emit(
    conn: &mut AnyConnection,
    practice_id: Option<&str>,
    action: Action,
    kind: ResourceKind,
    id: Option<&str>,
) -> QueryResult<()> {
    let (Some(event_type), Some(practice_id), Some(id)) = (EventType::of(action, kind), practice_id, id) else {
        return Ok(());
    };
    let hooks: Vec<(String, String)> = w::table
        .filter(w::practice_id.eq(practice_id))
        .filter(w::active.eq(true))
        .select((w::id, w::event_types))
        .load(conn)?;
    let subscribed: Vec<String> =
        hooks.into_iter().filter(|(_, types)| decode_types(types).contains(&event_type)).map(|(id, _)| id).collect();
    if subscribed.is_empty() {
        return Ok(());
    }
    let at = now();
    let event_id = WebhookEventId::new();
    let payload = serde_json::json!({
        "type": event_type.as_str(),
        "timestamp": crate::views::instant(at),
        "data": { "practice_id": practice_id, "id": id },
    });
    diesel::insert_into(e::table)
        .values((
            e::id.eq(&event_id),
            e::practice_id.eq(practice_id),
            e::event_type.eq(event_type),
            e::payload.eq(payload.to_string()),
            e::created_at.eq(at),
        ))
        .execute(conn)?;
    for webhook_id in subscribed {
        insert_attempt(conn, practice_id, &webhook_id, &event_id, event_type, 1, at)?;
    }
    Ok(())
}
