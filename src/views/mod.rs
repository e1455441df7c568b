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
pub mod pdf;
pub mod release_document;
pub mod releases;
pub mod releases_preview;
pub mod schema;
// ---- letters and activities (issue 14) ----
pub mod activities;
pub mod letters;
// ---- end letters and activities ----

pub use crate::domain::date::instant;
pub mod access_report;
pub mod webhooks;
pub mod worklist;
