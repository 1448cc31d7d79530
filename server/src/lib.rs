//! The Agora server: configuration, the router and its middleware, the JSON API, operations
//! endpoints, and the commands the `agora` CLI runs (serve, migrate, seed).

pub mod api;
pub mod config;
pub mod middleware;
pub mod ops;
pub mod router;
pub mod seed;
pub mod state;
pub mod telemetry;

use anyhow::Context as _;
use app::db::Db;
use config::Config;
use leptos::config::LeptosOptions;
use state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Opens the database named by the configuration and applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(config.database_url.expose(), config.db_max_connections)
        .await
        .with_context(|| format!("DATABASE_URL: cannot open {:?}", config.database_url))?;
    db.migrate().await.context("applying database migrations")?;
    Ok(db)
}

/// The shared state handlers see.
pub fn app_state(config: Config, db: Db) -> AppState {
    let leptos_options = LeptosOptions::builder()
        .output_name(app::BUNDLE_NAME)
        .site_root(config.site_root.as_str())
        .site_addr(config.listen_addr)
        .build();
    AppState {
        db,
        config: Arc::new(config),
        leptos_options,
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish — for at most `grace`, after which the remaining ones are dropped.
pub async fn serve_on(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    ops::prometheus();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = started_tx.send(());
    };
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        match started_rx.await {
            Ok(()) => tokio::time::sleep(grace).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = async { server.await } => result,
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time; stopping anyway");
            Ok(())
        }
    }
}

/// `agora serve`: migrate, then serve until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::init(&config);
    let db = open_database(&config).await?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("AGORA_LISTEN_ADDR: cannot listen on {}", config.listen_addr))?;
    tracing::info!(
        addr = %config.listen_addr,
        database = ?config.database_url,
        "Agora is listening on http://{}",
        config.listen_addr
    );
    let db_for_close = db.clone();
    let grace = config.shutdown_grace;
    serve_on(
        listener,
        router::build(app_state(config, db)),
        shutdown_signal(),
        grace,
    )
    .await?;
    db_for_close.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `agora migrate`.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    telemetry::init(&config);
    open_database(&config).await?;
    tracing::info!(database = ?config.database_url, "migrations applied");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
