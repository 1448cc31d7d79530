//! Login throughput, and what logins cost everything else: the latency of `GET /health` and of
//! a real read through the database pool (`GET /api/v1/auth/me` with an API key) while
//! password hashing saturates the machine.
//!
//! `cargo bench --bench login` builds the `agora` binary (bench profile = release settings),
//! seeds a fresh SQLite database with the demo accounts, serves it on a free loopback port and:
//!
//! 1. idle: sends `GET /health` and `GET /api/v1/auth/me` every 5 ms each for 5 s;
//! 2. loaded: keeps 16 logins of `ada@agora.test` in flight, and after a 2 s warm-up probes
//!    both the same way for 10 s, counting the logins that complete meanwhile.
//!
//! It prints logins per second, p50/p99 of both phases and the loaded/idle p99 ratio of each
//! probe, and exits non-zero when either ratio exceeds 3: logins may be slow under load, the
//! rest of the server may not — neither a bare ping nor a read through the pool that the
//! logins' writes also use.
//!
//! Probes are open-loop (each starts on schedule, even if the previous one has not answered), so
//! a stall shows in every probe it delays, and they run on their own thread and runtime, so
//! nothing in this process queues them behind logins.
//!
//! The throttle allows 30 logins per client address per 5 minutes and keys on the TCP peer
//! address, so each login stream binds its connections to its own `127.x.y.z` address (Linux
//! routes all of 127.0.0.0/8 to loopback) and moves to a new one every 25 logins. The throttle
//! itself is untouched.

use anyhow::{Context as _, ensure};
use reqwest::StatusCode;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PROBE_EVERY: Duration = Duration::from_millis(5);
const IDLE: Duration = Duration::from_secs(5);
const WARM_UP: Duration = Duration::from_secs(2);
const LOADED: Duration = Duration::from_secs(10);
/// Logins in flight: several times the hashing threads, so they never wait for work.
const IN_FLIGHT: u8 = 16;
/// Below the throttle's 30 per address.
const LOGINS_PER_ADDRESS: u32 = 25;
const MAX_P99_RATIO: f64 = 3.0;
const EMAIL: &str = "ada@agora.test";
const PASSWORD: &str = "Customer-Demo-2026";

