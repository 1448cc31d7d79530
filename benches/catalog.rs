//! The catalog under load, side by side with the reference peer (the seeds' own stack: Node,
//! Fastify 4, better-sqlite3, Handlebars — `../shared/peers/fastify-catalog`, or
//! `AGORA_PEER_DIR`) on the same data sizes: 10,000 live products, 50 storefronts, 20
//! categories.
//!
//! `cargo bench --bench catalog` builds the `agora` binary (bench profile = release settings)
//! and, for SQLite and — when `AGORA_TEST_POSTGRES_URL` names a reachable server — PostgreSQL,
//! seeds a fresh database (`agora seed --benchmark-catalog 10000`) and serves it pinned to core
//! 0, then drives each URL with `wrk` pinned to core 1 (64 connections, 10 s): the JSON list
//! (newest first), the JSON list filtered by category and sorted by price (page 3), the
//! server-rendered `/products` page, and — so that the cold path is measured too — the JSON
//! list asking for a different page each request. The peer is measured the same way, with its
//! own equivalent URLs. Each row: requests/s, p50 and p99 latency, and the server's resident
//! memory after the load (VmRSS, and RssAnon: what it allocated itself) and at its peak
//! (VmHWM). The targets of issue 9 are checked
//! against the peer and reported; the numbers go into the README by hand.

mod support;

use anyhow::{Context as _, bail, ensure};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use support::{Server, free_port, psql, wait_for};

const PRODUCTS: usize = 10_000;
const CONNECTIONS: u32 = 64;
const SECONDS: u32 = 10;

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not, and must not spend
    // minutes on a benchmark.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("catalog: a benchmark; run it with `cargo bench --bench catalog`");
        return Ok(());
    }
    for tool in ["wrk", "taskset"] {
        ensure!(
            Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()?
                .success(),
            "{tool} is needed (apt-get install -y wrk util-linux)"
        );
    }
    let mut rows = Vec::new();
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}/bench.db", dir.path().display());
    rows.extend(measure_agora("SQLite", &sqlite, dir.path())?);
    if let Some(admin_url) = std::env::var("AGORA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let name = format!("agora_bench_{}", std::process::id());
        psql(&admin_url, &format!("CREATE DATABASE {name}"))?;
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => bail!("AGORA_TEST_POSTGRES_URL has no database part"),
        };
        let measured = measure_agora("PostgreSQL", &url, dir.path());
        psql(
            &admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )?;
        rows.extend(measured?);
    } else {
        println!("(PostgreSQL skipped: AGORA_TEST_POSTGRES_URL is not set)");
    }
    let peer = std::env::var("AGORA_PEER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("../shared/peers/fastify-catalog"));
    if peer.join("server.js").exists() {
        rows.extend(measure_peer(&peer, dir.path())?);
    } else {
        println!("(peer skipped: no {}/server.js)", peer.display());
    }
    println!();
    println!("| server | page | requests/s | p50 | p99 | RSS after | peak RSS | anonymous RSS |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        println!(
            "| {} | {} | {:.0} | {:.2} ms | {:.2} ms | {} MB | {} MB | {} MB |",
            row.server,
            row.page,
            row.requests_per_sec,
            row.p50_ms,
            row.p99_ms,
            row.memory.rss_kb / 1024,
            row.memory.peak_kb / 1024,
            row.memory.anon_kb / 1024
        );
    }
    compare(&rows);
    Ok(())
}

/// One measured URL.
struct Row {
    server: String,
    page: &'static str,
    requests_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    memory: Memory,
}

/// A measured page: its label, and its path for Agora and for the peer. `every_page` paths
/// end in `page=`: each request asks for the next of 500 pages (all 10,000 products), so no
/// answer is served from a cache — the cold path, beside the hot one.
struct Probe {
    label: &'static str,
    agora: &'static str,
    peer: &'static str,
    every_page: bool,
}

const PROBES: [Probe; 4] = [
    Probe {
        label: "JSON, newest",
        agora: "/api/v1/products?page=1&limit=20",
        peer: "/api/v1/products?page=1&limit=20",
        every_page: false,
    },
    Probe {
        label: "JSON, category by price, page 3",
        agora: "/api/v1/products?filter%5Bcategory%5D=category-3&sort=price&order=asc&page=3&limit=20",
        peer: "/api/v1/products?filter%5Bcategory%5D=category-3&sort=price&page=3&limit=20",
        every_page: false,
    },
    Probe {
        label: "HTML /products",
        agora: "/products",
        peer: "/products",
        every_page: false,
    },
    Probe {
        label: "JSON, newest, a different page each request",
        agora: "/api/v1/products?limit=20&page=",
        peer: "/api/v1/products?limit=20&page=",
        every_page: true,
    },
];

fn measure_agora(backend: &str, database_url: &str, dir: &Path) -> anyhow::Result<Vec<Row>> {
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
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        agora
    };
    let started = Instant::now();
    let seeded = agora("seed")
        .arg(format!("--benchmark-catalog={PRODUCTS}"))
        .status()?;
    ensure!(seeded.success(), "seeding the benchmark catalog failed");
    println!(
        "{backend}: seeded {PRODUCTS} products in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let server = Server(agora("serve").spawn()?);
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/health"))?;
    let name = format!("Agora ({backend})");
    PROBES
        .iter()
        .map(|probe| load(&name, probe, &base, probe.agora, server.0.id(), dir))
        .collect()
}

