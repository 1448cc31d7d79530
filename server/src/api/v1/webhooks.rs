//! Payment providers' webhooks: `POST /webhooks/stripe` and `POST /webhooks/razorpay`. The
//! signature is checked against the raw body before anything is read; a verified delivery
//! seen before changes nothing. They sit outside the per-caller request limit (see
//! [`router`]): a provider's retries come from few addresses, and an unsigned flood costs one
//! HMAC per request and writes nothing.

use crate::state::AppState;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::orders::payment::{self, Applied, Delivery};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;

/// The webhook routes (merged into `/api/v1` after its request limit).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/stripe", post(stripe))
        .route("/webhooks/razorpay", post(razorpay))
}

/// What a delivery did: `paid`, `failed`, `duplicate` (seen before), `unchanged` (the
/// payment had moved on), `unknown` (no payment of ours) or `ignored` (a type not acted on).
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    pub outcome: &'static str,
}

fn receipt(delivery: Delivery) -> Envelope<Receipt> {
    let outcome = match delivery {
        Delivery::Ignored => "ignored",
        Delivery::Applied(Applied::Duplicate) => "duplicate",
        Delivery::Applied(Applied::Unknown) => "unknown",
        Delivery::Applied(Applied::Unchanged) => "unchanged",
        Delivery::Applied(Applied::Paid) => "paid",
        Delivery::Applied(Applied::Failed) => "failed",
    };
    Envelope::ok(Receipt { outcome })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Stripe's events (`payment_intent.succeeded`, `payment_intent.payment_failed`), signed in
/// `Stripe-Signature`. Not found unless Stripe's keys are configured.
#[utoipa::path(post, path = "/api/v1/webhooks/stripe", tag = "orders",
    params(("Stripe-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>`")),
    request_body(content = String, content_type = "application/json", description = "A Stripe event, as Stripe sends it"),
    responses((status = 200, description = "Received", body = Envelope<Receipt>),
              (status = 400, description = "A missing, wrong or stale signature, or not an event (`BAD_REQUEST`)", body = ErrorEnvelope),
              (status = 404, description = "Stripe is not configured", body = ErrorEnvelope)))]
pub async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Envelope<Receipt>, AppError> {
    let signature = header(&headers, "stripe-signature");
    Ok(receipt(
        payment::stripe_webhook(&state.services, signature, &body).await?,
    ))
}

/// Razorpay's events (`payment.captured`, `payment.failed`), signed in
/// `X-Razorpay-Signature`. Not found unless Razorpay's keys are configured.
#[utoipa::path(post, path = "/api/v1/webhooks/razorpay", tag = "orders",
    params(("X-Razorpay-Signature" = String, Header, description = "Hex HMAC-SHA256 of the body"),
           ("X-Razorpay-Event-Id" = Option<String>, Header, description = "The delivery's event id")),
    request_body(content = String, content_type = "application/json", description = "A Razorpay event, as Razorpay sends it"),
    responses((status = 200, description = "Received", body = Envelope<Receipt>),
              (status = 400, description = "A missing or wrong signature, or not an event (`BAD_REQUEST`)", body = ErrorEnvelope),
              (status = 404, description = "Razorpay is not configured", body = ErrorEnvelope)))]
pub async fn razorpay(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Envelope<Receipt>, AppError> {
    let signature = header(&headers, "x-razorpay-signature");
    let event_id = header(&headers, "x-razorpay-event-id");
    Ok(receipt(
        payment::razorpay_webhook(&state.services, signature, event_id, &body).await?,
    ))
}
