//! Queries, one module per resource. Every query that reads personal or clinical data is scoped
//! by practice (and by caseload where the API says so): there is no unscoped find by id.

pub mod access;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod boundaries;
pub mod clients;
pub mod couples;
pub mod idempotency;
pub mod milestones;
pub mod names;
pub mod notes;
pub mod outbox;
pub mod portal;
pub mod practices;
pub mod sessions;
pub mod users;
// ---- consent and release (issue 16) ----
pub mod consent;
pub mod disclosure;
pub mod disclosure_document;
pub mod releases;
// ---- letters and activities (issue 14) ----
pub mod activities;
pub mod letters;
// ---- end letters and activities ----
pub mod audit_chain;
pub mod audit_subjects;
pub mod session_times;
pub mod webhooks;
pub mod worklist;
