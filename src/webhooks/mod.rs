//! Webhooks for integrators (Standard Webhooks 1.0): the signer, the delivery queue and the
//! worker every `mend serve` runs. The outbox written with each change is a query module
//! (`store::outbox`: the audit layer below writes it in the change's transaction).

pub use crate::store::outbox;
pub mod queue;
pub mod sign;
pub mod worker;
