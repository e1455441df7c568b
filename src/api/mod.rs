//! Handlers, one file per action, grouped by resource. The route table is in `app.rs`.

pub mod audit;
pub mod auth;
pub mod health;
pub mod me;
pub mod practice;
pub mod users;
