//! Cross-cutting HTTP behaviour: request ids, access logs and metrics, security headers, and
//! turning any bare error response under `/api/v1` into the JSON envelope.

use app::error::AppError;
use app::payments::gateways::BrowserSources;
use app::platform::request::with_request_id;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderName, HeaderValue};
use leptos::nonce::Nonce;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Takes the caller's `X-Request-Id` when it is a sane token (or makes one), runs the request
/// in a span and task-local that carry it, echoes it on the response, and logs and counts the
/// request by route and status.
pub async fn observe(mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_valid_request_id(id))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        request.headers_mut().insert(REQUEST_ID, value);
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = metric_method(request.method());
    let path = loggable_path(request.uri().path());
    let span = tracing::info_span!("request", request_id = %request_id, %method, %path);
    let started = Instant::now();

    let mut response = with_request_id(request_id.clone(), next.run(request))
        .instrument(span.clone())
        .await;

    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "handled"
        );
    });
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", status.as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Whether the response may hold a token or personal data, so no cache may keep it: the API
/// and server functions (tokens, profiles), and anything asked for with credentials (a signed-in
/// page) — but never the built assets and uploaded files, which are the same for everyone.
fn is_private(request: &Request) -> bool {
    let path = request.uri().path();
    if path.starts_with("/pkg/") || path.starts_with("/media/") {
        return false;
    }
    let headers = request.headers();
    path.starts_with("/api/")
        || path.starts_with("/rpc/")
        || headers.contains_key(header::COOKIE)
        || headers.contains_key(header::AUTHORIZATION)
}

/// Paths that carry a secret: an emailed token that signs its bearer in, a download link.
const SECRET_PATHS: [&str; 3] = ["/reset-password/", "/verify-email/", "/downloads/"];

/// The path as logs may show it: the token of an emailed link is replaced by `…`.
fn loggable_path(path: &str) -> String {
    SECRET_PATHS
        .iter()
        .find(|prefix| path.starts_with(*prefix))
        .map_or_else(|| path.to_owned(), |prefix| format!("{prefix}…"))
}

/// Letters, digits and `._:-`, at most 128 characters: safe to log, echo and store.
fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The method as a metrics label; made-up methods share one label so a client cannot create
/// new time series at will.
fn metric_method(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::DELETE => "DELETE",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// What the security headers say beyond the fixed rules: HSTS behind TLS, and the origins of
/// the configured payment providers' browser scripts. The page policy is written once, cut
/// where each response's nonce goes.
#[derive(Debug, Clone)]
pub struct PagePolicy {
    hsts: bool,
    before_nonce: String,
    after_nonce: String,
}

impl PagePolicy {
    pub fn new(hsts: bool, providers: &BrowserSources) -> Self {
        let extra = |sources: &[&str]| {
            sources
                .iter()
                .fold(String::new(), |all, source| all + " " + source)
        };
        let frames = if providers.frame.is_empty() {
            String::new()
        } else {
            format!(" frame-src{};", extra(&providers.frame))
        };
        Self {
            hsts,
            before_nonce: "default-src 'self'; script-src 'self' 'nonce-".to_owned(),
            after_nonce: format!(
                "' 'wasm-unsafe-eval'{}; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'{};{frames} object-src 'none'; base-uri 'self'; \
                 form-action 'self'; frame-ancestors 'none'",
                extra(&providers.script),
                extra(&providers.connect),
            ),
        }
    }

    /// The Content-Security-Policy of an HTML page whose scripts carry `nonce`.
    fn for_page(&self, nonce: &str) -> String {
        [self.before_nonce.as_str(), nonce, &self.after_nonce].concat()
    }
}

/// Headers every response gets. Each request gets a fresh script nonce here: the page render
/// puts it on its hydration scripts (see `router`), and an HTML response gets the policy that
/// lets exactly those scripts run. Everything else gets a policy that allows our own files
/// and nothing inline. (The header is set here, not by the render, so no timing inside the
/// render can ever send a page without it.)
pub async fn security_headers(
    policy: Arc<PagePolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let private = is_private(&request);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if private && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let is_html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html"));
        let page = if is_html {
            HeaderValue::from_str(&policy.for_page(&nonce.to_string())).ok()
        } else {
            None
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            page.unwrap_or(HeaderValue::from_static(
                "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
            )),
        );
    }
    if policy.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Under `/api/v1`, an error response that is not already our JSON (a 413 from the body
/// limit, a 408 from the timeout, a 405 from routing) is replaced by the envelope for its
/// status, keeping headers such as `Allow` and `Retry-After`. A status without a code of its
/// own (415, say) becomes the code's status, so the two always agree.
pub async fn api_error_envelope(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/v1");
    let response = next.run(request).await;
    if !is_api {
        return response;
    }
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut error = AppError::from_status(status);
    if let AppError::RateLimited { retry_after_secs } = &mut error
        && let Some(secs) = parts
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    {
        *retry_after_secs = secs;
    }
    let envelope = error.into_response();
    parts.status = envelope.status();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    for (name, value) in envelope.headers() {
        if name == header::CONTENT_TYPE || !parts.headers.contains_key(name) {
            parts.headers.insert(name.clone(), value.clone());
        }
    }
    Response::from_parts(parts, envelope.into_body())
}

/// Gives server-function errors their real status. Leptos answers every failed server function
/// with 500 and the serialised `AppError` as the body; this reads that body back and sets the
/// error's own status (401, 403, 400, 429 with `Retry-After`…), so clients and logs see the
/// truth.
pub async fn rpc_error_status(request: Request, next: Next) -> Response {
    let is_rpc = request.uri().path().starts_with("/rpc/");
    let response = next.run(request).await;
    if !is_rpc || response.status() != http::StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return AppError::Internal.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
        if let AppError::RateLimited { retry_after_secs } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::{is_valid_request_id, loggable_path};

    #[test]
    fn emailed_tokens_never_reach_the_logs() {
        assert_eq!(loggable_path("/reset-password/s3cr3t"), "/reset-password/…");
        assert_eq!(loggable_path("/verify-email/s3cr3t"), "/verify-email/…");
        assert_eq!(loggable_path("/account"), "/account");
    }

    #[test]
    fn request_ids_must_be_short_printable_tokens() {
        assert!(is_valid_request_id("req_123456"));
        assert!(is_valid_request_id("9f1c2a6e-7c1e-4b7b-a5a6-0f8f0c1b2d3e"));
        assert!(!is_valid_request_id(""));
        assert!(!is_valid_request_id("has space"));
        assert!(!is_valid_request_id("line\nbreak"));
        assert!(!is_valid_request_id(&"x".repeat(129)));
        assert!(!is_valid_request_id("<script>"));
        assert!(!is_valid_request_id("a\"b"));
    }
}
