//! What the benchmarks share: a server process killed when dropped, a free port, waiting for
//! a URL, and `psql` for making and dropping databases.

use anyhow::{bail, ensure};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let status = Command::new("psql")
        .args([url, "-q", "-c", sql])
        // Notices and warnings (a database-wide VACUUM skipping the system catalogs this role
        // may not vacuum) are not the benchmark's output; errors still are.
        .env("PGOPTIONS", "-c client_min_messages=error")
        .stdout(Stdio::null())
        .status()?;
    ensure!(status.success(), "psql failed: {sql}");
    Ok(())
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits up to two minutes for `url` to answer 200 (the peer builds its data on first start).
pub fn wait_for(url: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let ok = Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", url])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("{url} did not answer within two minutes")
}

/// A server process, killed when dropped (also when the benchmark fails half-way).
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
