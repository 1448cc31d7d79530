//! Passwords: Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), hashed and verified
//! on a dedicated pool at the lowest CPU priority with one thread fewer than the cores (at
//! least one), one hash per thread at a time, so logins can never starve the async runtime or
//! exhaust memory. Verifying for an unknown email runs against a dummy hash, so it costs the
//! same as a wrong password.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, mpsc};
use tokio::sync::Semaphore;

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

// Where hashing runs, and why there.
//
// Argon2 is pure CPU work of tens of milliseconds, so it must stay off the async runtime's
// threads. Tokio's blocking pool would keep it off them, but its threads run at the same
// priority as the runtime's: when logins keep every core busy hashing, a runtime thread that
// wakes up for a cheap request (`/health`, a page) waits for the scheduler to share a core
// with the hashing, and every request's latency grows with the login load. So hashing runs on
// threads of its own that lower their CPU priority to the minimum (nice 19) as they start,
// and there is one fewer of them than there are cores: a lowered priority alone still left a
// woken runtime thread waiting for a core now and then (`/health` p99 ~4× idle under a login
// flood on 2 cores); with a core the hashing never takes, it stayed at its idle value, for a
// third fewer logins per second on 2 cores and proportionally less on larger machines
// (`cargo bench --bench login`, README "Benchmarks"). (Nice is per thread on Linux;
// elsewhere the threads keep the normal priority and this is just a fixed-size pool.)
//
// The semaphore caps the jobs handed to the pool at one per thread. A permit travels with its
// job and is released when the work ends, not when the request stops waiting for it, so
// requests that give up (timeouts, closed connections) cannot queue more hashing: waiting
// requests wait on the semaphore, in order, at no cost.

/// A unit of hashing work; it reports its result through a channel it owns.
type Job = Box<dyn FnOnce() + Send>;

struct HashingPool {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

static HASHING: LazyLock<HashingPool> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = cores.saturating_sub(1).max(1);
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..threads {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                lower_own_priority();
                loop {
                    // The lock is held while waiting for a job and released before running it.
                    let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = job else { return };
                    // A panicking job drops its result channel (its caller gets an internal
                    // error); the thread lives on for the next one.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                }
            });
        if let Err(error) = spawned {
            // With no thread at all the queue is dropped and every hash fails (500) — loudly.
            tracing::error!(%error, "cannot start a password-hashing thread");
        }
    }
    HashingPool {
        permits: Arc::new(Semaphore::new(threads)),
        jobs,
    }
});

/// Lowers the calling thread's CPU priority to the minimum (nice 19).
fn lower_own_priority() {
    if let Err(error) = crate::platform::priority::set_own_nice(19) {
        tracing::warn!(%error, "cannot lower the priority of a password-hashing thread");
    }
}

/// A hash of a password nobody has, verified when the email is unknown.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("dummy password for timing").unwrap_or_default());

fn hash_now(password: &str) -> Result<String, AppError> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| AppError::Internal)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs `work` on the hashing pool once a permit is free, and waits for its result.
async fn on_hashing_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let permit = HASHING
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| AppError::Internal)?;
    let (result_tx, result_rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = result_tx.send(work());
        drop(permit);
    });
    HASHING.jobs.send(job).map_err(|_| AppError::Internal)?;
    result_rx.await.map_err(|_| AppError::Internal)
}

/// Hashes `password` with Argon2id on the hashing pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    on_hashing_pool(move || hash_now(&password)).await?
}

/// Whether `password` matches `hash`; with no hash (unknown account) it does the same work and
/// answers `false`.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    on_hashing_pool(move || match hash {
        Some(hash) => verify_now(&password, &hash),
        None => {
            verify_now(&password, &DUMMY_HASH);
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_and_unknown_accounts_never_match() {
        let hash = hash_password("Correct1horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password("Correct1horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong".into(), Some(hash)).await.unwrap());
        assert!(!verify_password("Correct1horse".into(), None).await.unwrap());
    }
}
