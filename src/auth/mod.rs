//! Authentication and access: password hashing, tokens, and the extractors that make a
//! handler's audience part of its signature.

pub mod access;
pub mod actor;
pub mod password;
pub mod probe;
pub mod session;
pub mod tokens;

pub use actor::{Actor, Admin, AnyUser, Liveness, PortalClient, RequestMeta, Staff};
