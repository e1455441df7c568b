//! Domain values: types that can only hold valid values.

pub mod client;
pub mod date;
pub mod patch;
pub mod role;
pub mod status;
pub mod text;

pub use role::Role;
pub use status::{ClientStatus, CoupleStatus};
