//! The delivery worker: one per `mend serve`, on its own thread. It claims due attempts under a
//! lease, POSTs each (10 s timeout, at most [`IN_FLIGHT`] at once), and records the outcome.
//! A database outage is logged and retried with a growing pause (no crash, no hot loop); on
//! stop it claims nothing more and lets the attempts in flight finish and be recorded.
//!
//! Order per webhook: at most one attempt of a webhook is in flight across all instances, and
//! it is the one of the webhook's earliest due event (see `queue::claim`). So a receiver that
//! answers sees a webhook's events in the order they were created, except when one fails: its
//! retry waits for the backoff while the later events go on (holding them for up to a day
//! would be worse for every receiver than one event out of order; `webhook-timestamp` and the
//! payload's `timestamp` let it tell). A finished attempt wakes the claim loop at once, so
//! one-at-a-time per webhook costs a round trip, not a poll interval. Several webhooks are
//! delivered in parallel.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;

use super::queue::{self, Outcome, Work};
use super::sign;
use crate::config::Config;
use crate::db::Db;
use crate::domain::webhooks::{is_public, policy, WebhookUrl, NOT_PUBLIC};
use crate::problem::AppError;

/// Attempts sent at once by one instance.
pub const IN_FLIGHT: usize = 8;
/// How long a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long resolving a webhook's host name may take.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);
/// A claim lasts this long: past the longest attempt (resolving, then the request) with room to
/// record it, so only a crashed (or cut off) sender's claims expire. A crashed instance's
/// attempts are sent again this long after it claimed them.
pub const LEASE: Duration = Duration::from_secs(30);
/// The pause between polls when nothing is due.
const POLL: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub struct Settings {
    pub allow_insecure: bool,
    pub retry_ms: Option<u64>,
}

impl Settings {
    pub fn of(config: &Config) -> Settings {
        Settings { allow_insecure: config.webhook_allow_insecure, retry_ms: config.webhook_retry_ms }
    }
}

/// A running worker; [`stop`](Worker::stop) (or dropping it) stops it gracefully.
pub struct Worker {
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    pub fn start(db: Db, settings: Settings) -> std::io::Result<Worker> {
        if settings.allow_insecure {
            tracing::warn!(
                "MEND_WEBHOOK_ALLOW_INSECURE=1: webhooks may use http:// and private addresses (development only)"
            );
        }
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new().name("mend-webhooks".into()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt.block_on(run(db, settings, stopped)),
                Err(e) => tracing::error!(error = %e, "the webhook worker could not start"),
            }
        })?;
        Ok(Worker { stop, thread: Some(thread) })
    }

    /// Claims nothing more, waits for the attempts in flight (at most the timeout), and returns.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn run(db: Db, settings: Settings, mut stopped: watch::Receiver<bool>) {
    let me = crate::db::new_id();
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    // Woken by every finished attempt: the webhook's next event may be claimed now.
    let finished = Arc::new(Notify::new());
    let mut tasks = JoinSet::new();
    let mut outage = 0u32;
    tracing::info!(worker = %me, "webhook delivery worker started");
    while !*stopped.borrow() {
        while tasks.try_join_next().is_some() {}
        let free = permits.available_permits();
        let pause = if free == 0 {
            POLL
        } else {
            let me2 = me.clone();
            match db.run(move |conn| Ok(queue::claim(conn, &me2, LEASE, free as i64)?)).await {
                Ok(items) => {
                    if outage > 0 {
                        tracing::info!("webhook worker: the database is back");
                    }
                    outage = 0;
                    let full = items.len() == free;
                    for work in items {
                        let Ok(permit) = permits.clone().acquire_owned().await else { break };
                        let (db, me, settings, finished) = (db.clone(), me.clone(), settings.clone(), finished.clone());
                        tasks.spawn(async move {
                            deliver(&db, &me, &settings, work).await;
                            drop(permit);
                            finished.notify_one();
                        });
                    }
                    if full {
                        Duration::from_millis(10)
                    } else {
                        POLL
                    }
                }
                Err(e) => {
                    outage = (outage + 1).min(6);
                    let pause = Duration::from_secs(1 << outage.min(5));
                    tracing::warn!(error = %e, retry_in_s = pause.as_secs(), "webhook worker: cannot claim deliveries");
                    pause
                }
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = finished.notified(), if outage == 0 => {}
            _ = stopped.changed() => {}
        }
    }
    // Graceful: nothing more is claimed; what is in flight finishes (or its lease expires).
    while tasks.join_next().await.is_some() {}
    tracing::info!(worker = %me, "webhook delivery worker stopped");
}

