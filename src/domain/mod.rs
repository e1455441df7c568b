//! Domain values: types that can only hold valid values.

pub mod role;
pub mod templates;
pub mod text;
pub mod trust;

pub use role::Role;
