//! A provable audit trail: the sealer links committed events into one SHA-256 chain and signs
//! checkpoints of it with Ed25519 (C2SP signed notes); `mend audit verify` recomputes it.
//!
//! The chain lives beside `audit_events` (which stays as written) in append-only tables
//! (`store::audit_chain`). Sealing happens in the background, one instance at a time through a
//! lease in the database, so an audited read keeps its one statement: the freshest events (the
//! last second or so) are not sealed yet, and have no subjects yet either, since subjects are
//! written when an event is sealed.

pub mod chain;
pub mod cli;
pub mod sealer;
pub mod verify;
pub mod worker;

/// Starts the sealer of `mend serve`; `None` (logged) if its thread cannot start.
pub fn start_for_serve(db: &crate::db::Db, config: &crate::config::Config) -> Option<worker::Worker> {
    match worker::Worker::start(db.clone(), sealer::Settings::new(config.audit_key.clone())) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::error!(error = %e, "the audit sealer could not start");
            None
        }
    }
}
