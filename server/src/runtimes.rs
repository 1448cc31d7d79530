//! Reads first: the server answers reads (GET, HEAD, OPTIONS) on a runtime of their own and
//! hands every other request to the main runtime, where the writes and the background jobs
//! run. The reads threads get the CPU first in two ways:
//!
//! - **Weight.** The writes run at a lower priority (`AGORA_WRITES_NICE`; by default 3 nice
//!   steps below the reads on SQLite, so a reads thread weighs about twice a writer's, and
//!   10 on PostgreSQL, whose own processes do most of a write). On a busy core the kernel
//!   shares the CPU by weight, and picks first a thread that has had less than its share —
//!   a database connection's, a worker waiting on one. While checkouts ran, their workers
//!   and database threads woke each other some twenty thousand times a second, and a
//!   catalog read waited behind that ping-pong for its turn.
//! - **Short slices.** The reads threads ask for 100 µs slices (Linux 6.12 and later; earlier
//!   kernels ignore it). A thread with a shorter slice than the one running preempts it when
//!   it wakes (EEVDF's `PREEMPT_SHORT`) instead of waiting for that slice to end (1.4 ms
//!   here), so a lone read is answered at once.
//!
//! The writers still get the whole CPU whenever no read is waiting; when reads keep the core
//! busy, each writer thread gets its weight's share (half a reads thread's at 3 steps,
//! about a tenth at 10). Measured in the README's Benchmarks.

use app::platform::priority;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use http::{Method, StatusCode};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

/// The server's two runtimes.
pub struct Runtimes {
    /// Writes, background jobs, and everything that is not serving a read.
    pub work: Runtime,
    /// Serves the HTTP connections and answers reads.
    pub reads: Runtime,
}

impl Runtimes {
    /// Starts `read_threads` reads workers (`agora-reads`) at the calling thread's priority,
    /// each asking for [`READS_SLICE`] (a refusal is printed, not fatal), then lowers the
    /// calling thread's priority by `writes_nice` steps and starts `work_threads` main
    /// workers (`agora-work`). Threads inherit their starter's
    /// priority, so the main workers, their blocking pool and every thread the calling
    /// thread starts afterwards (the database pool's) run below the reads; the calling
    /// thread keeps the lower priority. Nice values go up to 19: from a thread already at
    /// 17, the writes run 2 steps below.
    pub fn start(
        work_threads: usize,
        read_threads: usize,
        writes_nice: u8,
    ) -> std::io::Result<Self> {
        let reads = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(read_threads)
            .thread_name("agora-reads")
            .on_thread_start(|| {
                // Before logging is set up (the workers start here): straight to stderr.
                if let Err(error) = priority::ask_for_slice(READS_SLICE) {
                    eprintln!("warning: a reads thread cannot ask for a short time slice: {error}");
                }
            })
            .enable_all()
            .build()?;
        if writes_nice > 0 {
            priority::own_nice()
                .and_then(|nice| {
                    priority::set_own_nice(nice.saturating_add(writes_nice.into()).min(19))
                })
                .map_err(|error| {
                    std::io::Error::new(
                        error.kind(),
                        format!(
                            "cannot run the writes below the reads ({error}); \
                             AGORA_WRITES_NICE=0 keeps them level"
                        ),
                    )
                })?;
        }
        let work = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(work_threads)
            .thread_name("agora-work")
            .enable_all()
            .build()?;
        Ok(Self { work, reads })
    }
}

/// The slice the reads threads ask for: the shortest Linux grants a fair-scheduled thread.
pub const READS_SLICE: std::time::Duration = std::time::Duration::from_micros(100);

/// Whether `method` only reads, and so is answered on the reads runtime.
fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware: reads go on where they are; anything else runs — the rest of the middleware
/// stack and the handler — as a task on `work`. A write whose client goes away is cancelled
/// as it would be in place (its task is aborted), so nothing outlives its request.
pub async fn writes_on(work: Handle, request: Request, next: Next) -> Response {
    if is_read(request.method()) {
        return next.run(request).await;
    }
    match AbortOnDrop(work.spawn(next.run(request))).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "a write request's task ended without a response");
            let status = if error.is_cancelled() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            status.into_response()
        }
    }
}

