//! One sealing pass: under the lease, the committed events not yet in the chain are given the
//! next seqs in id order, linked, their subjects written, and a checkpoint signed when due.
//!
//! Commit order. Events are inserted by many connections at once (the group-commit writers,
//! and write transactions that commit whenever their work ends), so neither `at` nor the id is
//! the order of commits. The sealer takes what it can see committed, in one snapshot, and seals
//! it in id order after everything sealed before: a seq is the order in which the sealer found
//! events committed. An event that commits late with an earlier id (a long write transaction)
//! is found by a later pass and sealed then, with a higher seq. Each pass looks back from
//! `scan_from` (kept with the lease): a wide pass (the first of a lease holder, then every
//! [`WIDE_EVERY`]) looks at everything since `scan_from` and then moves it to [`WINDOW`] before
//! its own start, since no event written earlier can still commit; the passes in between look
//! back [`NARROW`] only, which is cheap. Nothing here waits for, or adds a statement to, a read.

use std::time::Duration;

use chrono::NaiveDateTime;

use super::chain::{self, GENESIS};
use crate::db::{new_id, now, write_tx, AnyConnection};
use crate::domain::signed_note::{AuditKey, Checkpoint};
use crate::domain::webhooks::EventType;
use crate::problem::AppError;
use crate::store::audit_chain::{self as store, ChainRow, CheckpointRow, SubjectRow};

/// A lease lasts this long; the holder renews it on every pass (every second), so another
/// instance takes over this long after the holder stopped.
pub const LEASE: Duration = Duration::from_secs(10);
/// How far back a wide pass keeps looking: an event whose write has not committed this long
/// after it was made is not expected (Mend's write transactions last milliseconds).
pub const WINDOW: Duration = Duration::from_secs(120);
/// How far back the passes between the wide ones look.
pub const NARROW: Duration = Duration::from_secs(10);
/// How often a pass is wide.
pub const WIDE_EVERY: Duration = Duration::from_secs(30);

/// How the sealer seals.
#[derive(Clone, Debug)]
pub struct Settings {
    pub key: AuditKey,
    /// Events sealed in one transaction at most.
    pub batch: i64,
    /// A checkpoint at least every this many events ...
    pub checkpoint_every: i64,
    /// ... or this long after the last one, when there are new events.
    pub checkpoint_after: Duration,
}

impl Settings {
    pub fn new(key: AuditKey) -> Settings {
        Settings { key, batch: 2000, checkpoint_every: 1000, checkpoint_after: Duration::from_secs(300) }
    }
}

/// Which events a pass looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// Everything since `scan_from`; then `scan_from` moves on.
    Wide,
    /// The last [`NARROW`] only.
    Narrow,
}

/// What one pass did.
#[derive(Debug, Default)]
pub struct Pass {
    /// This instance held the lease (else nothing was done).
    pub held: bool,
    pub sealed: usize,
    /// The batch was full: there may be more to seal at once.
    pub full: bool,
    /// The seq of the last link after this pass.
    pub head: i64,
    /// The id of the last event this pass sealed: where the next pass goes on when the batch
    /// was full.
    pub last: Option<String>,
    pub checkpoint: Option<CheckpointRow>,
}

/// The smallest UUIDv7 (as text) of the millisecond `t`: every id made at or after `t` sorts
/// at or after it.
pub fn id_floor(t: NaiveDateTime) -> String {
    let ms = t.and_utc().timestamp_millis().max(0) as u64;
    format!("{:08x}-{:04x}-7000-8000-000000000000", ms >> 16, ms & 0xffff)
}

fn back(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    t - chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::zero())
}

