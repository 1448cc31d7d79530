//! The crash test (issue 10): `agora serve` is killed with SIGKILL in the middle of a burst of
//! checkouts and started again on the same database. No order whose payment was confirmed is
//! lost, nothing is credited twice, and every buyer who retries (same idempotency key, as a
//! client does after a dropped connection) ends with exactly one paid order. On SQLite, and
//! on PostgreSQL when `AGORA_TEST_POSTGRES_URL` is set.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const BUYERS: usize = 60;
const PRICE: i64 = 2900;
const ADMIN_PASSWORD: &str = "Keen-Heron-2026";
const PASSWORD: &str = "Sturdy-Otter-42";

/// Kills the server if a failed assertion leaves it running.
struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agora(dir: &std::path::Path, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_agora"));
    command
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("AGORA_MEDIA_DIR", dir.join("media"))
        .env("AGORA_FILES_DIR", dir.join("files"))
        .env("AGORA_LISTEN_ADDR", "127.0.0.1:0")
        .env("AGORA_TRUSTED_PROXIES", "127.0.0.1")
        .env("AGORA_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn,server=info");
    command
}

fn serve(dir: &std::path::Path, url: &str) -> Server {
    use std::io::BufRead;
    let mut child = agora(dir, url)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = log.next().expect("the server's log").unwrap();
        if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            break digits.parse().unwrap();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || log.for_each(drop));
    Server(child, port)
}

