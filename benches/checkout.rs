//! Checkouts end to end under load (issue 10): `cargo bench --bench checkout`.
//!
//! For SQLite and — when `AGORA_TEST_POSTGRES_URL` names a reachable server — PostgreSQL, a
//! fresh database gets the benchmark catalog (`agora seed --benchmark-catalog`; PostgreSQL's
//! is vacuumed after). The server (and a local PostgreSQL's backends) run pinned to core 0,
//! this load generator on core 1; the server's PostgreSQL pool is sized for a database with
//! that one core (see [`POSTGRES_POOL`]). After a 3 s warm-up, one client reads
//! `GET /api/v1/products` back to back on the idle server, then 16 buyers check out for 20 s
//! while it goes on (the target: its p99 under load within 3× of its idle p99). Each
//! checkout is three requests: put a product in the cart, place the order (with an
//! `Idempotency-Key`), pay it with the sandbox card (its verdict taking the webhook path, the
//! sale posted to the ledger). A second, 10 s load phase reads the same page at a fixed pace
//! instead (200 a second, each read sent on time whether or not the last was answered), so
//! that the read's latency is also seen without the reader itself being a flood. Both
//! readers run on threads of their own and keep their connections. Then the server stops,
//! 1,000,000 ledger entries are added (500,000 two-entry transactions over 1,001 accounts)
//! and every balance is computed, with the "ledger balanced" check, from the entries. The
//! numbers go into the README by hand.
//! `AGORA_BENCH_LOAD_ONLY=1` stops after the load phases.

mod support;

use anyhow::{Context as _, bail, ensure};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Server, free_port, psql, wait_for};

const PRODUCTS: usize = 10_000;
const BUYERS: usize = 16;
const LOAD: Duration = Duration::from_secs(20);
const PROBE: Duration = Duration::from_secs(5);
const WARM_UP: Duration = Duration::from_secs(3);
const PACED_LOAD: Duration = Duration::from_secs(10);
/// The paced reader's interval: 200 reads a second.
const PACE: Duration = Duration::from_millis(5);
const TRANSACTIONS: i64 = 500_000;
/// The server's PostgreSQL pool here: twice the cores the database has (one), the usual
/// rule for a pool that keeps a database's cores busy without queueing on them. The default
/// (four per server core, for a database on its own machine) lets eight backends share core
/// 0 with the server's two workers; the scheduler shares a core per thread, so the database
/// then gets most of it and every request, the timed reads included, waits behind checkouts
/// inside the server (measured: products p99 4.3 ms at 8 connections, 1.7 at 4, 1.0 at 2,
/// for about a fifth fewer checkouts a second).
const POSTGRES_POOL: u32 = 2;

/// What a products reader saw: reads answered per second, p50 and p99 in ms.
struct Reads {
    per_second: f64,
    p50: f64,
    p99: f64,
}

impl Reads {
    fn of(mut latencies: Vec<f64>, over: Duration) -> Self {
        latencies.sort_by(f64::total_cmp);
        Self {
            per_second: latencies.len() as f64 / over.as_secs_f64(),
            p50: percentile(&latencies, 0.5),
            p99: percentile(&latencies, 0.99),
        }
    }

    fn cell(&self) -> String {
        format!(
            "{:.0}/s, {:.2} / {:.2} ms",
            self.per_second, self.p50, self.p99
        )
    }
}

