//! Domain values: types that can only hold valid values.

pub mod actor;
pub mod audit;
pub mod client;
pub mod date;
pub mod ids;
pub mod instruments;
pub mod patch;
pub mod resource;
pub mod role;
pub mod rules;
pub mod session;
pub mod status;
pub mod templates;
pub mod text;
pub mod trust;
pub mod value;
pub mod value_sessions;
pub mod value_trust;
pub mod vocab;
// ---- consent and release (issue 16) ----
pub mod consent;
// ---- letters and activities (issue 14) ----
pub mod activities;
pub mod letters;
// ---- end letters and activities ----

pub use actor::Actor;
pub use resource::ResourceKind;
pub use role::Role;
pub use status::{ClientStatus, CoupleStatus};
pub mod calendar;
pub mod mail;
pub mod signed_note;
pub mod webhooks;
pub mod worklist;
