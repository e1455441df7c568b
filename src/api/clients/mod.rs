//! Handlers for clients, one file per action.

pub mod create;
pub mod invite;
pub mod list;
pub mod read;
pub mod update;