/// Sends one attempt and records it. A failure to record leaves the claim to expire: the
/// attempt is then sent again, with the same `webhook-id` (at least once).
async fn deliver(db: &Db, me: &str, settings: &Settings, work: Work) {
    let outcome = send(settings, &work).await;
    let (me2, w, o, retry) = (me.to_string(), work.clone(), outcome.clone(), settings.retry_ms);
    let recorded = db.run(move |conn| Ok(queue::finish(conn, &me2, &w, &o, retry)?)).await;
    match recorded {
        Ok(true) => tracing::info!(
            delivery = %work.delivery_id, webhook = %work.webhook_id, attempt = work.attempt,
            ok = outcome.succeeded(), "webhook attempt recorded"
        ),
        Ok(false) => tracing::warn!(delivery = %work.delivery_id, "webhook attempt finished after its claim expired"),
        Err(e) => tracing::warn!(delivery = %work.delivery_id, error = %e, "webhook attempt could not be recorded"),
    }
}

/// The addresses a delivery may connect to, after the SSRF rule: the URL's policy, then every
/// resolved address must be public (unless insecure delivery is allowed).
async fn resolve(settings: &Settings, url: &reqwest::Url) -> Result<Vec<SocketAddr>, String> {
    policy(url, settings.allow_insecure).map_err(String::from)?;
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)));
    let addrs: Vec<SocketAddr> = match lookup.await {
        Ok(Ok(addrs)) => addrs.collect(),
        Ok(Err(_)) => return Err("the host name did not resolve".into()),
        Err(_) => return Err(format!("the host name did not resolve within {} s", RESOLVE_TIMEOUT.as_secs())),
    };
    if addrs.is_empty() {
        return Err("the host name did not resolve".into());
    }
    if !settings.allow_insecure && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!("the URL {NOT_PUBLIC}"));
    }
    Ok(addrs)
}

async fn send(settings: &Settings, work: &Work) -> Outcome {
    let url = match WebhookUrl::parse(&work.url) {
        Ok(u) => u,
        Err(e) => return Outcome::Error(format!("the URL {e}")),
    };
    let addrs = match resolve(settings, &url).await {
        Ok(a) => a,
        Err(e) => return Outcome::Error(e),
    };
    // Connect only to the addresses just checked (no second lookup that could answer otherwise).
    let mut client = reqwest::Client::builder().timeout(TIMEOUT).redirect(reqwest::redirect::Policy::none());
    if let Some(host) = url.domain() {
        client = client.resolve_to_addrs(host, &addrs);
    }
    let client = match client.build() {
        Ok(c) => c,
        Err(_) => return Outcome::Error("could not build the HTTP client".into()),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let secrets: Vec<&str> = work.secrets.iter().map(String::as_str).collect();
    let Some(signature) = sign::header(&secrets, &work.event_id, timestamp, work.payload.as_bytes()) else {
        return Outcome::Error("the webhook's secret is unusable".into());
    };
    let request = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("mend-webhooks/", env!("CARGO_PKG_VERSION")))
        .header("webhook-id", &work.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(work.payload.clone());
    match request.send().await {
        Ok(resp) => Outcome::Status(resp.status().as_u16()),
        Err(e) if e.is_timeout() => Outcome::Error(format!("no answer within {} s", TIMEOUT.as_secs())),
        Err(e) if e.is_connect() => Outcome::Error("could not connect".into()),
        Err(_) => Outcome::Error("the request failed".into()),
    }
}

/// For `mend serve`: starts the worker, logging instead of failing when it cannot.
pub fn start_for_serve(db: &Db, config: &Config) -> Option<Worker> {
    match Worker::start(db.clone(), Settings::of(config)) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::error!(error = %AppError::internal(e), "webhook deliveries are off: the worker did not start");
            None
        }
    }
}