/// A task handle that aborts the task when dropped unfinished.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::{get, post};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    /// The calling thread's name and nice value.
    fn this_thread() -> (String, i32) {
        let name = std::thread::current().name().unwrap_or("").to_owned();
        (name, priority::own_nice().unwrap())
    }

    #[test]
    fn the_writes_run_below_the_reads_and_so_does_what_starts_after_them() {
        std::thread::spawn(|| {
            let (_, before) = this_thread();
            let Runtimes { work, reads } = Runtimes::start(1, 1, 3).unwrap();
            let on_reads = work.block_on(reads.spawn(async { this_thread() })).unwrap();
            assert_eq!(on_reads, ("agora-reads".to_owned(), before));
            let slice_of = |runtime: &Runtime| {
                let thread = runtime.spawn(async { priority::own_slice().unwrap() });
                work.block_on(thread).unwrap()
            };
            if priority::kernel_has_thread_slices() {
                assert_eq!(
                    slice_of(&reads),
                    Duration::from_nanos(100_000),
                    "the reads' slice"
                );
                assert!(
                    slice_of(&work) > Duration::from_nanos(100_000),
                    "the main runtime keeps the kernel's longer slice"
                );
            }
            let on_work = work.block_on(work.spawn(async { this_thread() })).unwrap();
            assert_eq!(on_work, ("agora-work".to_owned(), before + 3));
            let blocking = work
                .block_on(work.spawn_blocking(|| priority::own_nice().unwrap()))
                .unwrap();
            assert_eq!(blocking, before + 3, "the main runtime's blocking pool");
            let later = std::thread::spawn(|| priority::own_nice().unwrap());
            assert_eq!(
                later.join().unwrap(),
                before + 3,
                "a thread started afterwards"
            );
            reads.shutdown_background();
        })
        .join()
        .unwrap();
    }

    #[test]
    fn reads_are_answered_on_the_reads_runtime_and_writes_on_the_work_runtime() {
        let Runtimes { work, reads } = std::thread::spawn(|| Runtimes::start(1, 1, 0))
            .join()
            .unwrap()
            .unwrap();
        let name = || async { this_thread().0 };
        let cancelled = Arc::new(AtomicBool::new(false));
        let router = Router::new()
            .route("/", get(name).post(name))
            .route(
                "/slow",
                post({
                    let cancelled = cancelled.clone();
                    move || async move {
                        /// Marks the request cancelled when its handler is dropped unfinished.
                        struct Guard(Arc<AtomicBool>);
                        impl Drop for Guard {
                            fn drop(&mut self) {
                                self.0.store(true, Ordering::SeqCst);
                            }
                        }
                        let guard = Guard(cancelled);
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        std::mem::forget(guard);
                    }
                }),
            )
            .layer(axum::middleware::from_fn({
                let work = work.handle().clone();
                move |request, next| writes_on(work.clone(), request, next)
            }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        reads.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });

        work.block_on(async {
            let client = reqwest::Client::new();
            let read = client.get(&base).send().await.unwrap().text().await;
            assert_eq!(read.unwrap(), "agora-reads");
            let head = client.head(&base).send().await.unwrap();
            assert_eq!(head.status(), StatusCode::OK);
            let write = client.post(&base).send().await.unwrap().text().await;
            assert_eq!(write.unwrap(), "agora-work");

            // A client that gives up on a write cancels it.
            let gave_up = client
                .post(format!("{base}/slow"))
                .timeout(Duration::from_millis(200))
                .send()
                .await;
            assert!(gave_up.unwrap_err().is_timeout());
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            while !cancelled.load(Ordering::SeqCst) {
                assert!(tokio::time::Instant::now() < deadline, "the write ran on");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        reads.shutdown_background();
    }
}
