//! The whole HTTP surface in one router: pages and server functions (Leptos), `/api/v1`, the
//! API docs, operations endpoints, static files, and the middleware stack around them.

use crate::middleware::{
    PagePolicy, api_error_envelope, observe, rpc_error_status, security_headers,
};
use crate::state::AppState;
use crate::{api, auth, downloads, forms, ops, page_cache, uploads};
use app::settings::model::SESSION_IDLE_MINUTES;
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, any, get};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use std::sync::{Arc, LazyLock};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;

/// The page routes, generated once per process. Generating them switches a process-wide flag
/// on in Leptos that makes every resource first polled meanwhile wait forever (Leptos issue
/// #4773): a second router built while a first one serves — as when several test servers
/// share one process — would leave pages of the first never finishing (408). Built once,
/// before any router exists, the flag is never on while a page renders.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// The site's own files (`/pkg`, the favicon, `robots.txt` …), precompressed variants
/// first; anything else is the app's 404 page. Leptos' file handler is only the not-found
/// half: given a file, it copies onto it whatever response options a context lookup finds,
/// and its fresh reactive owner parents itself to any owner still current on the worker
/// thread, so a script could go out with the status of a 404 page rendered beside it (seen
/// in Playwright: `/pkg/__wasm_split….js` answered 404 with its own body, and the page never
/// hydrated).
fn site_files(
    state: &AppState,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> ServeDir<MethodRouter> {
    let not_found = any(file_and_error_handler_with_context::<AppState, _>(
        context, shell,
    ))
    .with_state(state.clone());
    ServeDir::new(&state.config.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found)
}

/// The production router.
pub fn build(state: AppState) -> Router {
    build_with_api(state, api::v1::router())
}

/// The router with `api` as `/api/v1` (tests add probe routes to the real API this way).
pub fn build_with_api(state: AppState, api: Router<AppState>) -> Router {
    // Leptos spawns rendering work on this executor; initialising it twice is harmless.
    let _ = any_spawner::Executor::init_tokio();
    let config = state.config.clone();
    let context = {
        let services = state.services.clone();
        move || {
            provide_context(services.db.clone());
            provide_context(services.clone());
            // The nonce `security_headers` put in this request's CSP, for the scripts.
            if let Some(nonce) = use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Nonce>().cloned())
            {
                provide_context(nonce);
            }
        }
    };
    let page_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let behind_tls = config.behind_tls();
    let page_policy = Arc::new(PagePolicy::new(
        behind_tls,
        &state.services.payments.browser_sources(),
    ));
    let db = state.db().clone();

    // Each group reads request bodies up to its own limit: uploads (the browser's and the
    // API's) need more than forms and JSON.
    let api_rate_limit =
        axum::middleware::from_fn_with_state(state.clone(), api::limit::api_rate_limit);
    let pages_and_api = Router::new()
        .leptos_routes_with_context(&state, page_routes(), context.clone(), page_shell)
        .route("/health", get(ops::health))
        .route("/metrics", get(ops::metrics))
        .route("/api/docs", get(api::docs::page))
        .merge(downloads::routes())
        .nest(
            "/api/v1",
            api.layer(api_rate_limit.clone())
                .merge(api::v1::webhooks::router()),
        )
        .fallback_service(site_files(&state, context));
    let uploads = uploads::routes(&state).nest(
        "/api/v1",
        api::v1::images::router().layer(api_rate_limit.clone()),
    );
    let file_uploads =
        uploads::file_routes().nest("/api/v1", api::v1::files::router().layer(api_rate_limit));

    with_body_limit(pages_and_api, config.body_limit_bytes)
        .merge(with_body_limit(uploads, uploads::BODY_LIMIT_BYTES))
        .merge(with_body_limit(
            file_uploads,
            uploads::FILE_BODY_LIMIT_BYTES,
        ))
        .layer(ServiceBuilder::new().layer(CatchPanicLayer::new()).layer(
            TimeoutLayer::with_status_code(
                http::StatusCode::REQUEST_TIMEOUT,
                config.request_timeout,
            ),
        ))
        // Outermost: every response, even a panic's or a timeout's, gets an id, a log line,
        // metrics and the security headers, and under `/api/v1` the envelope.
        // Sessions: the store and cookie, then the per-session limits, then axum-login; then
        // the values of refused forms kept for the page they return to.
        .layer(axum::middleware::from_fn({
            let limit = config.body_limit_bytes;
            move |req, next| forms::keep_submitted_values(behind_tls, limit, req, next)
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.services.clone(),
            auth::resolve_caller,
        ))
        .layer(auth::login_layer(&db))
        .layer(axum::middleware::from_fn(auth::session_limits))
        .layer(auth::session_layer(
            &db,
            config.behind_tls(),
            time::Duration::minutes(i64::from((SESSION_IDLE_MINUTES.default)())),
        ))
        .layer(axum::middleware::from_fn({
            let public_url = config.public_url.clone();
            move |req, next| {
                let public_url = public_url.clone();
                async move { auth::csrf_guard(&public_url, req, next).await }
            }
        }))
        // Guests' list pages come from the read cache before any session work; compression
        // is outside it, so a kept page is compressed for each client as it asks.
        .layer(axum::middleware::from_fn_with_state(
            state.services.clone(),
            page_cache::guest_pages,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(rpc_error_status))
        .layer(axum::middleware::from_fn(api_error_envelope))
        .layer(axum::middleware::from_fn(move |req, next| {
            security_headers(page_policy.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(observe))
        .with_state(state)
}

/// `router` refusing bodies over `bytes`: by `Content-Length` up front, while streaming
/// otherwise, and in axum's own extractors.
fn with_body_limit(router: Router<AppState>, bytes: usize) -> Router<AppState> {
    router
        .layer(DefaultBodyLimit::max(bytes))
        .layer(RequestBodyLimitLayer::new(bytes))
}