struct Row {
    backend: String,
    checkouts: usize,
    per_second: f64,
    checkout_p50: f64,
    checkout_p99: f64,
    idle: Reads,
    loaded: Reads,
    paced_idle: Reads,
    paced_loaded: Reads,
    balances_ms: f64,
    trial_ms: f64,
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("checkout: a benchmark; run it with `cargo bench --bench checkout`");
        return Ok(());
    }
    ensure!(
        Command::new("sh")
            .args(["-c", "command -v taskset"])
            .stdout(Stdio::null())
            .status()?
            .success(),
        "taskset is needed (apt-get install -y util-linux)"
    );
    // The load generator on core 1, the server (taskset) on core 0.
    pin_to_core(1)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    let mut rows = vec![measure(
        &runtime,
        "SQLite",
        &format!("sqlite://{}/bench.db", dir.path().display()),
        dir.path(),
        None,
    )?];
    if let Some(admin_url) = std::env::var("AGORA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let name = format!("agora_checkout_{}", std::process::id());
        psql(&admin_url, &format!("CREATE DATABASE {name}"))?;
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => bail!("AGORA_TEST_POSTGRES_URL has no database part"),
        };
        let pinned = PostgresOnCore::pin(&admin_url, 0)?;
        let measured = measure(
            &runtime,
            &format!("PostgreSQL (pool {POSTGRES_POOL})"),
            &url,
            dir.path(),
            Some(POSTGRES_POOL),
        );
        drop(pinned);
        // Autovacuum may be working on the freshly filled ledger (a backend this role may
        // not end): the drop is tried again for a while, and a leftover is only reported.
        let drop_sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let dropped = (0..30).any(|attempt| {
            if attempt > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            psql(&admin_url, &drop_sql).is_ok()
        });
        if !dropped {
            eprintln!("(could not drop the benchmark database {name}: drop it by hand)");
        }
        rows.push(measured?);
    } else {
        println!("(PostgreSQL skipped: AGORA_TEST_POSTGRES_URL is not set)");
    }
    println!();
    println!(
        "| database | checkouts | checkouts/s | checkout p50 | checkout p99 | products p99 idle | \
         products p99 under load | × | every balance (1M entries) | balanced check |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {:.0} | {:.1} ms | {:.1} ms | {:.2} ms | {:.2} ms | {:.1} | {:.0} ms | {:.0} ms |",
            r.backend,
            r.checkouts,
            r.per_second,
            r.checkout_p50,
            r.checkout_p99,
            r.idle.p99,
            r.loaded.p99,
            r.loaded.p99 / r.idle.p99.max(0.001),
            r.balances_ms,
            r.trial_ms
        );
    }
    println!();
    println!(
        "| database | back-to-back reader idle | under load | paced reader idle | under load | × |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {:.1} |",
            r.backend,
            r.idle.cell(),
            r.loaded.cell(),
            r.paced_idle.cell(),
            r.paced_loaded.cell(),
            r.paced_loaded.p99 / r.paced_idle.p99.max(0.001),
        );
    }
    println!();
    for r in &rows {
        let verdict = if r.loaded.p99 <= 3.0 * r.idle.p99 {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "{}: products p99 within 3× of idle (back to back): {verdict}",
            r.backend
        );
    }
    Ok(())
}

/// A local PostgreSQL server whose new backends run on one core, until dropped: the
/// postmaster's affinity is set (its children inherit it) and restored afterwards. Pinned
/// to the server's core, the database's work shares that core as SQLite's threads do, and
/// the load generator keeps the other to itself: left free, PostgreSQL's backends took the
/// load generator's core too, and the reads it timed waited for their own client.
struct PostgresOnCore {
    postmaster: Option<(u32, String)>,
}

impl PostgresOnCore {
    fn pin(admin_url: &str, core: usize) -> anyhow::Result<Self> {
        let local = ["@127.0.0.1", "@localhost", "@[::1]"]
            .iter()
            .any(|host| admin_url.contains(host));
        let Some(postmaster) = postmaster_pid().filter(|_| local) else {
            println!("(PostgreSQL's postmaster is not found on this machine: not pinned)");
            return Ok(Self { postmaster: None });
        };
        let pid: u32 = postmaster.parse()?;
        let before = Command::new("taskset").args(["-p", &postmaster]).output()?;
        let mask = String::from_utf8_lossy(&before.stdout)
            .rsplit(':')
            .next()
            .map(|m| m.trim().to_owned())
            .unwrap_or_default();
        let set = Command::new("taskset")
            .args(["-p", "-c", &core.to_string(), &postmaster])
            .stdout(Stdio::null())
            .status()?;
        ensure!(
            set.success() && !mask.is_empty(),
            "cannot pin PostgreSQL's postmaster {pid}"
        );
        Ok(Self {
            postmaster: Some((pid, mask)),
        })
    }
}

