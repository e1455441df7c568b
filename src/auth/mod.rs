//! Authentication and access: password hashing, tokens, and the extractors that make a
//! handler's audience part of its signature.

pub mod actor;
pub mod mfa;
pub mod password;
pub mod probe;
pub mod sealed;
pub mod session;
pub mod tokens;
pub mod totp;

// Who may see what is a query (`store::access`), named here where handlers have always found it.
pub use crate::store::access;
pub use actor::{Actor, Admin, AnyUser, Liveness, PortalClient, RequestMeta, Staff};
