//! Authentication wiring: the session and axum-login layers, the absolute session limit, the
//! caller resolver that every handler reads, and the CSRF rule for cookie-authenticated
//! requests.

use app::auth::session::{AUTH_KEY, CLIENT_KEY, ClientInfo, DbSessionStore, SessionBackend};
use app::db::Db;
use app::error::AppError;
use app::platform::Services;
use app::platform::types::Timestamp;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_login::AuthManager;
use http::{HeaderMap, Method, header};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The name of the session cookie over plain HTTP (development, tests).
pub const SESSION_COOKIE: &str = "agora_session";
/// Its name behind TLS: browsers accept a `__Host-` cookie only when it is `Secure`, for the
/// whole host and set by the host itself, so no subdomain can plant or overwrite it.
pub const SESSION_COOKIE_TLS: &str = "__Host-agora_session";

/// The session layer: cookie `HttpOnly`, `SameSite=Lax`, and behind TLS `Secure` and
/// `__Host-` prefixed; sessions end after `idle` without requests unless sign-in set another
/// limit.
pub fn session_layer(
    db: &Db,
    secure: bool,
    idle: time::Duration,
) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(DbSessionStore::new(db.clone()))
        .with_name(if secure {
            SESSION_COOKIE_TLS
        } else {
            SESSION_COOKIE
        })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// axum-login, inside the session layer (and inside [`session_limits`], which must see the
/// session before axum-login loads its user).
pub fn login_layer<S>(
    db: &Db,
) -> impl tower::Layer<S, Service = AuthManager<S, SessionBackend>> + Clone + use<S> {
    let backend = SessionBackend::new(db.clone());
    tower::layer::layer_fn(move |inner| AuthManager::new(inner, backend.clone(), AUTH_KEY))
}

/// Applies the limits chosen at sign-in, before axum-login loads the session's user: a session
/// past its absolute limit ends; otherwise, at most once a minute
/// ([`REFRESH_EVERY_MS`](app::auth::session::REFRESH_EVERY_MS)), the request refreshes it —
/// moves its idle deadline and records "last seen". Between refreshes a request that changes
/// nothing does not write the session at all. Whatever changed it (a refresh, a sign-in, a
/// setting), it is saved with its own idle limit (longer with "remember me"), never the
/// layer's default.
pub async fn session_limits(request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    if let Ok(Some(mut client)) = session.get::<ClientInfo>(CLIENT_KEY).await {
        let now = Timestamp::now().as_millis();
        if client.absolute_expires_at <= now {
            let _ = session.flush().await;
        } else if client.due_for_refresh(now) {
            client.refreshed_at = now;
            let _ = session.insert(CLIENT_KEY, client).await;
        }
    }
    let response = next.run(request).await;
    if session.is_modified()
        && let Ok(Some(client)) = session.get::<ClientInfo>(CLIENT_KEY).await
    {
        let left_secs = (client.absolute_expires_at - Timestamp::now().as_millis()) / 1000;
        let idle = client.idle_secs.min(left_secs).max(1);
        session.set_expiry(Some(Expiry::OnInactivity(time::Duration::seconds(idle))));
    }
    response
}

/// Resolves the request's caller once — bearer credential or session — and keeps it in the
/// request's extensions, where pages, server functions, the API and uploads read it. Runs
/// inside axum-login, which has loaded the session's user by then.
pub async fn resolve_caller(
    State(services): State<Services>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let caller = app::auth::caller::resolve(&services, &parts).await;
    let ip = caller.client().ip.clone();
    parts.extensions.insert(caller);
    app::platform::request::with_client_ip(ip, next.run(Request::from_parts(parts, body))).await
}

/// Cross-site request forgery. A request with an `Authorization: Bearer` header is
/// authenticated by that credential alone: its cookies are dropped here, so a junk bearer
/// cannot switch the check off and still act through the cookie (an invalid credential leaves
/// a guest). Every other state-changing request from another site is refused when it carries
/// the session cookie, and so is any to a server function (`/rpc/…`) — signing in and
/// registering included, so no site can sign a visitor into an account of its choosing.
/// Browsers send `Origin` (and `Sec-Fetch-Site`) on cross-site POSTs.
pub async fn csrf_guard(public_url: &str, mut request: Request, next: Next) -> Response {
    if app::auth::caller::bearer(request.headers()).is_some() {
        request.headers_mut().remove(header::COOKIE);
    }
    if is_cross_site_write(
        public_url,
        request.method(),
        request.uri().path(),
        request.headers(),
    ) {
        tracing::warn!(
            origin = ?request.headers().get(header::ORIGIN),
            path = request.uri().path(),
            "refused a cross-site request"
        );
        return AppError::Forbidden.into_response();
    }
    next.run(request).await
}

fn is_cross_site_write(public_url: &str, method: &Method, path: &str, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let has_session_cookie = [SESSION_COOKIE, SESSION_COOKIE_TLS]
        .iter()
        .any(|name| app::platform::request::cookie(headers, name).is_some());
    if !has_session_cookie && !path.starts_with("/rpc/") {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        // A client that sends neither header is not a browser page on another site.
        None => false,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let own = origin == public_url
                || host.is_some_and(|host| {
                    origin
                        .strip_prefix("http://")
                        .or_else(|| origin.strip_prefix("https://"))
                        == Some(host)
                });
            !own
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    const URL: &str = "https://shop.example";
    const COOKIE: (&str, &str) = ("cookie", "a=1; agora_session=xyz");

    #[test]
    fn cross_site_cookie_posts_are_refused() {
        let post = Method::POST;
        assert!(is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[COOKIE, ("origin", "https://evil.example")])
        ));
        assert!(is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[COOKIE, ("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[COOKIE, ("sec-fetch-site", "same-site")])
        ));
    }

    #[test]
    fn same_origin_reads_and_cookieless_api_requests_pass() {
        let post = Method::POST;
        assert!(!is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[COOKIE, ("origin", URL)])
        ));
        assert!(!is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[
                COOKIE,
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[COOKIE, ("sec-fetch-site", "same-origin")])
        ));
        assert!(!is_cross_site_write(
            URL,
            &Method::GET,
            "/api/v1/x",
            &headers(&[COOKIE, ("origin", "https://evil.example")])
        ));
        assert!(!is_cross_site_write(
            URL,
            &post,
            "/api/v1/x",
            &headers(&[("origin", "https://evil.example")])
        ));
    }

    #[test]
    fn cross_site_posts_to_server_functions_are_refused_even_without_a_cookie() {
        let evil = headers(&[("origin", "https://evil.example")]);
        assert!(is_cross_site_write(
            URL,
            &Method::POST,
            "/rpc/auth/login",
            &evil
        ));
        assert!(is_cross_site_write(
            URL,
            &Method::POST,
            "/rpc/auth/register",
            &evil
        ));
        assert!(!is_cross_site_write(
            URL,
            &Method::POST,
            "/api/v1/auth/login",
            &evil
        ));
    }
}