/// One pass, in one write transaction, if `holder` holds (or can take) the lease. A checkpoint
/// is signed when due, or whenever there is something new and `force_checkpoint` is set.
/// `after` goes on from where a full pass stopped (the ids below it were all looked at then;
/// one that commits later still is found by the next wide pass, which starts at `scan_from`).
pub fn seal_once(
    conn: &mut AnyConnection,
    holder: &str,
    settings: &Settings,
    (scan, after): (Scan, Option<&str>),
    force_checkpoint: bool,
) -> Result<Pass, AppError> {
    write_tx(conn, |c| {
        let start = now();
        let until = start + chrono::TimeDelta::from_std(LEASE).unwrap_or(chrono::TimeDelta::zero());
        let Some(scan_from) = store::take_lease(c, holder, start, until)? else { return Ok(Pass::default()) };
        let from = match scan {
            Scan::Wide => scan_from.clone(),
            Scan::Narrow => scan_from.clone().max(id_floor(back(start, NARROW))),
        };
        let from = after.map_or(from.clone(), |a| from.max(a.to_string()));
        let events = store::unsealed(c, &from, settings.batch)?;
        let full = events.len() as i64 == settings.batch;
        let (mut seq, mut prev) = match store::head(c)? {
            Some((seq, hash)) => (seq, chain::parse_hash(&hash).ok_or_else(|| AppError::internal("bad chain head"))?),
            None => (0, GENESIS),
        };
        let ids: Vec<&str> = events.iter().filter_map(|e| e.resource_id.as_deref()).collect();
        let resolved = crate::store::audit_subjects::resolve_subjects(c, &ids)?;
        let none: Vec<String> = Vec::new();
        let mut links = Vec::with_capacity(events.len());
        let mut subjects = Vec::new();
        for event in &events {
            seq += 1;
            // Only clients of the event's own practice are its subjects.
            let of_event = match (&event.resource_id, &event.practice_id) {
                (Some(r), Some(p)) => resolved.get(r).and_then(|by| by.get(p)).unwrap_or(&none),
                _ => &none,
            };
            prev = chain::link(&prev, &chain::canonical(seq, event, of_event, start));
            links.push(ChainRow { seq, event_id: event.id.clone(), sealed_at: start, hash: hex::encode(prev) });
            if let Some(practice_id) = &event.practice_id {
                for client_id in of_event {
                    subjects.push(SubjectRow { client_id, event_id: &event.id, practice_id, at: event.at, seq });
                }
            }
        }
        store::insert_links(c, &links)?;
        store::insert_subjects(c, &subjects)?;
        if scan == Scan::Wide {
            let floor = id_floor(back(start, WINDOW));
            let next = match (full, events.last()) {
                (true, Some(last)) => floor.min(last.id.clone()),
                _ => floor,
            };
            store::set_scan_from(c, &next)?;
        }
        let checkpoint = checkpoint_if_due(c, settings, seq, &prev, start, force_checkpoint)?;
        let last = events.last().map(|e| e.id.clone());
        Ok(Pass { held: true, sealed: events.len(), full, head: seq, last, checkpoint })
    })
}

fn checkpoint_if_due(
    c: &mut AnyConnection,
    settings: &Settings,
    size: i64,
    hash: &[u8; 32],
    at: NaiveDateTime,
    force: bool,
) -> Result<Option<CheckpointRow>, AppError> {
    let last = store::last_checkpoint(c)?;
    let (last_size, last_at) = last.map_or((0, None), |l| (l.size, Some(l.created_at)));
    if size <= last_size {
        return Ok(None);
    }
    let old =
        last_at.is_none_or(|t| at >= t + chrono::TimeDelta::from_std(settings.checkpoint_after).unwrap_or_default());
    if !(force || old || size - last_size >= settings.checkpoint_every) {
        return Ok(None);
    }
    let body = Checkpoint { origin: settings.key.name().to_string(), size: size as u64, hash: *hash };
    let note = settings.key.sign_note(&body.body()).map_err(AppError::internal)?;
    let verifier = settings.key.verifier();
    let row = CheckpointRow {
        size,
        id: new_id(),
        origin: body.origin.clone(),
        hash: body.hash_base64(),
        key_name: verifier.name().to_string(),
        key_id: verifier.id_hex(),
        note,
        created_at: at,
    };
    store::insert_checkpoint(c, &row)?;
    for practice_id in store::practices_with_webhooks(c)? {
        crate::store::outbox::emit_event(c, &practice_id, EventType::AuditCheckpoint, &row.id)?;
    }
    Ok(Some(row))
}

/// Seals everything committed now (pass after pass until a batch is not full), then signs a
/// checkpoint of the head if there is anything new since the last one: what tests and
/// `mend audit seal` use.
pub fn seal_all(conn: &mut AnyConnection, holder: &str, settings: &Settings) -> Result<Pass, AppError> {
    let (mut total, mut checkpoint, mut after) = (0, None, None::<String>);
    loop {
        let pass = seal_once(conn, holder, settings, (Scan::Wide, after.as_deref()), false)?;
        after = pass.last.clone();
        total += pass.sealed;
        checkpoint = pass.checkpoint.or(checkpoint);
        if !pass.held {
            return Ok(Pass { sealed: total, checkpoint, ..pass });
        }
        if !pass.full {
            let last = seal_once(conn, holder, settings, (Scan::Narrow, None), true)?;
            let checkpoint = last.checkpoint.or(checkpoint);
            return Ok(Pass { sealed: total + last.sealed, checkpoint, ..last });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `id_floor(t)` sorts at or before every UUIDv7 made at or after `t`, and after every one
    /// made a millisecond before: the sealer's window is a range of the primary key.
    #[test]
    fn the_id_floor_bounds_uuid_v7_ids_by_time() {
        let t = chrono::DateTime::from_timestamp(1_764_990_000, 123_000_000).unwrap().naive_utc();
        let id_at = |t: NaiveDateTime| {
            let t = t.and_utc();
            let ts = uuid::Timestamp::from_unix(uuid::NoContext, t.timestamp() as u64, t.timestamp_subsec_nanos());
            uuid::Uuid::new_v7(ts).to_string()
        };
        let floor = id_floor(t);
        assert_eq!(floor.len(), 36);
        for _ in 0..100 {
            assert!(id_at(t) >= floor);
            assert!(id_at(t + chrono::TimeDelta::milliseconds(1)) > floor);
            assert!(id_at(t - chrono::TimeDelta::milliseconds(1)) < floor);
        }
        assert!(id_floor(t) < id_floor(t + chrono::TimeDelta::milliseconds(1)));
    }
}