fn measure_peer(source: &Path, dir: &Path) -> anyhow::Result<Vec<Row>> {
    let peer = dir.join("peer");
    std::fs::create_dir_all(&peer)?;
    for file in ["server.js", "package.json", "package-lock.json"] {
        std::fs::copy(source.join(file), peer.join(file))
            .with_context(|| format!("copying the peer's {file}"))?;
    }
    let installed = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&peer)
        .stdout(Stdio::null())
        .status()?;
    ensure!(installed.success(), "npm install of the peer failed");
    let port = free_port()?;
    let server = Server(
        Command::new("taskset")
            .args(["-c", "0", "node", "server.js"])
            .current_dir(&peer)
            .env("PEER_DB", peer.join("catalog.db"))
            .env("PEER_PORT", port.to_string())
            .env("PEER_PRODUCTS", PRODUCTS.to_string())
            .stdout(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/api/v1/products?limit=1"))?;
    PROBES
        .iter()
        .map(|probe| load("Fastify peer", probe, &base, probe.peer, server.0.id(), dir))
        .collect()
}

/// Drives `path` of `base` with wrk on core 1, then reads the server's memory.
fn load(
    server: &str,
    probe: &Probe,
    base: &str,
    path: &str,
    pid: u32,
    dir: &Path,
) -> anyhow::Result<Row> {
    let url = format!("{base}{path}");
    let script = if probe.every_page {
        let script = dir.join("every-page.lua");
        std::fs::write(
            &script,
            format!(
                "n = 0\nrequest = function()\n  n = n + 1\n  \
                 return wrk.format(\"GET\", \"{path}\" .. (n % 500 + 1))\nend\n"
            ),
        )?;
        Some(script)
    } else {
        None
    };
    // A warm-up, so both servers are measured with their caches and pools filled.
    run_wrk(&url, script.as_deref(), 2)?;
    let output = run_wrk(&url, script.as_deref(), SECONDS)?;
    let memory = memory(pid)?;
    let row = Row {
        server: server.to_owned(),
        page: probe.label,
        requests_per_sec: field(&output, "Requests/sec:")?,
        p50_ms: latency(&output, "50%")?,
        p99_ms: latency(&output, "99%")?,
        memory,
    };
    ensure!(
        !output.contains("Non-2xx"),
        "{server} answered errors on {url}:\n{output}"
    );
    println!(
        "{server} · {}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        row.page, row.requests_per_sec, row.p50_ms, row.p99_ms
    );
    Ok(row)
}

fn run_wrk(url: &str, script: Option<&Path>, seconds: u32) -> anyhow::Result<String> {
    let mut wrk = Command::new("taskset");
    wrk.args(["-c", "1", "wrk", "-t1"])
        .arg(format!("-c{CONNECTIONS}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency");
    if let Some(script) = script {
        wrk.arg("-s").arg(script);
    }
    let output = wrk.arg(url).output()?;
    ensure!(output.status.success(), "wrk failed on {url}");
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The number after `label` in wrk's report.
fn field(output: &str, label: &str) -> anyhow::Result<f64> {
    output
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no {label} in wrk's report:\n{output}"))
}

/// A percentile from wrk's latency distribution, in milliseconds.
fn latency(output: &str, percentile: &str) -> anyhow::Result<f64> {
    let value = output
        .lines()
        .find_map(|line| line.trim().strip_prefix(percentile))
        .map(str::trim)
        .with_context(|| format!("no {percentile} in wrk's report:\n{output}"))?;
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .context("a latency without a unit")?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        other => bail!("unknown latency unit {other}"),
    })
}

/// A process's resident memory, in kB: all of it (VmRSS), its peak (VmHWM), and the part it
/// allocated itself (RssAnon — without the pages of its program file and of files it maps,
/// such as SQLite's database under `mmap_size`, which the kernel shares with its page cache).
struct Memory {
    rss_kb: u64,
    peak_kb: u64,
    anon_kb: u64,
}

fn memory(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let read = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("no {key} for process {pid}"))
    };
    Ok(Memory {
        rss_kb: read("VmRSS:")?,
        peak_kb: read("VmHWM:")?,
        anon_kb: read("RssAnon:")?,
    })
}

/// Prints how Agora's SQLite rows compare with the peer's against the targets.
fn compare(rows: &[Row]) {
    let find = |server: &str, page: &str| {
        rows.iter()
            .find(|row| row.server == server && row.page == page)
    };
    println!();
    for backend in ["SQLite", "PostgreSQL"] {
        let agora = format!("Agora ({backend})");
        for probe in &PROBES {
            let page = probe.label;
            let (Some(ours), Some(peer)) = (find(&agora, page), find("Fastify peer", page)) else {
                continue;
            };
            println!(
                "{agora} · {page}: {:.1}× the peer's requests/s (target ≥ 3×), p99 {:.2} vs {:.2} ms, \
                 peak memory {:.0} % of the peer's, anonymous {:.0} % (target ≤ 20 %)",
                ours.requests_per_sec / peer.requests_per_sec,
                ours.p99_ms,
                peer.p99_ms,
                ours.memory.peak_kb as f64 * 100.0 / peer.memory.peak_kb.max(1) as f64,
                ours.memory.anon_kb as f64 * 100.0 / peer.memory.anon_kb.max(1) as f64
            );
        }
    }
}
