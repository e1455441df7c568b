pub mod create;
pub mod invite;
pub mod list;
pub mod mfa_reset;
pub mod read;
pub mod update;
