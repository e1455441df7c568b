//! The mail outbox: a message is written in the transaction of the change that sends it (an
//! invite, a reset), and any instance's mail worker claims it under a lease and sends it.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::schema::mail_outbox as m;
use crate::db::{new_id, now, AnyConnection};
use crate::domain::mail::Mail;

/// Attempts of one message, the first included.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait after failed attempt n (1-based): 10 s, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h.
const SCHEDULE: [i64; 7] = [10, 60, 300, 900, 1800, 3600, 7200];

pub fn backoff(failed: i32, fixed_ms: Option<u64>) -> chrono::Duration {
    if let Some(ms) = fixed_ms {
        return chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(1000));
    }
    chrono::Duration::seconds(SCHEDULE[(failed.max(1) as usize - 1).min(SCHEDULE.len() - 1)])
}

/// Queues `mail`; answers its id (what the logs name, never the address).
pub fn enqueue(conn: &mut AnyConnection, practice_id: &str, mail: &Mail) -> QueryResult<String> {
    let id = new_id();
    let at = now();
    diesel::insert_into(m::table)
        .values((
            m::id.eq(&id),
            m::practice_id.eq(practice_id),
            m::recipient.eq(&mail.to),
            m::subject.eq(&mail.subject),
            m::body_text.eq(&mail.text),
            m::body_html.eq(&mail.html),
            m::status.eq("pending"),
            m::attempts.eq(0),
            m::next_attempt_at.eq(at),
            m::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    id: String,
}

const CLAIMABLE: &str = "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= {now} \
     AND (claimed_until IS NULL OR claimed_until < {now}) ORDER BY next_attempt_at, id LIMIT {limit}";

/// A claimed message, with what sending it needs.
#[derive(Clone)]
pub struct Outgoing {
    pub id: String,
    pub attempts: i32,
    pub mail: Mail,
}

/// Claims up to `limit` due messages for `me` for `lease`. On PostgreSQL rows another instance
/// is claiming are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the single UPDATE is the claim.
/// An expired lease may be claimed again: a crashed instance's mail goes out.
pub fn claim(conn: &mut AnyConnection, me: &str, lease: Duration, limit: i64) -> QueryResult<Vec<Outgoing>> {
    let at = now();
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let rows: Vec<Claimed> = match conn {
        AnyConnection::Postgresql(c) => {
            let sql = format!(
                "UPDATE mail_outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN ({} FOR UPDATE SKIP LOCKED) \
                 RETURNING id",
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
            let sql = format!(
                "UPDATE mail_outbox SET claimed_by = ?1, claimed_until = ?2 WHERE id IN ({}) RETURNING id",
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
    let ids: Vec<String> = rows.into_iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let loaded: Vec<(String, i32, String, String, String, String)> = m::table
        .filter(m::id.eq_any(&ids))
        .filter(m::claimed_by.eq(me))
        .select((m::id, m::attempts, m::recipient, m::subject, m::body_text, m::body_html))
        .load(conn)?;
    Ok(loaded
        .into_iter()
        .map(|(id, attempts, to, subject, text, html)| Outgoing {
            id,
            attempts,
            mail: Mail { to, subject, text, html },
        })
        .collect())
}

/// Records a sent message: its bodies are cleared (a link in them is a live token). False when
/// `me` no longer holds the claim.
pub fn sent(conn: &mut AnyConnection, me: &str, id: &str) -> QueryResult<bool> {
    let n = diesel::update(m::table.filter(m::id.eq(id)).filter(m::claimed_by.eq(me)).filter(m::status.eq("pending")))
        .set((
            m::status.eq("sent"),
            m::sent_at.eq(Some(now())),
            m::attempts.eq(m::attempts + 1),
            m::body_text.eq(""),
            m::body_html.eq(""),
            m::claimed_until.eq(None::<NaiveDateTime>),
            m::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt: the message waits for its retry, or after [`MAX_ATTEMPTS`] is
/// given up (`failed`, bodies cleared). `error` says what failed, never to whom.
pub fn failed(
    conn: &mut AnyConnection,
    me: &str,
    out: &Outgoing,
    error: &str,
    retry_ms: Option<u64>,
) -> QueryResult<bool> {
    let attempts = out.attempts + 1;
    let mine = m::table.filter(m::id.eq(&out.id)).filter(m::claimed_by.eq(me)).filter(m::status.eq("pending"));
    let n = if attempts >= MAX_ATTEMPTS {
        diesel::update(mine)
            .set((
                m::status.eq("failed"),
                m::attempts.eq(attempts),
                m::body_text.eq(""),
                m::body_html.eq(""),
                m::claimed_until.eq(None::<NaiveDateTime>),
                m::last_error.eq(Some(error)),
            ))
            .execute(conn)?
    } else {
        diesel::update(mine)
            .set((
                m::attempts.eq(attempts),
                m::next_attempt_at.eq(now() + backoff(attempts, retry_ms)),
                m::claimed_until.eq(None::<NaiveDateTime>),
                m::last_error.eq(Some(error)),
            ))
            .execute(conn)?
    };
    Ok(n == 1)
}
