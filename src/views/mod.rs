//! Response shapes, one per audience. A row is never serialized to the wire.

pub mod assessments;
pub mod assessments_chart;
pub mod clients;
pub mod identity;
pub mod portal;
pub mod sessions;
pub mod trust;
// ---- consent and release (issue 16) ----
pub mod consent;
pub mod releases;
// ---- letters and activities (issue 14) ----
pub mod activities;
pub mod letters;
// ---- end letters and activities ----

use chrono::{DateTime, NaiveDateTime, Utc};

/// An instant as RFC 3339 UTC.
pub fn instant(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
}
pub mod webhooks;
pub mod worklist;
