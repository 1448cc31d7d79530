//! The test harness: the real router on `127.0.0.1:0` with a fresh, migrated database per
//! test — SQLite always, and PostgreSQL (a fresh database per test) when
//! `AGORA_TEST_POSTGRES_URL` is set — plus assertions on the envelope.

use app::db::{Backend, Db};
use app::platform::Services;
use axum::Router;
use server::config::Config;
use server::state::AppState;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub services: Services,
    /// The state the router was built from (to build more routers from it).
    pub state: AppState,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    stop_workers: tokio::sync::watch::Sender<bool>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
    /// Uploaded files (`AGORA_MEDIA_DIR`).
    pub media: tempfile::TempDir,
    /// Files sold to buyers (`AGORA_FILES_DIR`).
    pub files: tempfile::TempDir,
    postgres_database: Option<String>,
}

/// Settings a test may change before the app starts.
#[derive(Default)]
pub struct Options {
    pub env: Vec<(&'static str, String)>,
    /// Extra routes merged into `/api/v1` (probes for extractor behaviour).
    pub api_routes: Option<Router<AppState>>,
}

/// Runs `test` on a fresh SQLite app, then on a fresh PostgreSQL app when configured.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_backend_with(Options::default, test).await;
}

pub async fn on_each_backend_with<O, F, Fut>(options: O, test: F)
where
    O: Fn() -> Options,
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends() {
        let app = TestApp::spawn(backend, options()).await;
        let cleanup = app.postgres_database.clone();
        test(app).await;
        if let Some(name) = cleanup {
            drop_postgres_database(&name).await;
        }
    }
}

pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        backends.push(Backend::Postgres);
    }
    backends
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("AGORA_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// `postgres://…/postgres` → `postgres://…/<name>`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin_connection() -> Db {
    let url = postgres_admin_url().expect("AGORA_TEST_POSTGRES_URL is set");
    Db::connect(&url, 1)
        .await
        .expect("connect to AGORA_TEST_POSTGRES_URL")
}

async fn drop_postgres_database(name: &str) {
    let admin = admin_connection().await;
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(admin.pool())
        .await;
    admin.close().await;
}

impl TestApp {
    pub async fn spawn(backend: Backend, options: Options) -> Self {
        let (database_url, dir, postgres_database) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/agora.db", dir.path().display());
                (url, Some(dir), None)
            }
            Backend::Postgres => {
                let name = format!("agora_test_{}", uuid_simple());
                let admin = admin_connection().await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(admin.pool())
                    .await
                    .expect("create test database");
                admin.close().await;
                let url = with_database(&postgres_admin_url().unwrap_or_default(), &name);
                (url, None, Some(name))
            }
        };
        let media = tempfile::tempdir().expect("media dir");
        let files = tempfile::tempdir().expect("files dir");
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", database_url),
            ("AGORA_MEDIA_DIR", media.path().display().to_string()),
            ("AGORA_FILES_DIR", files.path().display().to_string()),
            ("AGORA_LISTEN_ADDR", "127.0.0.1:0".to_owned()),
            ("AGORA_DB_MAX_CONNECTIONS", "4".to_owned()),
        ]);
        vars.extend(options.env);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
        let grace = config.shutdown_grace;
        // The outbox unless a test sets AGORA_SMTP_URL, as in production.
        let mailer = server::mailer(&config).expect("mailer");
        let db = server::open_database(&config)
            .await
            .expect("open test database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let state = server::app_state(config, db.clone())
            .await
            .expect("app state");
        let services = state.services.clone();
        let kept_state = state.clone();
        let (stop_workers, stop_rx) = tokio::sync::watch::channel(false);
        server::spawn_workers(&state, mailer, stop_rx);
        let router = match options.api_routes {
            Some(extra) => {
                server::router::build_with_api(state, server::api::v1::router().merge(extra))
            }
            None => server::router::build(state),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(server::serve_on(
            listener,
            router,
            async {
                let _ = rx.await;
            },
            grace,
        ));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self {
            addr,
            db,
            services,
            state: kept_state,
            client,
            shutdown: Some(tx),
            stop_workers,
            server: Some(server),
            _dir: dir,
            media,
            files,
            postgres_database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends a JSON `body` to an API path with an optional bearer credential.
    pub async fn post_json(
        &self,
        path: &str,
        bearer: Option<&str>,
        body: serde_json::Value,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).json(&body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("POST")
    }

    /// GETs `path` as a signed-in browser does, with the `cookie` pair.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// The HTML of `path` for a signed-in browser.
    pub async fn html_with_cookie(&self, path: &str, cookie: &str) -> String {
        self.get_with_cookie(path, cookie)
            .await
            .text()
            .await
            .expect("HTML")
    }

    /// GETs an API path with a bearer credential.
    pub async fn get_with(&self, path: &str, bearer: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(bearer)
            .send()
            .await
            .expect("GET")
    }

    /// The newest email to `recipient` in the development outbox, waiting up to 10 s for the
    /// job worker to deliver it.
    pub async fn email_to(&self, recipient: &str, subject: &str) -> (String, String) {
        for _ in 0..100 {
            let row: Option<(String, String)> = sqlx::query_as(
                "SELECT text_body, html_body FROM outbox WHERE recipient = $1 AND subject = $2 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(recipient)
            .bind(subject)
            .fetch_optional(self.db.pool())
            .await
            .expect("read outbox");
            if let Some(email) = row {
                return email;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no email {subject:?} to {recipient}");
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Asks the server to stop and waits until it has (in-flight requests finish first).
    pub async fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }

    /// Starts a shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop_workers.send(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn uuid_simple() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Reads a response as an envelope, checking the parts every envelope has.
pub async fn envelope(response: reqwest::Response) -> (reqwest::StatusCode, serde_json::Value) {
    let status = response.status();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .expect("every response has X-Request-Id");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(
        body["meta"]["requestId"], request_id,
        "meta.requestId equals X-Request-Id: {body}"
    );
    let timestamp = body["meta"]["timestamp"].as_str().expect("meta.timestamp");
    assert!(
        timestamp.len() == "2026-11-22T09:49:49.447Z".len()
            && app::platform::types::Timestamp::parse_rfc3339(timestamp).is_some(),
        "RFC 3339 UTC to the millisecond, like every time in the API: {timestamp}"
    );
    assert_eq!(body["success"], status.is_success(), "success flag: {body}");
    (status, body)
}

/// Asserts an error envelope with `status` and `code`; returns the body.
pub async fn assert_error(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    let (actual, body) = envelope(response).await;
    assert_eq!(actual.as_u16(), status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"]["details"].is_array(), "{body}");
    body
}

/// The `name=value` pair of the cookie `name` that `response` sets, if any.
pub fn response_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&prefix))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}
