//! Domain values: types that can only hold valid values.

pub mod client;
pub mod date;
pub mod ids;
pub mod patch;
pub mod resource;
pub mod role;
pub mod session;
pub mod status;
pub mod templates;
pub mod text;
pub mod trust;
pub mod value;
pub mod value_sessions;
pub mod value_trust;
pub mod vocab;

pub use resource::ResourceKind;
pub use role::Role;
pub use status::{ClientStatus, CoupleStatus};
pub mod webhooks;
