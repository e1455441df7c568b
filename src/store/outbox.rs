//! The transactional outbox: written inside a successful write's transaction, so an event exists
//! exactly when its change was committed.
//!
//! Two ways in. Most events are the audited action itself (`client.created` is every successful
//! `create` of a client): the audit layer calls [`emit`] with its `(action, kind)`. An event that
//! is a state transition (`boundary.activated`, `milestone.achieved`, `release.authorized`,
//! `summary.shared`) is emitted by the handler that makes the transition, with [`emit_event`],
//! inside the same audited work: only the handler knows the state before and after, and its
//! version- or lock-checked write makes the transition happen once.

use diesel::prelude::*;
use serde_json::{Map, Value};

use crate::db::schema::{webhook_events as e, webhooks as w};
use crate::db::{now, AnyConnection};
use crate::domain::audit::Action;
use crate::domain::webhooks::{EventType, WebhookEventId};
use crate::domain::ResourceKind;
use crate::store::webhooks::{decode_types, insert_attempt};

/// Emits the event of a successful `(action, kind)` on resource `id`, if it is one
/// ([`EventType::of`]).
pub fn emit(
    conn: &mut AnyConnection,
    practice_id: Option<&str>,
    action: Action,
    kind: ResourceKind,
    id: Option<&str>,
) -> QueryResult<()> {
    match (EventType::of(action, kind), practice_id, id) {
        (Some(event_type), Some(practice_id), Some(id)) => emit_event(conn, practice_id, event_type, id),
        _ => Ok(()),
    }
}

/// Emits `event_type` about resource `id` of the practice: one outbox row and one due delivery
/// per active webhook of the practice subscribed to the type; nothing when none is. Call it in
/// the transaction of the change. The payload holds ids only ([`data`]).
pub fn emit_event(conn: &mut AnyConnection, practice_id: &str, event_type: EventType, id: &str) -> QueryResult<()> {
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
        "timestamp": crate::domain::date::instant(at),
        "data": data(conn, practice_id, event_type, id)?,
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

/// The `data` of an event: `practice_id`, the resource's `id`, and the ids it belongs to where
/// it has them (`couple_id`, `client_id`; a note's `session_id`, a log's `activity_id`). Ids
/// only: never a name, an email or clinical text. A `null` link is left out.
fn data(conn: &mut AnyConnection, practice_id: &str, event_type: EventType, id: &str) -> QueryResult<Value> {
    use crate::db::schema::{
        activities as act, activity_logs as al, assessments as asm, boundaries as b, letters as l, milestones as m,
        notes as n, releases as r, sessions as s,
    };
    use EventType as E;
    type Links = Vec<(&'static str, Option<String>)>;
    let one = |couple: Option<String>| -> Links { vec![("couple_id", couple)] };
    let links: Links = match event_type {
        E::ClientCreated | E::CoupleCreated => Vec::new(),
        E::SessionCreated | E::SessionUpdated | E::SummaryShared => {
            let row = s::table.find(id).select((s::couple_id, s::client_id)).first(conn).optional()?;
            let (couple, client) = row.unwrap_or_default();
            vec![("couple_id", couple), ("client_id", client)]
        }
        E::NoteSigned => {
            let row: Option<(String, Option<String>, Option<String>)> =
                n::table.find(id).select((n::session_id, n::couple_id, n::client_id)).first(conn).optional()?;
            let (session, couple, client) = row.map_or((None, None, None), |(s, co, cl)| (Some(s), co, cl));
            vec![("session_id", session), ("couple_id", couple), ("client_id", client)]
        }
        E::BoundaryActivated => one(b::table.find(id).select(b::couple_id).first(conn).optional()?),
        E::MilestoneAchieved => one(m::table.find(id).select(m::couple_id).first(conn).optional()?),
        E::LetterReleased => one(l::table.find(id).select(l::couple_id).first(conn).optional()?),
        E::ActivityLogged => {
            let row: Option<(String, String, String)> = al::table
                .inner_join(act::table)
                .filter(al::id.eq(id))
                .select((al::activity_id, act::couple_id, al::client_id))
                .first(conn)
                .optional()?;
            let (activity, couple, client) =
                row.map_or((None, None, None), |(a, co, cl)| (Some(a), Some(co), Some(cl)));
            vec![("activity_id", activity), ("couple_id", couple), ("client_id", client)]
        }
        E::AssessmentCompleted => {
            let row: Option<(Option<String>, String)> =
                asm::table.find(id).select((asm::couple_id, asm::client_id)).first(conn).optional()?;
            let (couple, client) = row.map_or((None, None), |(co, cl)| (co, Some(cl)));
            vec![("couple_id", couple), ("client_id", client)]
        }
        E::AuditCheckpoint => Vec::new(),
        E::ReleaseAuthorized | E::ReleaseDisclosed => {
            let row = r::table.find(id).select((r::couple_id, r::client_id)).first(conn).optional()?;
            let (couple, client) = row.unwrap_or_default();
            vec![("couple_id", couple), ("client_id", client)]
        }
    };
    let mut data = Map::new();
    data.insert("practice_id".into(), Value::from(practice_id));
    data.insert("id".into(), Value::from(id));
    for (key, value) in links {
        if let Some(value) = value {
            data.insert(key.into(), Value::from(value));
        }
    }
    if event_type == E::AuditCheckpoint {
        if let Some(cp) = crate::store::audit_chain::checkpoint_by_id(conn, id)? {
            data.insert("origin".into(), Value::from(cp.origin));
            data.insert("size".into(), Value::from(cp.size));
            data.insert("hash".into(), Value::from(cp.hash));
            data.insert("key_id".into(), Value::from(cp.key_id));
            data.insert("note".into(), Value::from(cp.note));
        }
    }
    Ok(Value::Object(data))
}
