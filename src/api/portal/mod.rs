//! The client portal: a client's own record, the sessions they attend, and the boundaries and
//! visible milestones of their couples. Role `client` only (`PortalClient`); every read and
//! write is audited with the client user as the actor.

pub mod acknowledge;
// ---- outcome measures ----
pub mod assessments_list;
pub mod assessments_read;
pub mod assessments_respond;
// ---- end outcome measures ----
pub mod boundaries;
pub mod check_in_create;
pub mod check_in_list;
pub mod me;
pub mod milestones;
pub mod sessions;
// ---- consent and release (issue 16) ----
pub mod consents_list;
pub mod consents_sign;
pub mod releases_authorize;
pub mod releases_list;
pub mod releases_preview;
pub mod releases_revoke;
// ---- letters and activities (issue 14) ----
pub mod activities_list;
pub mod activities_log_create;
pub mod activities_log_list;
pub mod letters_create;
pub mod letters_list;
pub mod letters_read;
pub mod letters_submit;
pub mod letters_update;
pub mod letters_withdraw;
// ---- end letters and activities ----
pub mod access_report;
// ---- what the portal needs besides (part three) ----
pub mod couples;
pub mod measures;
pub mod practice;
