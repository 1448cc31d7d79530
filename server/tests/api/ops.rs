//! `/health`, `/metrics`, request ids, security headers, graceful shutdown.
use crate::fixtures::{PASSWORD, register};
use crate::helpers::{Options, TestApp, backends, envelope, on_each_backend, on_each_backend_with};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_the_database() {
    on_each_backend(|app| async move {
        let response = app.get("/health").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["checks"]["database"]["status"], "ok");
        assert!(body["checks"]["database"]["responseTime"].as_f64().unwrap() >= 0.0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_at_once_while_every_pooled_connection_is_busy() {
    on_each_backend(|app| async move {
        // The test apps' pools hold 4 connections: take them all, as a burst of work would.
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(app.db.pool().acquire().await.unwrap());
        }
        let started = std::time::Instant::now();
        let response = app.get("/health").await;
        assert_eq!(response.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "no wait for the pool"
        );
        drop(held);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_is_503_naming_the_database_when_it_is_down() {
    on_each_backend(|app| async move {
        app.db.close().await;
        let response = app.get("/health").await;
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "error");
        assert_eq!(body["checks"]["database"]["status"], "error");
        // API calls that need the database answer 503 with the envelope, not 500.
        let response = app.get("/api/v1/site").await;
        crate::helpers::assert_error(response, 503, "SERVICE_UNAVAILABLE").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    on_each_backend(|app| async move {
        app.get("/health").await;
        app.get("/api/v1/no-such-route").await;
        let response = app.get("/metrics").await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let text = response.text().await.unwrap();
        assert!(text.contains("http_requests_total{"), "{text}");
        assert!(text.contains(r#"route="/health""#), "{text}");
        assert!(text.contains(r#"status="404""#), "{text}");
        assert!(
            text.contains("http_request_duration_seconds_bucket{"),
            "{text}"
        );
        assert!(
            text.contains(r#"db_pool_connections{state="idle"}"#),
            "{text}"
        );
        assert!(text.contains("db_pool_max_connections 4"), "{text}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn request_ids_are_propagated_or_generated() {
    on_each_backend(|app| async move {
        let response = app
            .client
            .get(app.url("/health"))
            .header("x-request-id", "req_from_the_edge-1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "req_from_the_edge-1");

        let generated = app.get("/health").await;
        let id = generated.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 36, "a UUID: {id}");

        // An id that is not a sane token is replaced, not echoed.
        let response = app
            .client
            .get(app.url("/health"))
            .header("x-request-id", "x".repeat(300))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"].len(), 36);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_response_has_security_headers() {
    on_each_backend(|app| async move {
        for path in [
            "/",
            "/health",
            "/api/v1/site",
            "/api/v1/nope",
            "/no-such-page",
        ] {
            let response = app.get(path).await;
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(
                headers["referrer-policy"], "strict-origin-when-cross-origin",
                "{path}"
            );
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(
                !headers.contains_key("strict-transport-security"),
                "{path}: no HSTS without TLS"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hsts_is_sent_when_served_over_tls() {
    for backend in backends() {
        let options = crate::helpers::Options {
            env: vec![("AGORA_PUBLIC_URL", "https://agora.example".into())],
            ..Default::default()
        };
        let app = TestApp::spawn(backend, options).await;
        let response = app.get("/health").await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_lets_in_flight_requests_finish() {
    let mut app = TestApp::spawn(app::db::Backend::Sqlite, Default::default()).await;
    // A request whose body arrives slowly is in flight when the shutdown starts.
    let (tx, request) = request_with_open_body(&app);
    let in_flight = tokio::spawn(request.send());
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(200)).await;
    tx.send(Ok(Vec::new())).await.unwrap();
    drop(tx);
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request completes");
    assert_eq!(response.status(), 200);
    app.shut_down().await;
    assert!(
        reqwest::get(app.url("/health")).await.is_err(),
        "no new connections after shutdown"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_stops_waiting_after_the_grace_period() {
    let options = crate::helpers::Options {
        env: vec![("AGORA_SHUTDOWN_GRACE_SECS", "1".into())],
        ..Default::default()
    };
    let mut app = TestApp::spawn(app::db::Backend::Sqlite, options).await;
    // A request whose body never ends holds the connection open.
    let (tx, request) = request_with_open_body(&app);
    let stuck = tokio::spawn(request.send());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(5), app.shut_down())
        .await
        .expect("the server stops despite the stuck request");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "it did wait for the grace period"
    );
    drop(tx);
    let _ = stuck.await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_that_takes_too_long_gets_408() {
    let options = crate::helpers::Options {
        env: vec![("AGORA_REQUEST_TIMEOUT_SECS", "1".into())],
        ..Default::default()
    };
    let app = TestApp::spawn(app::db::Backend::Sqlite, options).await;
    let (tx, request) = request_with_open_body(&app);
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 408);
    drop(tx);
}

type BodyChunks = tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

/// A server-function call whose body stays open until the test sends a chunk through the
/// returned sender or drops it — a request that is "in flight" for as long as the test wants.
fn request_with_open_body(app: &TestApp) -> (BodyChunks, reqwest::RequestBuilder) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let request = app
        .client
        .post(app.url("/rpc/settings/site"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(body));
    (tx, request)
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_need_the_token_when_one_is_configured() {
    let options = crate::helpers::Options {
        env: vec![("AGORA_METRICS_TOKEN", "scrape-me".into())],
        ..Default::default()
    };
    let app = TestApp::spawn(app::db::Backend::Sqlite, options).await;
    assert_eq!(app.get("/metrics").await.status(), 404, "no token");
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn made_up_methods_share_one_metrics_label() {
    let app = TestApp::spawn(app::db::Backend::Sqlite, Default::default()).await;
    let method = reqwest::Method::from_bytes(b"BREW").unwrap();
    app.client
        .request(method, app.url("/health"))
        .send()
        .await
        .unwrap();
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("BREW"), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_configured_backend_really_is_under_test() {
    let seen = std::sync::Mutex::new(Vec::new());
    on_each_backend(|app| {
        seen.lock().unwrap().push(app.db.backend());
        async {}
    })
    .await;
    assert_eq!(*seen.lock().unwrap(), backends());
    assert!(seen.lock().unwrap().contains(&app::db::Backend::Sqlite));
    // CI must exercise PostgreSQL; a run without it would pass on SQLite alone.
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        assert!(
            seen.lock().unwrap().contains(&app::db::Backend::Postgres),
            "CI=true but AGORA_TEST_POSTGRES_URL is not set"
        );
    }
}

/// Signs in through the form from `forwarded_for` (as a proxy would report it); returns the
/// response.
async fn sign_in_via_proxy(app: &TestApp, email: &str, password: &str, forwarded_for: &str) -> u16 {
    app.client
        .post(app.url("/rpc/auth/login"))
        .header("accept", "text/html")
        .header("origin", format!("http://{}", app.addr))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Behind a trusted proxy, the client is the address the proxy reports: the session list and
/// the sign-in throttle see it, and `/metrics` is not "this machine" for a visitor from
/// outside. A stranger's header is ignored when nobody is trusted.
#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let trusted = || Options {
        env: vec![("AGORA_TRUSTED_PROXIES", "127.0.0.1, ::1".into())],
        ..Options::default()
    };
    on_each_backend_with(trusted, |app| async move {
        let token = register(&app, "proxied@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        // A client that writes its own header is not believed past our proxy's hop.
        let status = sign_in_via_proxy(
            &app,
            "proxied@example.com",
            PASSWORD,
            "6.6.6.6, 198.51.100.9",
        )
        .await;
        assert_eq!(status, 302);
        let (_, sessions) = envelope(app.get_with("/api/v1/users/me/sessions", &token).await).await;
        assert_eq!(sessions["data"][0]["ip"], "198.51.100.9", "{sessions}");

        // Five failures from one outside address throttle that address, not the proxy.
        for _ in 0..5 {
            sign_in_via_proxy(&app, "proxied@example.com", "Wrong-Guess-1", "203.0.113.7").await;
        }
        let api_login_from = |address: &'static str| {
            let app = &app;
            async move {
                let body = json!({"email": "proxied@example.com", "password": PASSWORD});
                let request = app.client.post(app.url("/api/v1/auth/login"));
                let response = request
                    .header("x-forwarded-for", address)
                    .json(&body)
                    .send();
                response.await.unwrap().status().as_u16()
            }
        };
        assert_eq!(api_login_from("203.0.113.7").await, 429);
        assert_eq!(api_login_from("203.0.113.8").await, 200);

        let outside = app
            .client
            .get(app.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.7")
            .send()
            .await
            .unwrap();
        assert_eq!(outside.status(), 404, "a visitor through the proxy");
        assert_eq!(app.get("/metrics").await.status(), 200, "this machine");
    })
    .await;

    // Nobody trusted: the header changes nothing.
    on_each_backend(|app| async move {
        let token = register(&app, "direct@example.com").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        sign_in_via_proxy(&app, "direct@example.com", PASSWORD, "198.51.100.9").await;
        let (_, sessions) = envelope(app.get_with("/api/v1/users/me/sessions", &token).await).await;
        assert_eq!(sessions["data"][0]["ip"], "127.0.0.1", "{sessions}");
    })
    .await;
}