fn main() -> anyhow::Result<ExitCode> {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not, and must not wait
    // half a minute for a benchmark.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("login: a benchmark; run it with `cargo bench --bench login`");
        return Ok(ExitCode::SUCCESS);
    }

    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let agora = |command: &str| {
        let mut agora = Command::new(env!("CARGO_BIN_EXE_agora"));
        agora
            .arg(command)
            // An empty folder: no `.env` of the project applies.
            .current_dir(dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/agora.db", dir.path().display()),
            )
            .env("AGORA_LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null());
        agora
    };
    let seeded = agora("seed").arg("--demo").status()?;
    ensure!(seeded.success(), "`agora seed --demo` failed: {seeded}");
    let server = Server(agora("serve").spawn()?);

    let base = format!("http://127.0.0.1:{port}");
    let health_url = format!("{base}/health");
    let login_url = format!("{base}/api/v1/auth/login");
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(wait_until_healthy(&health_url))?;

    let key = runtime.block_on(read_only_key(&base))?;
    let me = Target {
        url: format!("{base}/api/v1/auth/me"),
        bearer: Some(key),
    };
    let health = Target {
        url: health_url.clone(),
        bearer: None,
    };
    let (idle, idle_me) = (probe(&health, IDLE), probe(&me, IDLE));
    let (idle, idle_me) = (joined(idle)?, joined(idle_me)?);

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let streams: Vec<_> = (0..IN_FLIGHT)
        .map(|stream| {
            runtime.spawn(log_in_until_stopped(
                stream,
                login_url.clone(),
                stop.clone(),
                done.clone(),
            ))
        })
        .collect();
    std::thread::sleep(WARM_UP);
    let (before, started) = (done.load(Ordering::Relaxed), Instant::now());
    let (loaded, loaded_me) = (probe(&health, LOADED), probe(&me, LOADED));
    let (loaded, loaded_me) = (joined(loaded), joined(loaded_me));
    let (after, elapsed) = (done.load(Ordering::Relaxed), started.elapsed());
    stop.store(true, Ordering::Relaxed);
    for stream in streams {
        runtime.block_on(stream)??;
    }
    let (loaded, loaded_me) = (loaded?, loaded_me?);
    drop(server);

    let logins_per_sec = (after - before) as f64 / elapsed.as_secs_f64();
    println!(
        "logins: {} in {:.1} s = {logins_per_sec:.1} logins/s ({IN_FLIGHT} in flight)",
        after - before,
        elapsed.as_secs_f64()
    );
    let ratio = report("GET /health", &idle, &loaded);
    println!("  /health loaded/idle p99: {ratio:.2}x (limit {MAX_P99_RATIO}x)");
    let me_ratio = report("GET /api/v1/auth/me", &idle_me, &loaded_me);
    println!("  /auth/me loaded/idle p99: {me_ratio:.2}x (limit {MAX_P99_RATIO}x)");
    if ratio > MAX_P99_RATIO || me_ratio > MAX_P99_RATIO {
        eprintln!("FAIL: logins push a probe's p99 above {MAX_P99_RATIO}x its idle value");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The server process, killed when dropped (also when the benchmark fails half-way).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_until_healthy(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = client.get(url).send().await
            && response.status() == StatusCode::OK
        {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "the server did not answer {url} within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Prints a probe's idle and loaded p50/p99; returns the loaded/idle p99 ratio.
fn report(name: &str, idle: &[f64], loaded: &[f64]) -> f64 {
    let (idle_p50, idle_p99) = (percentile(idle, 0.50), percentile(idle, 0.99));
    let (loaded_p50, loaded_p99) = (percentile(loaded, 0.50), percentile(loaded, 0.99));
    println!(
        "{name} idle:   p50 {idle_p50:.2} ms, p99 {idle_p99:.2} ms ({} probes)",
        idle.len()
    );
    println!(
        "{name} loaded: p50 {loaded_p50:.2} ms, p99 {loaded_p99:.2} ms ({} probes)",
        loaded.len()
    );
    loaded_p99 / idle_p99
}

/// A read-only API key of the demo customer (one sign-in from 127.0.0.1).
async fn read_only_key(base: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::new();
    let signed_in: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = signed_in["data"]["accessToken"]
        .as_str()
        .context("no access token")?;
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/users/me/api-keys"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "bench", "scope": "read"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(created["data"]["key"]
        .as_str()
        .context("no key")?
        .to_owned())
}

/// What a probe asks for.
struct Target {
    url: String,
    bearer: Option<String>,
}

type Probe = std::thread::JoinHandle<anyhow::Result<Vec<f64>>>;

fn joined(probe: Probe) -> anyhow::Result<Vec<f64>> {
    probe
        .join()
        .map_err(|_| anyhow::anyhow!("the probe thread panicked"))?
}

/// Latencies in milliseconds of `GET url`, one request started every [`PROBE_EVERY`] for
/// `duration`, from a thread and runtime of their own.
fn probe(target: &Target, duration: Duration) -> Probe {
    let (url, bearer) = (target.url.clone(), target.bearer.clone());
    std::thread::spawn(move || -> anyhow::Result<Vec<f64>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let mut tick = tokio::time::interval(PROBE_EVERY);
            let end = Instant::now() + duration;
            let mut probes = Vec::new();
            while Instant::now() < end {
                tick.tick().await;
                let mut request = client.get(&url);
                if let Some(bearer) = &bearer {
                    request = request.bearer_auth(bearer);
                }
                probes.push(tokio::spawn(async move {
                    let started = Instant::now();
                    let response = request.send().await?;
                    ensure!(
                        response.status() == StatusCode::OK,
                        "{} answered {}",
                        response.url().path(),
                        response.status()
                    );
                    response.bytes().await?;
                    Ok(started.elapsed().as_secs_f64() * 1000.0)
                }));
            }
            let mut latencies = Vec::with_capacity(probes.len());
            for probe in probes {
                latencies.push(probe.await??);
            }
            Ok(latencies)
        })
    })
}

/// Logs in again and again until `stop`, counting successes in `done`; stream `n` uses the
/// source addresses `127.(100+n).*.*`, a new one every [`LOGINS_PER_ADDRESS`] logins.
async fn log_in_until_stopped(
    stream: u8,
    url: String,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
) -> anyhow::Result<()> {
    let body = serde_json::json!({"email": EMAIL, "password": PASSWORD});
    for address in 0u16.. {
        let [high, low] = [(address / 250) as u8, (address % 250 + 1) as u8];
        let source = IpAddr::V4(Ipv4Addr::new(127, 100 + stream, high, low));
        let client = reqwest::Client::builder().local_address(source).build()?;
        for _ in 0..LOGINS_PER_ADDRESS {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let response = client
                .post(&url)
                .json(&body)
                .send()
                .await
                .with_context(|| format!("login from {source}"))?;
            let status = response.status();
            let text = response.text().await?;
            ensure!(
                status == StatusCode::OK,
                "login from {source} answered {status}: {text}"
            );
            done.fetch_add(1, Ordering::Relaxed);
        }
    }
    anyhow::bail!("stream {stream} ran out of source addresses")
}

/// The nearest-rank `q` quantile of `samples`.
fn percentile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.saturating_sub(1).min(sorted.len() - 1)]
}
