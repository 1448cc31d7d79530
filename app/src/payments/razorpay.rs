//! Razorpay: creating an order over its HTTP API, and its webhooks — `X-Razorpay-Signature`
//! is the hex HMAC-SHA256 of the raw body under the webhook's secret, checked before the body
//! is read. Razorpay names each delivery in `X-Razorpay-Event-Id`; a payment is found by the
//! Razorpay order it belongs to.

use super::gateways::{Accepted, RazorpayKeys, RefundKey, Started, hmac_hex, refusal, same};
use super::model::{Outcome, PaymentMethod, ProviderEvent};
use crate::platform::types::{Id, Money};
use serde::Deserialize;

/// Whether `signature` signs `body` under `secret`.
pub fn verify(signature: &str, body: &[u8], secret: &str) -> bool {
    signature.len() == 64 && same(signature.as_bytes(), hmac_hex(secret, &[body]).as_bytes())
}

#[derive(Deserialize)]
struct Event {
    event: String,
    payload: Payload,
}

#[derive(Deserialize)]
struct Payload {
    payment: PaymentWrapper,
}

#[derive(Deserialize)]
struct PaymentWrapper {
    entity: Payment,
}

#[derive(Deserialize)]
struct Payment {
    id: String,
    order_id: String,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// The event of a verified body: `payment.captured` and `payment.failed` matter; others are
/// `Ok(None)`. `event_id` is the delivery's `X-Razorpay-Event-Id` (when absent, the payment's
/// id and the event's name stand in: one payment is captured or fails once).
pub fn event(
    body: &[u8],
    event_id: Option<&str>,
) -> Result<Option<ProviderEvent>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Kind {
        event: String,
    }
    let kind: Kind = serde_json::from_slice(body)?;
    if !matches!(kind.event.as_str(), "payment.captured" | "payment.failed") {
        return Ok(None);
    }
    let event: Event = serde_json::from_slice(body)?;
    let payment = event.payload.payment.entity;
    let outcome = if event.event == "payment.captured" {
        Outcome::Succeeded
    } else {
        Outcome::Failed {
            code: payment
                .error_code
                .unwrap_or_else(|| "payment_failed".to_owned()),
            message: payment
                .error_description
                .unwrap_or_else(|| "The payment failed. Try again.".to_owned()),
        }
    };
    Ok(Some(ProviderEvent {
        provider: PaymentMethod::Razorpay,
        event_id: event_id.map_or_else(|| format!("{}:{}", payment.id, event.event), str::to_owned),
        reference: payment.order_id,
        payment_id: Some(payment.id),
        outcome,
    }))
}

#[derive(Deserialize)]
struct CreatedOrder {
    id: String,
}

/// `POST /v1/orders` (JSON, key id and secret as basic auth); the receipt is our order id.
pub(super) async fn create_order(
    http: &reqwest::Client,
    keys: &RazorpayKeys,
    amount: &Money,
    order: &Id,
) -> Result<Started, String> {
    let response = http
        .post(format!("{}/v1/orders", keys.api_base))
        .basic_auth(&keys.key_id, Some(keys.key_secret.expose()))
        .json(&serde_json::json!({
            "amount": amount.amount,
            "currency": amount.currency,
            "receipt": order.to_string().chars().take(40).collect::<String>(),
            "notes": { "order_id": order.to_string() },
        }))
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if !response.status().is_success() {
        return Err(format!("Razorpay answered {}", response.status()));
    }
    let created: CreatedOrder = response.json().await.map_err(|error| error.to_string())?;
    Ok(Started {
        reference: created.id,
        client_secret: None,
    })
}

#[derive(Deserialize)]
struct CreatedRefund {
    id: String,
}

/// `POST /v1/payments/{payment}/refund` of `amount`, the round's idempotency key in
/// `X-Refund-Idempotency` (Razorpay's idempotent refund request: a retry with the same key
/// and body refunds once) and our refund's id as the receipt.
pub(super) async fn refund_payment(
    http: &reqwest::Client,
    keys: &RazorpayKeys,
    payment: &str,
    amount: &Money,
    key: &RefundKey<'_>,
) -> Result<Accepted, String> {
    let refund = key.refund;
    let response = http
        .post(format!("{}/v1/payments/{payment}/refund", keys.api_base))
        .basic_auth(&keys.key_id, Some(keys.key_secret.expose()))
        .header("X-Refund-Idempotency", key.idempotency_key())
        .json(&serde_json::json!({
            "amount": amount.amount,
            "receipt": refund.to_string().chars().take(40).collect::<String>(),
            "notes": { "refund_id": refund.to_string() },
        }))
        .send()
        .await
        .map_err(|error| format!("Razorpay could not be reached: {error}"))?;
    if !response.status().is_success() {
        return Err(refusal("Razorpay", response).await);
    }
    let created: CreatedRefund = response
        .json()
        .await
        .map_err(|error| format!("Razorpay's answer was not a refund: {error}"))?;
    Ok(Accepted {
        refund_id: created.id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256 of the body under the secret, computed independently (Python's `hmac`),
    /// as Razorpay's documentation describes the signature.
    const VECTOR: &str = "55e94430adda5a7f778d250d994383b12fe86f65c821d5400f4f23bbad62e985";

    #[test]
    fn the_documented_signature_verifies_and_nothing_else_does() {
        let body = br#"{"event":"payment.captured"}"#;
        assert!(verify(VECTOR, body, "rzp_webhook_vector"));
        assert!(!verify(
            VECTOR,
            br#"{"event":"payment.failed"}"#,
            "rzp_webhook_vector"
        ));
        assert!(!verify(VECTOR, body, "other"));
        assert!(!verify("", body, "rzp_webhook_vector"));
        assert!(!verify(&VECTOR.to_uppercase(), body, "rzp_webhook_vector"));
    }

    #[test]
    fn captured_and_failed_payments_become_outcomes() {
        let failed = br#"{"event":"payment.failed","payload":{"payment":{"entity":{"id":"pay_1",
            "order_id":"order_7","error_code":"BAD_REQUEST_ERROR","error_description":
            "Payment declined by the bank"}}}}"#;
        let seen = event(failed, Some("evt_x")).unwrap().unwrap();
        assert_eq!(seen.reference, "order_7");
        assert_eq!(seen.event_id, "evt_x");
        assert!(
            matches!(seen.outcome, Outcome::Failed { ref message, .. } if message == "Payment declined by the bank")
        );
        let captured = br#"{"event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_2","order_id":"order_8"}}}}"#;
        let seen = event(captured, None).unwrap().unwrap();
        assert_eq!(seen.outcome, Outcome::Succeeded);
        assert_eq!(seen.event_id, "pay_2:payment.captured");
        assert_eq!(seen.payment_id.as_deref(), Some("pay_2"));
        assert_eq!(
            event(br#"{"event":"order.paid","payload":{}}"#, None).unwrap(),
            None
        );
    }
}
