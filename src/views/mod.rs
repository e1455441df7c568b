//! Response shapes, one per audience. A row is never serialized to the wire.

pub mod clients;
pub mod identity;
pub mod portal;
pub mod sessions;
pub mod trust;

use chrono::{DateTime, NaiveDateTime, Utc};

/// An instant as RFC 3339 UTC.
pub fn instant(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
}
pub mod webhooks;
