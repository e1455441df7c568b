//! The hash chain: the canonical form of a sealed event and how each link's hash is made.
//!
//! `hash(n) = SHA-256(hash(n-1) || canonical(n))`, with `hash(0)` 32 zero bytes. The canonical
//! form is a JSON array (unambiguous: every string quoted, every absent value `null`) of a
//! version tag, the seq, every column of the event, its subjects (sorted) and when it was
//! sealed. A checkpoint of size `n` signs `hash(n)`.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::store::audit_chain::EventRow;

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// Tags the canonical form, so a later form can never be read as this one.
const FORM: &str = "mend-audit-event/1";

/// An instant as the chain writes it (microseconds, UTC).
pub fn instant(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The canonical form of `event` sealed as number `seq` at `sealed_at` with `subjects`.
pub fn canonical(seq: i64, event: &EventRow, subjects: &[String], sealed_at: NaiveDateTime) -> String {
    let mut subjects = subjects.to_vec();
    subjects.sort();
    subjects.dedup();
    serde_json::json!([
        FORM,
        seq,
        event.id,
        event.practice_id,
        instant(event.at),
        event.actor_id,
        event.actor_role,
        event.action,
        event.resource_type,
        event.resource_id,
        event.outcome,
        event.request_id,
        event.ip,
        subjects,
        instant(sealed_at),
    ])
    .to_string()
}

/// The next link's hash.
pub fn link(prev: &[u8; 32], canonical: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(canonical.as_bytes());
    h.finalize().into()
}

/// A stored hash (64 hex digits).
pub fn parse_hash(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok().and_then(|b| b.try_into().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> EventRow {
        EventRow {
            id: "0192f0d0-0000-7000-8000-000000000001".into(),
            practice_id: Some("p".into()),
            at: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_000).unwrap().naive_utc(),
            actor_id: None,
            actor_role: Some("admin".into()),
            action: "read".into(),
            resource_type: "client".into(),
            resource_id: Some("c".into()),
            outcome: "success".into(),
            request_id: "r".into(),
            ip: None,
        }
    }

    /// Every column, the subjects, the seq and the sealing time are covered: changing any one
    /// changes the hash; an absent value differs from an empty one.
    #[test]
    fn every_field_is_in_the_hash() {
        let e = event();
        let at = e.at;
        let base = link(&GENESIS, &canonical(1, &e, &["a".into()], at));
        let mut changed = Vec::new();
        changed.push(link(&GENESIS, &canonical(2, &e, &["a".into()], at)));
        changed.push(link(&GENESIS, &canonical(1, &e, &[], at)));
        changed.push(link(&GENESIS, &canonical(1, &e, &["a".into()], at + chrono::Duration::microseconds(1))));
        let mut e2 = e.clone();
        e2.actor_id = Some(String::new());
        changed.push(link(&GENESIS, &canonical(1, &e2, &["a".into()], at)));
        let mut e3 = e.clone();
        e3.outcome = "denied".into();
        changed.push(link(&GENESIS, &canonical(1, &e3, &["a".into()], at)));
        changed.push(link(&[1; 32], &canonical(1, &e, &["a".into()], at)));
        for c in changed {
            assert_ne!(c, base);
        }
        assert_eq!(canonical(1, &e, &["b".into(), "a".into()], at), canonical(1, &e, &["a".into(), "b".into()], at));
        assert!(canonical(1, &e, &[], at).contains("\"2023-11-14T22:13:20.123456Z\""));
    }
}
