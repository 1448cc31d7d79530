//! The Agora server: configuration, the router and its middleware, the JSON API, operations
//! endpoints, and the start-up the `agora` CLI runs (serve, migrate).

pub mod api;
pub mod auth;
pub mod config;
pub mod downloads;
pub mod forms;
pub mod middleware;
pub mod ops;
pub mod page_cache;
pub mod router;
pub mod runtimes;
pub mod state;
pub mod telemetry;
pub mod uploads;

use anyhow::Context as _;
use app::db::Db;
use app::email::sender::Mailer;
use app::payments::gateways::Gateways;
use app::platform::Services;
use app::platform::events::Events;
use app::platform::jobs::JobHandlers;
use app::platform::read_cache::ReadCache;
use app::platform::request::TrustedProxies;
use app::platform::signer::Signer;
use app::platform::throttle::Throttle;
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

/// What every service call needs (loads the token-signing key, creating it on first start).
pub async fn services(config: &Config, db: Db) -> anyhow::Result<Services> {
    let key = app::auth::credentials::signing_key(&db)
        .await
        .context("loading the token-signing key")?;
    Ok(Services {
        db,
        signer: Signer::new(&key),
        throttle: Throttle::default(),
        events: Events::default(),
        jobs_ready: Arc::new(tokio::sync::Notify::new()),
        public_url: config.public_url.as_str().into(),
        media_dir: config.media_dir.as_path().into(),
        files_dir: config.files_dir.as_path().into(),
        proxies: TrustedProxies::new(config.trusted_proxies.clone()),
        mail_outbox: config.smtp_url.is_none(),
        reads: ReadCache::default(),
        payments: Gateways::new(config.stripe.clone(), config.razorpay.clone()),
    })
}

/// The shared state handlers see.
pub async fn app_state(config: Config, db: Db) -> anyhow::Result<AppState> {
    let leptos_options = LeptosOptions::builder()
        .output_name(app::BUNDLE_NAME)
        .site_root(config.site_root.as_str())
        .site_addr(config.listen_addr)
        .build();
    let services = services(&config, db).await?;
    Ok(AppState {
        services,
        config: Arc::new(config),
        leptos_options,
        api_limits: Arc::default(),
    })
}

/// The mailer the configuration asks for.
pub fn mailer(config: &Config) -> anyhow::Result<Mailer> {
    match &config.smtp_url {
        None => Ok(Mailer::Outbox),
        Some(url) => Mailer::smtp(url.expose(), &config.mail_from)
            .map_err(|error| anyhow::anyhow!("AGORA_SMTP_URL: {error}")),
    }
}

/// Every feature's job handlers.
pub fn job_handlers(mailer: Mailer) -> JobHandlers {
    let mut handlers = JobHandlers::default();
    app::email::service::register_jobs(&mut handlers, mailer);
    app::catalog::images::register_jobs(&mut handlers);
    app::orders::settlement::register_jobs(&mut handlers);
    app::orders::refunds::register_jobs(&mut handlers);
    handlers
}

/// Starts the background workers (the job queue, hourly clean-up of expired sessions); they
/// stop when `shutdown` flips to true.
pub fn spawn_workers(
    state: &AppState,
    mailer: Mailer,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let jobs = tokio::spawn(app::platform::worker::run(
        state.services.clone(),
        job_handlers(mailer),
        Duration::from_secs(2),
        stopped(shutdown.clone()),
    ));
    let store = app::auth::session::DbSessionStore::new(state.db().clone());
    let cleanup = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        let stop = stopped(shutdown);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => return,
                _ = tick.tick() => {
                    if let Err(error) = store.delete_expired().await {
                        tracing::warn!(%error, "cannot delete expired sessions");
                    }
                }
            }
        }
    });
    vec![jobs, cleanup]
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

/// `agora serve`: migrate, then serve until SIGINT or SIGTERM — connections and reads on
/// the `reads` runtime, writes and background work on the calling one (see [`runtimes`]).
pub async fn serve(config: Config, reads: tokio::runtime::Handle) -> anyhow::Result<()> {
    telemetry::init(&config);
    let db = open_database(&config).await?;
    let listener = std::net::TcpListener::bind(config.listen_addr)
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
        .with_context(|| format!("AGORA_LISTEN_ADDR: cannot listen on {}", config.listen_addr))?;
    // The address actually bound: with port 0 the system picks one.
    let addr = listener.local_addr().unwrap_or(config.listen_addr);
    tracing::info!(
        %addr,
        database = ?config.database_url,
        "Agora is listening on http://{addr}"
    );
    let db_for_close = db.clone();
    let grace = config.shutdown_grace;
    let mailer = mailer(&config)?;
    let state = app_state(config, db).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = spawn_workers(&state, mailer, stop_rx);
    let work = tokio::runtime::Handle::current();
    let router = router::build(state).layer(axum::middleware::from_fn(move |request, next| {
        runtimes::writes_on(work.clone(), request, next)
    }));
    let served = reads
        .spawn(async move {
            let listener = TcpListener::from_std(listener)?;
            serve_on(listener, router, shutdown_signal(), grace).await
        })
        .await;
    served.context("the server stopped unexpectedly")??;
    let _ = stop_tx.send(true);
    for worker in workers {
        let _ = worker.await;
    }
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
