//! argon2id password hashing, off the async workers, on a few dedicated threads.
//!
//! Each hash takes 19 MiB. On actix's general blocking pool every new thread would keep its own
//! allocator arena with such a buffer in it (the benchmark saw 28 MB grow to 165 MB under
//! logins); a fixed set of hashing threads bounds that to one buffer per thread. Waiting for a
//! thread is bounded too: after ~2 s the request gets 503 with Retry-After, so a login flood
//! cannot starve other requests.

use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::problem::AppError;

/// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing anyone knows, verified against when the email is unknown, so that unknown
/// emails cost the same time as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("mend-dummy-password-never-matches").unwrap_or_default())
}

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

impl Passwords {
    /// `parallel` hashing threads (the core count is a good value).
    pub fn new(parallel: usize) -> Passwords {
        let _ = dummy_hash();
        let parallel = parallel.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..parallel {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new().name(format!("mend-argon2-{i}")).spawn(move || loop {
                // Hold the lock only to take the next job, not while hashing.
                let job = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Passwords { permits: Arc::new(Semaphore::new(parallel)), jobs }
    }

    async fn with_permit<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let busy =
            AppError::Unavailable { retry_after: 1, detail: "Too many sign-ins at once; try again in a moment." };
        let _permit = tokio::time::timeout(Duration::from_secs(2), self.permits.acquire())
            .await
            .map_err(|_| busy)?
            .map_err(AppError::internal)?;
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = done.send(f());
            }))
            .map_err(|_| AppError::internal("password hashing threads are gone"))?;
        result.await.map_err(|_| AppError::internal("a password hashing job was dropped"))
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.with_permit(move || hash_blocking(&password)).await?
    }

    /// True when `password` matches `hash`; with no hash it spends the same time and says false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.with_permit(move || match hash {
            Some(h) => verify_blocking(&password, &h),
            None => {
                let _ = verify_blocking(&password, dummy_hash());
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("correct horse battery", &h));
        assert!(!verify_blocking("wrong horse battery", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }
}