/// A client of one server, each request from `forwarded` (behind the trusted proxy).
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(port: u16) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}/api/v1"),
        }
    }

    async fn call(
        &self,
        path: &str,
        token: Option<&str>,
        forwarded: &str,
        key: Option<&str>,
        body: Value,
    ) -> Result<(u16, Value), reqwest::Error> {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("X-Forwarded-For", forwarded)
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    }

    async fn ok(&self, path: &str, token: Option<&str>, forwarded: &str, body: Value) -> Value {
        let (status, body) = self.call(path, token, forwarded, None, body).await.unwrap();
        assert!((200..300).contains(&status), "{path}: {status} {body}");
        body["data"].clone()
    }

    async fn register(&self, email: &str, forwarded: &str) -> String {
        let body =
            json!({"email": email, "password": PASSWORD, "firstName": "Ada", "lastName": "Byron"});
        self.ok("/auth/register", None, forwarded, body).await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Places buyer `i`'s order (same key every time) and pays it if it is pending; the
    /// order as it ends.
    async fn checkout(&self, token: &str, i: usize) -> Result<Value, String> {
        let forwarded = format!("10.2.{}.{}", i / 200, i % 200);
        let key = format!("crash-{i}");
        let body = json!({"billingName": "Ada Byron", "billingCountry": "GB"});
        let (status, placed) = self
            .call("/orders", Some(token), &forwarded, Some(&key), body)
            .await
            .map_err(|e| e.to_string())?;
        if !(200..300).contains(&status) {
            return Err(format!("place: {status} {placed}"));
        }
        let order = placed["data"].clone();
        if order["status"] != "pending" {
            return Ok(order);
        }
        let id = order["id"].as_str().unwrap();
        let card = json!({"method": "sandbox", "card": {"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}});
        let (status, paid) = self
            .call(
                &format!("/orders/{id}/pay"),
                Some(token),
                &forwarded,
                None,
                card,
            )
            .await
            .map_err(|e| e.to_string())?;
        if status == 200 {
            Ok(paid["data"]["order"].clone())
        } else {
            Err(format!("pay: {status} {paid}"))
        }
    }
}

async fn scalar(db: &app::db::Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn crash_and_recover(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let made = agora(dir.path(), url)
        .args(["create-admin", "--email", "boss@example.com"])
        .env("AGORA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    let server = serve(dir.path(), url);
    let client = Client::new(server.1);
    let admin = client
        .ok(
            "/auth/login",
            None,
            "10.0.0.1",
            json!({"email": "boss@example.com", "password": ADMIN_PASSWORD}),
        )
        .await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let seller = client.register("seller@example.com", "10.0.0.2").await;
    let application = json!({"storeName": "Flowsmith", "contactEmail": "seller@example.com",
        "payoutMethod": "paypal", "payoutDetails": "seller@example.com"});
    let store = client
        .ok("/vendors/apply", Some(&seller), "10.0.0.2", application)
        .await;
    let approve = format!("/admin/vendors/{}/approve", store["id"].as_str().unwrap());
    client
        .ok(&approve, Some(&admin), "10.0.0.1", json!({}))
        .await;
    let category = client
        .ok(
            "/admin/categories",
            Some(&admin),
            "10.0.0.1",
            json!({"name": "Automation"}),
        )
        .await;
    let product = json!({"title": "Lead kit", "summary": "Scores leads.", "price": PRICE,
        "categoryId": category["id"]});
    let product = client
        .ok("/vendors/me/products", Some(&seller), "10.0.0.2", product)
        .await;
    let product = product["id"].as_str().unwrap().to_owned();
    client
        .ok(
            &format!("/vendors/me/products/{product}/submit"),
            Some(&seller),
            "10.0.0.2",
            json!({}),
        )
        .await;
    client
        .ok(
            &format!("/admin/products/{product}/approve"),
            Some(&admin),
            "10.0.0.1",
            json!({}),
        )
        .await;
    let mut buyers = Vec::new();
    for i in 0..BUYERS {
        let forwarded = format!("10.2.{}.{}", i / 200, i % 200);
        let token = client
            .register(&format!("buyer{i}@example.com"), &forwarded)
            .await;
        client
            .ok(
                "/cart/items",
                Some(&token),
                &forwarded,
                json!({"productId": product}),
            )
            .await;
        buyers.push(token);
    }

    // The burst: every buyer checks out at once; the server is killed (SIGKILL) as soon as
    // five payments have been confirmed.
    let confirmed = Arc::new(AtomicUsize::new(0));
    let burst: Vec<_> = buyers
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let client = client.clone();
            let token = token.clone();
            let confirmed = confirmed.clone();
            tokio::spawn(async move {
                let outcome = client.checkout(&token, i).await;
                if matches!(&outcome, Ok(order) if order["status"] == "paid") {
                    confirmed.fetch_add(1, Ordering::SeqCst);
                }
                outcome
            })
        })
        .collect();
    while confirmed.load(Ordering::SeqCst) < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let mut server = server;
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let mut outcomes = Vec::new();
    for task in burst {
        outcomes.push(task.await.unwrap());
    }
    let paid_before: Vec<bool> = outcomes
        .iter()
        .map(|o| matches!(o, Ok(order) if order["status"] == "paid"))
        .collect();
    let cut = paid_before.iter().filter(|paid| !**paid).count();
    assert!(
        cut > 0,
        "the kill came after the whole burst: nothing was in flight"
    );

    // Restarted: every buyer retries with the same key. Those told "paid" find their order
    // paid; the others end paid exactly once.
    let server = serve(dir.path(), url);
    let client = Client::new(server.1);
    for (i, token) in buyers.iter().enumerate() {
        let order = client.checkout(token, i).await.unwrap();
        assert_eq!(order["status"], "paid", "buyer {i}: {order}");
        if paid_before[i] {
            assert_eq!(
                Some(order["id"].clone()),
                outcomes[i].as_ref().ok().map(|o| o["id"].clone()),
                "buyer {i}'s confirmed order is the one kept"
            );
        }
    }
    drop(server);
    let db = app::db::Db::connect(url, 1).await.unwrap();
    let n = i64::try_from(BUYERS).unwrap();
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM orders").await,
        n,
        "one order per buyer"
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM orders WHERE status = 'paid'").await,
        n
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM purchases").await, n);
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'order_payment'"
        )
        .await,
        n,
        "each sale posted once"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries WHERE account = 'customer:cash'"
        )
        .await,
        -n * PRICE
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries \
                     GROUP BY transaction_id, currency HAVING SUM(amount) <> 0) unbalanced"
        )
        .await,
        0
    );
    db.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_server_loses_no_paid_order_and_credits_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    crash_and_recover(&format!("sqlite://{}/agora.db", dir.path().display())).await;
    if let Ok(admin_url) = std::env::var("AGORA_TEST_POSTGRES_URL") {
        let name = format!("agora_crash_{}", std::process::id());
        let admin = app::db::Db::connect(&admin_url, 1).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(admin.pool())
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await
            .unwrap();
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        crash_and_recover(&format!("{base}/{name}")).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(admin.pool())
            .await
            .unwrap();
        admin.close().await;
    }
}
