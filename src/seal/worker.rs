//! The background sealer of `mend serve`: on its own thread, a pass every [`INTERVAL`] (at once
//! again while there is a backlog). Every instance runs one; the lease lets one seal at a time.
//! A database outage is logged and retried; on stop it gives the lease up.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::sealer::{seal_once, Scan, Settings, WIDE_EVERY};
use crate::db::Db;

/// The pause between passes.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// A running sealer; dropping it stops it.
pub struct Worker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    pub fn start(db: Db, settings: Settings) -> std::io::Result<Worker> {
        let (stop, stopped) = mpsc::channel();
        let thread =
            std::thread::Builder::new().name("mend-sealer".into()).spawn(move || run(db, settings, stopped))?;
        Ok(Worker { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(db: Db, settings: Settings, stopped: mpsc::Receiver<()>) {
    let me = crate::db::new_id();
    tracing::info!(sealer = %me, key_id = %settings.key.verifier().id_hex(), "audit sealer started");
    let mut last_wide: Option<Instant> = None;
    let mut failures = 0u32;
    // Where a full pass stopped: the next one goes on from there.
    let mut after: Option<String> = None;
    loop {
        let wide = last_wide.is_none_or(|t| t.elapsed() >= WIDE_EVERY);
        let scan = if wide { Scan::Wide } else { Scan::Narrow };
        let result = db
            .get()
            .map_err(|_| crate::problem::AppError::database_unavailable())
            .and_then(|mut conn| seal_once(&mut conn, &me, &settings, (scan, after.as_deref()), false));
        let pause = match result {
            Ok(pass) => {
                failures = 0;
                after = if pass.full { pass.last.clone() } else { None };
                if !pass.held {
                    // Another instance seals; when this one takes over, it starts wide.
                    last_wide = None;
                } else if wide && !pass.full {
                    last_wide = Some(Instant::now());
                }
                if let Some(cp) = &pass.checkpoint {
                    tracing::info!(size = cp.size, key_id = %cp.key_id, "audit checkpoint signed");
                }
                if pass.full {
                    Duration::ZERO
                } else {
                    INTERVAL
                }
            }
            Err(e) => {
                failures += 1;
                last_wide = None;
                after = None;
                if failures == 1 || failures.is_power_of_two() {
                    tracing::warn!(error = %e, failures, "audit sealer: pass failed; retrying");
                }
                INTERVAL * failures.min(10)
            }
        };
        match stopped.recv_timeout(pause) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            _ => break,
        }
    }
    if let Ok(mut conn) = db.get() {
        let epoch = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let _ = crate::store::audit_chain::release_lease(&mut conn, &me, epoch);
    }
    tracing::info!(sealer = %me, "audit sealer stopped");
}
