//! Domain values: types that can only hold valid values.

pub mod role;
pub mod session;
pub mod text;

pub use role::Role;
