//! Webhooks for integrators (Standard Webhooks 1.0): the outbox written with each change, the
//! signer, and the delivery worker every `mend serve` runs.

pub mod outbox;
pub mod queue;
pub mod sign;
pub mod worker;
