//! The seal of the audit trail (`crate::seal`): the chain, the subjects of each event, the
//! signed checkpoints and the sealer's lease. Every table here is append-only but the lease.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{audit_chain as c, audit_checkpoints as k, audit_events as a, audit_seal_lease as l};
use crate::db::AnyConnection;

/// An event as stored, every column as written (no vocabulary: the verifier must read whatever
/// a row holds, a tampered word included).
#[derive(Queryable, Selectable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = a)]
pub struct EventRow {
    pub id: String,
    pub practice_id: Option<String>,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub outcome: String,
    pub request_id: String,
    pub ip: Option<String>,
}

/// One link of the chain.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = c)]
pub struct ChainRow {
    pub seq: i64,
    pub event_id: String,
    pub sealed_at: NaiveDateTime,
    pub hash: String,
}

/// One subject of one sealed event.
#[derive(Debug, Clone)]
pub struct SubjectRow<'a> {
    pub client_id: &'a str,
    pub event_id: &'a str,
    pub practice_id: &'a str,
    pub at: NaiveDateTime,
    pub seq: i64,
}

/// A signed checkpoint.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = k)]
pub struct CheckpointRow {
    pub size: i64,
    pub id: String,
    pub origin: String,
    pub hash: String,
    pub key_name: String,
    pub key_id: String,
    pub note: String,
    pub created_at: NaiveDateTime,
}

/// The sealer's lease name (one row).
const LEASE: &str = "sealer";

/// Takes (or renews) the sealer's lease for `holder` until `until`, if it is free, expired or
/// already `holder`'s; answers where the scan for unsealed events starts, or `None` when another
/// instance holds the lease. On PostgreSQL the UPDATE also locks the row until the transaction
/// ends, so two instances never seal at once even if a lease expires mid-run.
pub fn take_lease(
    conn: &mut AnyConnection,
    holder: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Option<String>> {
    diesel::update(l::table.filter(l::name.eq(LEASE)).filter(l::holder.eq(holder).or(l::expires_at.lt(now))))
        .set((l::holder.eq(holder), l::expires_at.eq(until)))
        .returning(l::scan_from)
        .get_result(conn)
        .optional()
}

/// Moves the scan's start (only forward).
pub fn set_scan_from(conn: &mut AnyConnection, from: &str) -> QueryResult<()> {
    diesel::update(l::table.filter(l::name.eq(LEASE)).filter(l::scan_from.lt(from)))
        .set(l::scan_from.eq(from))
        .execute(conn)
        .map(drop)
}

/// Gives the lease up (on a clean stop), so another instance seals at once.
pub fn release_lease(conn: &mut AnyConnection, holder: &str, epoch: NaiveDateTime) -> QueryResult<()> {
    diesel::update(l::table.filter(l::name.eq(LEASE)).filter(l::holder.eq(holder)))
        .set(l::expires_at.eq(epoch))
        .execute(conn)
        .map(drop)
}

/// The last link: its seq and hash.
pub fn head(conn: &mut AnyConnection) -> QueryResult<Option<(i64, String)>> {
    c::table.select((c::seq, c::hash)).order(c::seq.desc()).first(conn).optional()
}

/// Committed events with an id at or after `from` that are not in the chain, in id order. The
/// chain side is bounded by `from` too, so PostgreSQL merges two index ranges of the window
/// instead of hashing the whole chain on every pass (93 ms at 111k links, growing with it).
pub fn unsealed(conn: &mut AnyConnection, from: &str, limit: i64) -> QueryResult<Vec<EventRow>> {
    a::table
        .filter(a::id.ge(from))
        .filter(not(exists(c::table.filter(c::event_id.eq(a::id)).filter(c::event_id.ge(from)))))
        .select(EventRow::as_select())
        .order(a::id)
        .limit(limit)
        .load(conn)
}

/// Every event not in the chain (for `mend audit verify`).
pub fn all_unsealed(conn: &mut AnyConnection) -> QueryResult<Vec<EventRow>> {
    a::table
        .filter(not(exists(c::table.filter(c::event_id.eq(a::id)))))
        .select(EventRow::as_select())
        .order(a::id)
        .load(conn)
}

/// Inserts `rows` (serializable as JSON objects with the table's columns) into `table` in one
/// statement: a multi-row VALUES does not compile through the MultiConnection, and one INSERT
/// per row costs a round trip each (the sealer writes thousands at a time).
fn insert_json<T: serde::Serialize>(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[(&str, &str)],
    rows: &[T],
) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(rows).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let sql = match conn {
        AnyConnection::Postgresql(_) => {
            let typed: Vec<String> = columns.iter().map(|(n, t)| format!("{n} {t}")).collect();
            format!(
                "INSERT INTO {table} ({}) SELECT {} FROM json_to_recordset(CAST($1 AS json)) AS r({})",
                names.join(", "),
                names.join(", "),
                typed.join(", ")
            )
        }
        AnyConnection::Sqlite(_) => {
            let picked: Vec<String> = names.iter().map(|n| format!("json_extract(value, '$.{n}')")).collect();
            format!("INSERT INTO {table} ({}) SELECT {} FROM json_each(?)", names.join(", "), picked.join(", "))
        }
    };
    diesel::sql_query(sql).bind::<Text, _>(json).execute(conn).map(drop)
}

