//! Server-rendered pages: complete HTML before any wasm, the 404 page, CSP nonces, server
//! functions under their own prefix.
use crate::helpers::on_each_backend;

#[tokio::test(flavor = "multi_thread")]
async fn the_home_page_is_complete_server_rendered_html() {
    on_each_backend(|app| async move {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert_eq!(html.matches("<h1").count(), 1, "one h1");
        for landmark in ["<header", "<nav", "<main", "<footer", "role=\"search\""] {
            assert!(html.contains(landmark), "{landmark} missing");
        }
        assert!(
            html.contains("<label for=\"site-search\""),
            "the search box has a label"
        );
        assert!(html.contains("Digital products, with cashback on every deal"));
        assert!(html.contains("/pkg/agora.css"));
        assert!(
            html.contains("/pkg/agora.js"),
            "hydration scripts are included"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_a_csp_nonce_that_matches_their_scripts() {
    on_each_backend(|app| async move {
        for path in ["/no-such-page", "/account", "/login"] {
            let response = app.get(path).await;
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            let html = response.text().await.unwrap();
            assert!(
                html.contains("<script") && csp.contains("'nonce-"),
                "{path}: {csp}"
            );
            let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next();
            assert!(
                html.contains(&format!("nonce=\"{}\"", nonce.unwrap())),
                "{path}: the scripts carry the header's nonce"
            );
        }
        let response = app.get("/").await;
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let html = response.text().await.unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the CSP");
        assert!(nonce.len() >= 16);
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "scripts carry the nonce"
        );
        // Every inline script has it.
        let scripts = html.matches("<script").count();
        assert_eq!(
            scripts,
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            "{html}"
        );
        let second = app.get("/").await;
        assert_ne!(
            second.headers()["content-security-policy"]
                .to_str()
                .unwrap(),
            csp,
            "fresh per response"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_pages_show_the_404_page_with_status_404() {
    on_each_backend(|app| async move {
        let response = app.get("/no/such/page").await;
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"));
        assert!(html.contains("<header"), "inside the site layout");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_page_keeps_the_query_in_the_url() {
    on_each_backend(|app| async move {
        let html = app
            .get("/search?q=n8n%20templates")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Results for “n8n templates”"), "{html}");
        assert!(
            html.contains("value=\"n8n templates\""),
            "the box shows the query"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_dashboard_renders_its_data_on_the_server() {
    on_each_backend(|app| async move {
        let cookie =
            crate::fixtures::staff_cookie(&app, app::platform::identity::Role::Admin).await;
        let response = app.get_with_cookie("/admin", &cookie).await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("aria-label=\"Admin\""), "sidebar navigation");
        assert!(html.contains("<h1"));
        assert!(
            html.contains("USD") && html.contains("10.00 %"),
            "settings resolved before sending: {html}"
        );
        assert!(!html.contains("Loading…"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_functions_live_under_rpc_not_the_public_api() {
    on_each_backend(|app| async move {
        let response = app
            .client
            .post(app.url("/rpc/settings/site"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["siteName"], "Agora");
        let response = app
            .client
            .post(app.url("/api/v1/settings/site"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn responses_are_compressed_when_the_client_asks() {
    on_each_backend(|app| async move {
        let response = app
            .client
            .get(app.url("/"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], "gzip");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_fails_shows_the_error_page_with_the_errors_status() {
    on_each_backend(|app| async move {
        app.db.close().await;
        let response = app.get("/verify-email/some-token").await;
        let status = response.status();
        let html = response.text().await.unwrap();
        assert_eq!(status, 503, "the database is unavailable: {html}");
        assert!(html.contains("Something went wrong"), "{html}");
        assert!(
            html.contains("The database is unavailable."),
            "the reason, not a stack trace"
        );
        assert!(!html.contains("PoolClosed"));
    })
    .await;
}
