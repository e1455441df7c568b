//! Handlers, one file per action, grouped by resource. The route table is in `app.rs`.

pub mod assessments;
pub mod audit;
pub mod auth;
pub mod boundaries;
pub mod clients;
pub mod couples;
pub mod fhir;
pub mod health;
pub mod invites;
pub mod me;
pub mod milestones;
pub mod notes;
pub mod pages;
pub mod portal;
pub mod practice;
pub mod sessions;
pub mod users;
// ---- consent and release (issue 16) ----
pub mod consent;
pub mod releases;
// ---- letters and activities (issue 14) ----
pub mod activities;
pub mod letters;
// ---- end letters and activities ----
pub mod webhooks;
pub mod worklist;
