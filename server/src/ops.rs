//! Operations endpoints: `/health` for load balancers and `/metrics` for Prometheus.

use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

/// `200 {"status":"ok","checks":{"database":{"status":"ok","responseTime":ms}}}`, or 503 with
/// the failing check marked `error` and the reason.
pub async fn health(State(state): State<AppState>) -> Response {
    let database = match tokio::time::timeout(Duration::from_secs(2), state.db().ping()).await {
        Ok(Ok(elapsed)) => Ok(elapsed.as_secs_f64() * 1000.0),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer within 2 s".to_owned()),
    };
    match database {
        Ok(ms) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "checks": {"database": {"status": "ok", "responseTime": ms}}})),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "error",
                    "checks": {"database": {"status": "error", "error": "The database is unreachable."}}
                })),
            )
                .into_response()
        }
    }
}

/// The process-wide Prometheus recorder (metrics are global by nature; installed once).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let buckets = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &buckets,
            )
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (e.g. by an embedding program); then our
        // handle still renders what this recorder sees, which is nothing — log it.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        handle
    })
}

/// Prometheus text format: request counts and latency histograms by route and status, and the
/// database pool's and the throttle's gauges (read at scrape time). With `AGORA_METRICS_TOKEN`
/// set it needs that bearer token; without, it answers only this machine (a scraper beside the
/// process) — judged by the real client, so a proxy on this machine does not open it to all.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let allowed = match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.as_bytes(), token.expose().as_bytes())),
        None => state
            .services
            .proxies
            .client_ip(&headers, Some(peer.ip()))
            .is_some_and(|ip| ip.is_loopback()),
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let pool = state.db().pool();
    metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(pool.size()));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(pool.num_idle() as f64);
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
    metrics::gauge!("throttle_keys").set(state.services.throttle.keys() as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        prometheus().render(),
    )
        .into_response()
}

/// Compares without an early exit, so the time taken does not reveal how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_compare_by_content() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }
}