/// The postmaster of the PostgreSQL cluster on this machine, from its pid file where
/// Debian's `pg_ctlcluster` keeps it.
fn postmaster_pid() -> Option<String> {
    let dir = std::fs::read_dir("/var/run/postgresql").ok()?;
    dir.flatten()
        .find(|entry| entry.file_name().to_string_lossy().ends_with(".pid"))
        .and_then(|entry| std::fs::read_to_string(entry.path()).ok())
        .and_then(|text| text.lines().next().map(str::to_owned))
}

impl Drop for PostgresOnCore {
    fn drop(&mut self) {
        if let Some((pid, mask)) = &self.postmaster {
            let _ = Command::new("taskset")
                .args(["-p", mask, &pid.to_string()])
                .stdout(Stdio::null())
                .status();
        }
    }
}

/// Keeps this process (and the threads it starts from now on) on `core`.
fn pin_to_core(core: usize) -> anyhow::Result<()> {
    // SAFETY: `set` is a plain bit set owned here; `sched_setaffinity` only reads it.
    let pinned = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    ensure!(pinned == 0, "cannot pin the load generator to core {core}");
    Ok(())
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    backend: &str,
    database_url: &str,
    dir: &Path,
    pool: Option<u32>,
) -> anyhow::Result<Row> {
    let port = free_port()?;
    let agora = |command: &str| {
        let mut agora = Command::new("taskset");
        agora
            .args(["-c", "0", env!("CARGO_BIN_EXE_agora"), command])
            .current_dir(dir)
            .env("DATABASE_URL", database_url)
            .env("AGORA_LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("AGORA_MEDIA_DIR", dir.join("media"))
            .env("AGORA_FILES_DIR", dir.join("files"))
            .env("AGORA_TRUSTED_PROXIES", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        if let Some(pool) = pool {
            agora.env("AGORA_DB_MAX_CONNECTIONS", pool.to_string());
        }
        agora
    };
    let seeded = agora("seed")
        .arg(format!("--benchmark-catalog={PRODUCTS}"))
        .status()?;
    ensure!(seeded.success(), "seeding the benchmark catalog failed");
    if database_url.starts_with("postgres") {
        // After the bulk load, as an operator would: otherwise autovacuum gets to the new
        // tables while the idle server is being timed, on the same core.
        psql(database_url, "VACUUM ANALYZE")?;
    }
    let server = Server(agora("serve").spawn()?);
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/health"))?;
    let mut row = runtime.block_on(load(backend, &base))?;
    drop(server);
    if std::env::var_os("AGORA_BENCH_LOAD_ONLY").is_some() {
        return Ok(row);
    }
    let (balances_ms, trial_ms) = runtime.block_on(ledger(database_url))?;
    row.balances_ms = balances_ms;
    row.trial_ms = trial_ms;
    Ok(row)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Runs a reader on a thread and runtime of its own, so that no other task of this process
/// (no buyer's) delays its reads: the latencies it returns, in ms.
fn on_own_thread<F, Fut>(reader: F) -> tokio::task::JoinHandle<anyhow::Result<Vec<f64>>>
where
    F: FnOnce(reqwest::Client) -> Fut + Send + 'static,
    Fut: Future<Output = Vec<f64>>,
{
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(runtime.block_on(reader(reqwest::Client::new())))
    })
}

/// Reads `GET /api/v1/products` back to back until `until` (see [`on_own_thread`]).
fn back_to_back(base: String, until: Instant) -> tokio::task::JoinHandle<anyhow::Result<Vec<f64>>> {
    on_own_thread(move |client| async move {
        let mut latencies = Vec::new();
        while Instant::now() < until {
            let started = Instant::now();
            if read(&client, &base).await {
                latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        latencies
    })
}

/// Reads `GET /api/v1/products` every [`PACE`] for `length` (see [`on_own_thread`]), each
/// read started on time whether or not the ones before it were answered (so a stalled
/// server cannot hold the reader back and hide the stall).
fn paced(base: String, length: Duration) -> tokio::task::JoinHandle<anyhow::Result<Vec<f64>>> {
    on_own_thread(move |client| async move {
        let mut ticks = tokio::time::interval(PACE);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut reads = tokio::task::JoinSet::new();
        let until = Instant::now() + length;
        while Instant::now() < until {
            ticks.tick().await;
            let (client, base) = (client.clone(), base.clone());
            reads.spawn(async move {
                let started = Instant::now();
                read(&client, &base)
                    .await
                    .then(|| started.elapsed().as_secs_f64() * 1000.0)
            });
        }
        reads.join_all().await.into_iter().flatten().collect()
    })
}

/// One read of the products page, its body received in full (so the connection is kept for
/// the next one); whether it succeeded.
async fn read(client: &reqwest::Client, base: &str) -> bool {
    match client
        .get(format!("{base}/api/v1/products?limit=20"))
        .send()
        .await
    {
        Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
        _ => false,
    }
}

async fn json(response: reqwest::Response) -> anyhow::Result<serde_json::Value> {
    let status = response.status();
    let body: serde_json::Value = response.json().await?;
    ensure!(status.is_success(), "{status}: {body}");
    Ok(body)
}

async fn load(backend: &str, base: &str) -> anyhow::Result<Row> {
    let client = reqwest::Client::new();
    let mut products = Vec::new();
    for page in 1..=(PRODUCTS / 100) {
        let body = json(
            client
                .get(format!("{base}/api/v1/products?limit=100&page={page}"))
                .send()
                .await?,
        )
        .await?;
        for product in body["data"].as_array().context("products")? {
            products.push(product["id"].as_str().context("id")?.to_owned());
        }
    }
    let mut buyers = Vec::new();
    for i in 0..BUYERS {
        let body = json(
            client
                .post(format!("{base}/api/v1/auth/register"))
                .header("X-Forwarded-For", format!("10.9.0.{i}"))
                .json(
                    &serde_json::json!({"email": format!("bench{i}@example.com"),
                    "password": "Sturdy-Otter-42", "firstName": "Bench", "lastName": "Buyer"}),
                )
                .send()
                .await?,
        )
        .await?;
        buyers.push(
            body["data"]["accessToken"]
                .as_str()
                .context("token")?
                .to_owned(),
        );
    }
    let buyers: Vec<Buyer> = buyers
        .into_iter()
        .enumerate()
        .map(|(i, token)| Buyer {
            index: i,
            token: Arc::new(token),
            start: i * (PRODUCTS / BUYERS),
            next: i * (PRODUCTS / BUYERS),
        })
        .collect();
    let products = Arc::new(products);
    // Unrecorded: the first reads fill the read cache, and the buyers' welcome emails go out.
    back_to_back(base.to_owned(), Instant::now() + WARM_UP).await??;
    let idle = back_to_back(base.to_owned(), Instant::now() + PROBE).await??;
    let idle = Reads::of(idle, PROBE);
    let paced_idle = Reads::of(paced(base.to_owned(), PROBE).await??, PROBE);

    let until = Instant::now() + LOAD;
    let reader = back_to_back(base.to_owned(), until);
    let (buyers, mut checkouts, elapsed) =
        check_out(&client, base, &products, buyers, until).await?;
    let loaded = Reads::of(reader.await??, LOAD);

    let reader = paced(base.to_owned(), PACED_LOAD);
    let until = Instant::now() + PACED_LOAD;
    check_out(&client, base, &products, buyers, until).await?;
    let paced_loaded = Reads::of(reader.await??, PACED_LOAD);

    checkouts.sort_by(f64::total_cmp);
    Ok(Row {
        backend: backend.to_owned(),
        checkouts: checkouts.len(),
        per_second: checkouts.len() as f64 / elapsed,
        checkout_p50: percentile(&checkouts, 0.5),
        checkout_p99: percentile(&checkouts, 0.99),
        idle,
        loaded,
        paced_idle,
        paced_loaded,
        balances_ms: 0.0,
        trial_ms: 0.0,
    })
}

/// A benchmark buyer: their access token and where in the product list they buy next
/// (each buyer starts at their own place and goes round the whole list once at most).
struct Buyer {
    index: usize,
    token: Arc<String>,
    start: usize,
    next: usize,
}

/// Every buyer checks out one product after another until `until`: the buyers (moved on),
/// every checkout's latency in ms, and the seconds it took.
async fn check_out(
    client: &reqwest::Client,
    base: &str,
    products: &Arc<Vec<String>>,
    buyers: Vec<Buyer>,
    until: Instant,
) -> anyhow::Result<(Vec<Buyer>, Vec<f64>, f64)> {
    let started = Instant::now();
    let tasks: Vec<_> = buyers
        .into_iter()
        .map(|mut buyer| {
            let (client, base, products) = (client.clone(), base.to_owned(), products.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < until {
                    ensure!(buyer.next < buyer.start + products.len(), "a buyer ran out of products");
                    let product = &products[buyer.next % products.len()];
                    let token = buyer.token.as_str();
                    let started = Instant::now();
                    json(client.post(format!("{base}/api/v1/cart/items")).bearer_auth(token)
                        .json(&serde_json::json!({"productId": product})).send().await?).await?;
                    let order = json(client.post(format!("{base}/api/v1/orders")).bearer_auth(token)
                        .header("Idempotency-Key", format!("bench-{}-{}", buyer.index, buyer.next))
                        .json(&serde_json::json!({"billingName": "Bench Buyer", "billingCountry": "DE"}))
                        .send().await?).await?;
                    let id = order["data"]["id"].as_str().context("order id")?.to_owned();
                    let paid = json(client.post(format!("{base}/api/v1/orders/{id}/pay")).bearer_auth(token)
                        .json(&serde_json::json!({"method": "sandbox", "card":
                            {"number": "4242424242424242", "expiry": "12/39", "cvc": "123"}}))
                        .send().await?).await?;
                    ensure!(paid["data"]["order"]["status"] == "paid", "not paid: {paid}");
                    latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                    buyer.next += 1;
                }
                anyhow::Ok((buyer, latencies))
            })
        })
        .collect();
    let mut buyers = Vec::new();
    let mut latencies = Vec::new();
    for task in tasks {
        let (buyer, theirs) = task.await??;
        buyers.push(buyer);
        latencies.extend(theirs);
    }
    Ok((buyers, latencies, started.elapsed().as_secs_f64()))
}

/// Adds 1,000,000 ledger entries, then times every balance and the balanced check.
async fn ledger(database_url: &str) -> anyhow::Result<(f64, f64)> {
    let db = app::db::Db::connect(database_url, 1).await?;
    let numbers = if database_url.starts_with("sqlite:") {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {TRANSACTIONS}) "
        )
    } else {
        format!("WITH n(i) AS (SELECT generate_series(1, {TRANSACTIONS})) ")
    };
    for sql in [
        "INSERT INTO ledger_transactions (id, idempotency_key, kind, memo, created_at) \
         SELECT 'bench-' || i, 'bench-' || i, 'order_payment', '', i FROM n",
        "INSERT INTO ledger_entries (transaction_id, position, account, currency, amount) \
         SELECT 'bench-' || i, 0, 'customer:cash', 'USD', -100 FROM n",
        "INSERT INTO ledger_entries (transaction_id, position, account, currency, amount) \
         SELECT 'bench-' || i, 1, 'vendor:bench' || (i % 1000) || ':pending', 'USD', 100 FROM n",
    ] {
        sqlx::query(&format!("{numbers}{sql}"))
            .execute(db.pool())
            .await?;
    }
    let started = Instant::now();
    let balances: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT account, currency, CAST(SUM(amount) AS BIGINT) FROM ledger_entries \
         GROUP BY account, currency ORDER BY account, currency",
    )
    .fetch_all(db.pool())
    .await?;
    let balances_ms = started.elapsed().as_secs_f64() * 1000.0;
    ensure!(balances.len() > 1_000, "every account has a balance");
    let started = Instant::now();
    let unbalanced: Vec<String> = sqlx::query_scalar(
        "SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency \
         HAVING SUM(amount) <> 0",
    )
    .fetch_all(db.pool())
    .await?;
    let trial_ms = started.elapsed().as_secs_f64() * 1000.0;
    ensure!(unbalanced.is_empty(), "the benchmark's ledger balances");
    db.close().await;
    Ok((balances_ms, trial_ms))
}
