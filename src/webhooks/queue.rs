//! The delivery queue in the database: claiming due attempts under a lease, and recording how
//! an attempt went.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::schema::{webhook_deliveries as d, webhook_events as e, webhooks as w};
use crate::db::{now, write_tx, AnyConnection};
use crate::domain::webhooks::{DeliveryStatus, EventType};
use crate::store::webhooks::insert_attempt;

/// Attempts of one event to one webhook, the first included.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait after failed attempt n (1-based): about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h.
const SCHEDULE: [u64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 86_400];

/// The wait before the attempt after `failed` (jitter ±10 %), or `fixed_ms` when set (tests).
pub fn backoff(failed: i32, fixed_ms: Option<u64>) -> Duration {
    if let Some(ms) = fixed_ms {
        return Duration::from_millis(ms);
    }
    let base = SCHEDULE[(failed.max(1) as usize - 1).min(SCHEDULE.len() - 1)] as f64;
    let jitter = 0.9 + rand::random::<f64>() * 0.2;
    Duration::from_secs_f64(base * jitter)
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Which attempts may be claimed now: for each active webhook with nothing in flight (no
/// attempt under a live lease), its head: the due attempt of its earliest event (event ids are
/// UUIDv7, so in creation order). So a webhook's later event is never sent while an earlier one
/// is in flight or due; one waiting for its retry does not hold the later ones up (in order
/// "where possible": a receiver that fails for a day does not stop the webhook for a day).
/// `{now}` is the current instant's parameter.
const CLAIMABLE: &str = "SELECT d.id FROM webhook_deliveries d WHERE d.id IN (\
       SELECT (SELECT h.id FROM webhook_deliveries h \
               WHERE h.webhook_id = w.id AND h.status = 'pending' AND h.next_attempt_at <= {now} \
               ORDER BY h.event_id, h.id LIMIT 1) \
       FROM webhooks w \
       WHERE w.active \
         AND w.id IN (SELECT q.webhook_id FROM webhook_deliveries q \
                      WHERE q.status = 'pending' AND q.next_attempt_at <= {now}) \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries f \
                         WHERE f.webhook_id = w.id AND f.status = 'pending' AND f.claimed_until >= {now})) \
     AND d.status = 'pending' AND d.next_attempt_at <= {now} \
     AND (d.claimed_until IS NULL OR d.claimed_until < {now}) \
     ORDER BY d.next_attempt_at, d.id LIMIT {limit}";

/// Claims up to `limit` due attempts (at most one per webhook, see [`CLAIMABLE`]) for `me`
/// until `until`. On PostgreSQL a head another instance is claiming is skipped (`FOR UPDATE
/// SKIP LOCKED`), and that instance's claim, once committed, keeps the webhook's later attempts
/// back; so each attempt has one sender at a time, and each webhook one attempt in flight. On
/// SQLite (one process) the single UPDATE is the claim. An expired lease may be claimed again:
/// a crashed instance's attempts resume.
fn claim_ids(
    conn: &mut AnyConnection,
    me: &str,
    until: NaiveDateTime,
    at: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let rows: Vec<Claimed> = match conn {
        AnyConnection::Postgresql(c) => {
            let sql = format!(
                "UPDATE webhook_deliveries SET claimed_by = $1, claimed_until = $2 WHERE id IN ({} \
                 FOR UPDATE OF d SKIP LOCKED) RETURNING id",
                CLAIMABLE.replace("{now}", "$3").replace("{limit}", "$4")
            );
            diesel::sql_query(sql)
                .bind::<Text, _>(me)
                .bind::<Timestamp, _>(until)
                .bind::<Timestamp, _>(at)
                .bind::<BigInt, _>(limit)
                .load(c)?
        }
        AnyConnection::Sqlite(c) => {
            // Numbered parameters: `?3` (now) is used several times.
            let sql = format!(
                "UPDATE webhook_deliveries SET claimed_by = ?1, claimed_until = ?2 WHERE id IN ({}) RETURNING id",
                CLAIMABLE.replace("{now}", "?3").replace("{limit}", "?4")
            );
            diesel::sql_query(sql)
                .bind::<Text, _>(me)
                .bind::<Timestamp, _>(until)
                .bind::<Timestamp, _>(at)
                .bind::<BigInt, _>(limit)
                .load(c)?
        }
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// A claimed attempt, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Work {
    pub delivery_id: String,
    pub practice_id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: EventType,
    pub attempt: i32,
    pub payload: String,
    pub url: String,
    /// The current secret, then the previous one while it is still valid.
    pub secrets: Vec<String>,
}

type WorkRow =
    (String, String, String, String, EventType, i32, String, String, String, Option<String>, Option<NaiveDateTime>);

/// Claims due attempts and loads them.
pub fn claim(conn: &mut AnyConnection, me: &str, lease: Duration, limit: i64) -> QueryResult<Vec<Work>> {
    let at = now();
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let ids = claim_ids(conn, me, until, at, limit)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<WorkRow> = d::table
        .inner_join(w::table)
        .inner_join(e::table)
        .filter(d::id.eq_any(&ids))
        .filter(d::claimed_by.eq(me))
        .select((
            d::id,
            d::practice_id,
            d::webhook_id,
            d::event_id,
            d::event_type,
            d::attempt,
            e::payload,
            w::url,
            w::secret,
            w::previous_secret,
            w::previous_secret_expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                delivery_id,
                practice_id,
                webhook_id,
                event_id,
                event_type,
                attempt,
                payload,
                url,
                secret,
                prev,
                until,
            )| {
                let mut secrets = vec![secret];
                if let (Some(prev), Some(until)) = (prev, until) {
                    if until > at {
                        secrets.push(prev);
                    }
                }
                Work { delivery_id, practice_id, webhook_id, event_id, event_type, attempt, payload, url, secrets }
            },
        )
        .collect())
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The receiver answered with this status.
    Status(u16),
    /// No answer: timeout, refused connection, a refused address.
    Error(String),
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        matches!(self, Outcome::Status(s) if (200..300).contains(s))
    }
}

/// Records an attempt's outcome (only while the claim is still ours), and then: nothing more on
/// success; on 410 the webhook is disabled; otherwise the next attempt is scheduled while
/// attempts remain. False when the claim was lost (the lease expired and another took it).
pub fn finish(
    conn: &mut AnyConnection,
    me: &str,
    work: &Work,
    outcome: &Outcome,
    retry_ms: Option<u64>,
) -> QueryResult<bool> {
    write_tx(conn, |conn| {
        let at = now();
        let (status, code, error) = match outcome {
            Outcome::Status(s) if outcome.succeeded() => (DeliveryStatus::Succeeded, Some(i32::from(*s)), None),
            Outcome::Status(s) => (DeliveryStatus::Failed, Some(i32::from(*s)), None),
            Outcome::Error(e) => (DeliveryStatus::Failed, None, Some(e.clone())),
        };
        let mine = d::table
            .filter(d::id.eq(&work.delivery_id))
            .filter(d::claimed_by.eq(me))
            .filter(d::status.eq(DeliveryStatus::Pending));
        let n = diesel::update(mine)
            .set((
                d::status.eq(status),
                d::status_code.eq(code),
                d::error.eq(error),
                d::delivered_at.eq(Some(at)),
                d::next_attempt_at.eq(None::<NaiveDateTime>),
                d::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        match outcome {
            _ if outcome.succeeded() => {}
            Outcome::Status(410) => {
                diesel::update(w::table.filter(w::id.eq(&work.webhook_id)))
                    .set((w::active.eq(false), w::version.eq(w::version + 1), w::updated_at.eq(at)))
                    .execute(conn)?;
            }
            _ if work.attempt < MAX_ATTEMPTS => {
                let wait =
                    chrono::Duration::from_std(backoff(work.attempt, retry_ms)).unwrap_or(chrono::Duration::hours(1));
                let (p, wid, eid) = (&work.practice_id, &work.webhook_id, &work.event_id);
                insert_attempt(conn, p, wid, eid, work.event_type, work.attempt + 1, at + wait)?;
            }
            _ => {}
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule() {
        let secs = |n| backoff(n, None).as_secs_f64();
        assert!((4.5..=5.5).contains(&secs(1)));
        assert!((270.0..=330.0).contains(&secs(2)));
        assert!((77_760.0..=95_040.0).contains(&secs(7)));
        assert_eq!(backoff(3, Some(50)), Duration::from_millis(50));
    }
}
