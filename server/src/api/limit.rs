//! The general limit on `/api/v1` (PRODUCT.md §9): requests an hour per API key, per signed-in
//! person and, without a credential, per address — the limits are settings. Every response
//! says where its caller stands (`X-RateLimit-Limit`, `-Remaining`, and `-Reset`, the unix
//! time the hour's window ends); over the limit the answer is `429 RATE_LIMIT_EXCEEDED` with
//! `Retry-After`. Counting is in memory (`platform::throttle`), per instance, and the limits
//! are read from the database at most every [`SETTINGS_MAX_AGE`], so no request writes and
//! few read.

use crate::state::AppState;
use app::auth::caller::bearer;
use app::auth::credentials::API_KEY_PREFIX;
use app::platform::caller::Caller;
use app::platform::throttle::{Quota, Rule};
use app::settings::model::{API_GUEST_REQUESTS_PER_HOUR, API_REQUESTS_PER_HOUR};
use app::settings::service as settings;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the limits read from the settings are used before they are read again.
pub const SETTINGS_MAX_AGE: Duration = Duration::from_secs(30);
const HOUR: Duration = Duration::from_secs(3600);

/// The limits, as last read.
#[derive(Debug, Default)]
pub struct ApiLimits {
    read: Mutex<Option<(Instant, u32, u32)>>,
}

impl ApiLimits {
    /// (signed-in, guest) requests an hour.
    async fn current(&self, state: &AppState) -> (u32, u32) {
        if let Ok(read) = self.read.lock()
            && let Some((at, signed_in, guest)) = *read
            && at.elapsed() < SETTINGS_MAX_AGE
        {
            return (signed_in, guest);
        }
        let db = state.db();
        let signed_in = settings::get(db, &API_REQUESTS_PER_HOUR)
            .await
            .unwrap_or_else(|_| (API_REQUESTS_PER_HOUR.default)());
        let guest = settings::get(db, &API_GUEST_REQUESTS_PER_HOUR)
            .await
            .unwrap_or_else(|_| (API_GUEST_REQUESTS_PER_HOUR.default)());
        if let Ok(mut read) = self.read.lock() {
            *read = Some((Instant::now(), signed_in, guest));
        }
        (signed_in, guest)
    }
}

/// Counts the request against its caller's hourly limit and labels the response.
pub async fn api_rate_limit(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (signed_in, guest) = state.api_limits.current(&state).await;
    let caller = request.extensions().get::<Caller>();
    let signed_in_as = caller
        .and_then(|caller| caller.actor().ok())
        .and_then(|actor| actor.principal())
        .map(|principal| principal.id.to_string());
    let (rule, key) = match (signed_in_as, bearer(request.headers())) {
        // The throttle keeps only a keyed hash of the key.
        (Some(_), Some(credential)) if credential.starts_with(API_KEY_PREFIX) => {
            (rule("api-key", signed_in), format!("key:{credential}"))
        }
        (Some(id), _) => (rule("api-user", signed_in), format!("user:{id}")),
        (None, _) => {
            let ip = caller.map_or("unknown", |caller| caller.client().ip_key());
            (rule("api-guest", guest), format!("ip:{ip}"))
        }
    };
    let (quota, mut response) = match state.services.throttle.take(&rule, &key) {
        Ok(quota) => (quota, next.run(request).await),
        Err((quota, refused)) => (quota, refused.into_response()),
    };
    label(response.headers_mut(), quota);
    response
}

fn rule(name: &'static str, limit: u32) -> Rule {
    Rule {
        name,
        limit,
        window: HOUR,
    }
}

fn label(headers: &mut HeaderMap, quota: Quota) {
    for (name, value) in [
        ("x-ratelimit-limit", u64::from(quota.limit)),
        ("x-ratelimit-remaining", u64::from(quota.remaining)),
        ("x-ratelimit-reset", quota.resets_at_secs()),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}
