//! Server-rendered pages under concurrent load in one process, on both databases: 2,000 page
//! loads over every page, 32 at a time, mixing guests, customers and staff, while routers
//! keep being built in the same process (as when `cargo test` starts servers beside running
//! ones). No page may time out (408), come back empty, or carry a status that disagrees with
//! what it shows; a file of the site's among them must come back as it is, with 200. This is
//! the regression test for Leptos #4773 (see `router::page_routes`) and for a script once
//! served with a 404 page's status (see `router::site_files`).
use crate::fixtures::TestUser;
use crate::helpers::{Options, TestApp, on_each_backend_with};
use app::platform::identity::Role;
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const LOADS: usize = 2_000;
const AT_ONCE: usize = 32;

/// A page, who asks for it, and what must come back: the status and a text the page shows.
struct Visit {
    path: &'static str,
    cookie: Option<String>,
    status: u16,
    shows: &'static str,
}

/// Emailed-token links are throttled per address (30 in 5 minutes): past that, the page says
/// so with 429, which is as right as the 200 before it.
const THROTTLED: (u16, &str) = (429, "Too many requests");

/// A file of the site's own (as `/pkg` holds the browser bundle), served among the pages: a
/// 404 page rendered beside it once lent it its status.
const PROBE_SCRIPT: &str = "// the probe script";

fn visits(customer: &TestUser, manager: &TestUser) -> Vec<Visit> {
    let guest = |path, status, shows| Visit {
        path,
        cookie: None,
        status,
        shows,
    };
    let as_user = |user: &TestUser, path, status, shows| Visit {
        path,
        cookie: Some(user.cookie.clone()),
        status,
        shows,
    };
    vec![
        guest("/", 200, "Digital products, with cashback"),
        guest("/search?q=agents", 200, "Results for"),
        guest("/products?sort=price", 200, "Browse products"),
        guest("/products/no-such-product", 404, "Not found"),
        guest("/sell", 302, ""),
        guest("/login", 200, "Sign in"),
        guest("/register", 200, "Create your account"),
        guest("/forgot-password", 200, "Reset your password"),
        guest("/reset-password/some-token", 200, "Choose a new password"),
        guest("/verify-email/not-a-token", 200, "invalid or has expired"),
        guest("/no/such/page", 404, "Page not found"),
        guest("/pkg/probe.js", 200, PROBE_SCRIPT),
        guest("/account", 302, ""),
        guest("/admin/users", 302, ""),
        as_user(customer, "/", 200, "Sign out"),
        as_user(customer, "/account", 200, "Active sessions"),
        as_user(customer, "/admin", 403, "Staff only"),
        as_user(customer, "/admin/outbox", 403, "Staff only"),
        as_user(manager, "/admin", 200, "Site settings"),
        as_user(manager, "/admin/vendors", 200, "Vendors"),
        as_user(manager, "/admin/categories", 200, "Add a category"),
        as_user(
            manager,
            "/admin/products?status=active",
            200,
            "products · page",
        ),
        as_user(
            manager,
            "/admin/users?sort=email&order=asc",
            200,
            "accounts · page 1",
        ),
        as_user(manager, "/admin/outbox", 403, "Not allowed"),
        as_user(manager, "/admin/users/no-such-user", 404, "Not found"),
        as_user(manager, "/account", 200, "Your account"),
    ]
}

async fn load(app: &TestApp, visit: &Visit) -> Result<(), String> {
    let mut request = app
        .client
        .get(app.url(visit.path))
        .header("accept", "text/html");
    if let Some(cookie) = &visit.cookie {
        request = request.header("cookie", cookie);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("{}: {e}", visit.path))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| format!("{}: {e}", visit.path))?;
    let throttled = visit.path.starts_with("/verify-email/") && status == THROTTLED.0;
    let shows = if throttled { THROTTLED.1 } else { visit.shows };
    if status != visit.status && !throttled {
        return Err(format!(
            "{} gave {status}, not {}",
            visit.path, visit.status
        ));
    }
    // A streamed page is finished when its closing tag and the resource trailer that follows
    // it have both arrived.
    let complete = status == 302
        || visit.path.starts_with("/pkg/")
        || (body.contains("<h1")
            && body.contains("</html>")
            && body.contains("__RESOLVED_RESOURCES="));
    if !complete || !body.contains(shows) {
        return Err(format!(
            "{} ({status}) is incomplete or lacks {:?}: {} bytes",
            visit.path,
            shows,
            body.len()
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_under_concurrent_load_in_one_process_always_finish_with_their_status() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/probe.js"), PROBE_SCRIPT).unwrap();
    let site_root = site.path().display().to_string();
    let options = || Options {
        env: vec![("LEPTOS_SITE_ROOT", site_root.clone())],
        ..Options::default()
    };
    on_each_backend_with(options, |app| async move {
        let customer = app.with_user(Role::User).await;
        let manager = app.with_user(Role::Manager).await;
        let visits = visits(&customer, &manager);
        // Routers keep being built in this process while the pages load.
        let done = Arc::new(AtomicBool::new(false));
        let builder = tokio::spawn({
            let state = app.state.clone();
            let done = done.clone();
            async move {
                let mut built = 0u32;
                while !done.load(Ordering::Relaxed) {
                    drop(server::router::build(state.clone()));
                    built += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                built
            }
        });
        let failures: Vec<String> = futures_util::stream::iter(0..LOADS)
            .map(|n| load(&app, &visits[n % visits.len()]))
            .buffer_unordered(AT_ONCE)
            .filter_map(|outcome| async move { outcome.err() })
            .collect()
            .await;
        done.store(true, Ordering::Relaxed);
        assert!(
            builder.await.unwrap() > 10,
            "routers were built during the load"
        );
        assert!(
            failures.is_empty(),
            "{} of {LOADS} loads failed, e.g. {:?}",
            failures.len(),
            &failures[..failures.len().min(5)]
        );
    })
    .await;
}