#[derive(serde::Serialize)]
struct LinkJson<'a> {
    seq: i64,
    event_id: &'a str,
    sealed_at: String,
    hash: &'a str,
}

#[derive(serde::Serialize)]
struct SubjectJson<'a> {
    client_id: &'a str,
    event_id: &'a str,
    practice_id: &'a str,
    at: String,
    seq: i64,
}

/// The links of one pass, in one statement.
pub fn insert_links(conn: &mut AnyConnection, links: &[ChainRow]) -> QueryResult<()> {
    let rows: Vec<LinkJson<'_>> = links
        .iter()
        .map(|l| LinkJson {
            seq: l.seq,
            event_id: &l.event_id,
            sealed_at: crate::db::timestamp_text(l.sealed_at),
            hash: &l.hash,
        })
        .collect();
    let columns = [("seq", "bigint"), ("event_id", "text"), ("sealed_at", "timestamp"), ("hash", "text")];
    for chunk in rows.chunks(5000) {
        insert_json(conn, "audit_chain", &columns, chunk)?;
    }
    Ok(())
}

/// The subjects of one pass, in one statement.
pub fn insert_subjects(conn: &mut AnyConnection, subjects: &[SubjectRow<'_>]) -> QueryResult<()> {
    let rows: Vec<SubjectJson<'_>> = subjects
        .iter()
        .map(|s| SubjectJson {
            client_id: s.client_id,
            event_id: s.event_id,
            practice_id: s.practice_id,
            at: crate::db::timestamp_text(s.at),
            seq: s.seq,
        })
        .collect();
    let columns =
        [("client_id", "text"), ("event_id", "text"), ("practice_id", "text"), ("at", "timestamp"), ("seq", "bigint")];
    for chunk in rows.chunks(5000) {
        insert_json(conn, "audit_subjects", &columns, chunk)?;
    }
    Ok(())
}

/// A page of the chain, `after` the given seq, each link with its event (`None`: the event is
/// gone).
pub fn chain_page(conn: &mut AnyConnection, after: i64, limit: i64) -> QueryResult<Vec<(ChainRow, Option<EventRow>)>> {
    let links: Vec<ChainRow> =
        c::table.filter(c::seq.gt(after)).order(c::seq).limit(limit).select(ChainRow::as_select()).load(conn)?;
    let mut events: HashMap<String, EventRow> = HashMap::with_capacity(links.len());
    for chunk in links.chunks(500) {
        let ids: Vec<&str> = chunk.iter().map(|l| l.event_id.as_str()).collect();
        for e in a::table.filter(a::id.eq_any(ids)).select(EventRow::as_select()).load::<EventRow>(conn)? {
            events.insert(e.id.clone(), e);
        }
    }
    Ok(links
        .into_iter()
        .map(|l| {
            let e = events.remove(&l.event_id);
            (l, e)
        })
        .collect())
}

pub fn last_checkpoint(conn: &mut AnyConnection) -> QueryResult<Option<CheckpointRow>> {
    k::table.select(CheckpointRow::as_select()).order(k::size.desc()).first(conn).optional()
}

pub fn insert_checkpoint(conn: &mut AnyConnection, row: &CheckpointRow) -> QueryResult<()> {
    diesel::insert_into(k::table).values(row).execute(conn).map(drop)
}

/// Every checkpoint, smallest first.
pub fn all_checkpoints(conn: &mut AnyConnection) -> QueryResult<Vec<CheckpointRow>> {
    k::table.select(CheckpointRow::as_select()).order(k::size).load(conn)
}

/// A page of checkpoints, newest (largest) first, below `before`.
pub fn checkpoints_page(conn: &mut AnyConnection, before: Option<i64>, limit: i64) -> QueryResult<Vec<CheckpointRow>> {
    let mut q = k::table.select(CheckpointRow::as_select()).into_boxed();
    if let Some(before) = before {
        q = q.filter(k::size.lt(before));
    }
    q.order(k::size.desc()).limit(limit).load(conn)
}

pub fn checkpoint_by_id(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<CheckpointRow>> {
    k::table.filter(k::id.eq(id)).select(CheckpointRow::as_select()).first(conn).optional()
}

/// The practices with an active webhook (each gets an `audit.checkpoint` event to deliver).
pub fn practices_with_webhooks(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    use crate::db::schema::webhooks as w;
    w::table.filter(w::active.eq(true)).select(w::practice_id).distinct().load(conn)
}
