//! argon2id password hashing, off the async workers, on a few dedicated threads.
//!
//! Parameters: argon2id with 7 MiB, 5 passes, 1 lane, one of the five settings OWASP's Password
//! Storage Cheat Sheet lists as giving an equal level of defence (19 MiB/t=2 is another). Of
//! those it costs the least here: 10.0 ms a hash against 13.1 ms for 19 MiB/t=2 on the benchmark
//! machine (AVX2), and a third of the memory, so sign-ins take less from the reads beside them
//! (tests/bench, scenario e). Hashes written with other parameters (earlier Mend wrote
//! 19 MiB/t=2) still verify: the parameters come from the stored PHC string.
//!
//! Every hashing thread keeps its own block buffer and reuses it: a fresh allocation per hash cost ~30 % more time in page faults and zeroing
//! (measured, tests/bench), and on actix's general blocking pool every new thread kept its own
//! allocator arena with such a buffer in it (the benchmark saw 28 MB grow to 165 MB under logins).
//! A fixed set of threads bounds resident memory to one buffer per thread. Waiting for a thread
//! is bounded too: after ~2 s the request gets 503 with Retry-After, so a login flood cannot
//! starve other requests.

use std::cell::RefCell;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::problem::AppError;

/// OWASP's argon2id parameters, the 7 MiB setting: 7 MiB, 5 passes, 1 lane.
const M_COST: u32 = 7_168;
const T_COST: u32 = 5;

/// The largest working memory a thread keeps between hashes, in 1 KiB blocks: enough for the
/// 19 MiB hashes earlier versions wrote, so verifying those does not page-fault every time.
const KEEP_BLOCKS: usize = 19_456;

fn params() -> Params {
    Params::new(M_COST, T_COST, 1, None).unwrap_or_default()
}

thread_local! {
    /// This thread's argon2 working memory, kept between hashes.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `count` blocks of working memory: this thread's kept buffer when the count is
/// at most [`KEEP_BLOCKS`] (every hash Mend wrote), a one-off allocation otherwise (a hash with
/// larger parameters must not make the kept buffer grow).
fn with_blocks<T>(count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    if count > KEEP_BLOCKS {
        let mut once = vec![Block::default(); count];
        return f(&mut once);
    }
    BLOCKS.with(|kept| match kept.try_borrow_mut() {
        Ok(mut blocks) => {
            if blocks.len() < count {
                blocks.resize(count, Block::default());
            }
            f(&mut blocks[..count])
        }
        Err(_) => f(&mut vec![Block::default(); count]),
    })
}

/// The PHC string of a new argon2id hash of `password` with a random salt.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(AppError::internal)?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    with_blocks(hasher.params().block_count(), |blocks| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks)
    })
    .map_err(AppError::internal)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(hasher.params()).map_err(AppError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(AppError::internal)?),
    };
    Ok(phc.to_string())
}

/// True when `password` hashes to the PHC string `hash` (compared in constant time).
fn verify_blocking(password: &str, hash: &str) -> bool {
    let check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut salt_buf = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut salt_buf).ok()?;
        let hasher = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        with_blocks(hasher.params().block_count(), |blocks| {
            hasher.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
        })
        .ok()?;
        Some(Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// A hash of nothing anyone knows, verified against when the email is unknown, so that unknown
/// emails cost the same time as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("mend-dummy-password-never-matches").unwrap_or_default())
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashing threads run at a lower CPU priority (nice 10, or the process's own if lower still): a hash is ~10 ms of pure CPU, and at
/// the default priority two of them took a core each from the reads beside them, which lost
/// twice the CPU the hashes used (tests/bench, scenario e). A sign-in still gets its CPU when the
/// reads wait on the database; under full load it waits longer, bounded by the permit timeout.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority only read and set this thread's scheduling priority; on
    // Linux, PRIO_PROCESS with a thread id applies to that thread alone.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        // Never above the thread's own priority: a process started at nice 19 keeps 19 (as
        // root, setting 10 would raise it).
        *libc::__errno_location() = 0;
        let own = libc::getpriority(libc::PRIO_PROCESS, tid);
        let own = if own == -1 && *libc::__errno_location() != 0 { 0 } else { own };
        if own < 10 && libc::setpriority(libc::PRIO_PROCESS, tid, 10) != 0 {
            tracing::warn!("could not lower the priority of a password hashing thread");
        }
    }
}

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
            let spawned = std::thread::Builder::new().name(format!("mend-argon2-{i}")).spawn(move || {
                lower_priority();
                loop {
                    // Hold the lock only to take the next job, not while hashing.
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
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

    #[cfg(target_os = "linux")]
    #[test]
    fn hashing_threads_run_at_a_lower_priority() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let passwords = Passwords::new(1);
        // SAFETY: reads the calling (hashing) thread's own priority.
        let job = || unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::getpriority(libc::PRIO_PROCESS, tid)
        };
        let own = job();
        let hashing = rt.block_on(passwords.with_permit(job)).unwrap();
        // Nice 10, or lower still if the whole process already runs below it.
        assert_eq!(hashing, own.max(10), "this thread runs at {own}");
        // Only the hashing threads: this thread is untouched.
        assert_eq!(job(), own);
    }

    #[test]
    fn hash_and_verify() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(verify_blocking("correct horse battery", &h));
        assert!(!verify_blocking("wrong horse battery", &h));
        assert!(!verify_blocking("x", "not a hash"));
        // The library's own verifier accepts ours, and ours accepts hashes its encoder wrote.
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = PasswordHash::new(&h).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &ours).is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let theirs = hasher.hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(verify_blocking("correct horse battery", &theirs));
        assert!(!verify_blocking("correct horse batterz", &theirs));
        // Other parameters verify: smaller, the 19 MiB/t=2 earlier versions wrote (kept buffer),
        // and larger (a one-off allocation: the kept buffer never grows past KEEP_BLOCKS).
        for m in [4 * 1024, 19_456, 32 * 1024] {
            let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, 1, 1, None).unwrap());
            let h = other.hash_password(b"pw pw pw pw pw", &salt).unwrap().to_string();
            assert!(verify_blocking("pw pw pw pw pw", &h));
            assert!(!verify_blocking("pw pw pw pw px", &h));
        }
        BLOCKS.with(|b| assert_eq!(b.borrow().len(), KEEP_BLOCKS));
        // A tampered hash output never matches.
        let mut bad = h.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        assert!(!verify_blocking("correct horse battery", &bad));
    }
}
