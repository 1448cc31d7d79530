//! Stripe and Razorpay end to end on each backend, against a local stand-in that speaks their
//! documented HTTP APIs: paying starts a PaymentIntent or an order there, and the signed
//! webhook settles it — once, however often it is delivered; a wrong or stale signature is a
//! 400 that changes nothing.

use crate::fixtures::{
    category, form_login, live_product, post_form, product, rpc, send, staff_cookie, staff_token,
    vendor,
};
use crate::helpers::{Options, TestApp, assert_error, envelope, on_each_backend_with};
use crate::orders::{add_to_cart, assert_balanced, checkout, place};
use app::platform::identity::Role;
use axum::extract::{Form, Json, Path, State};
use axum::routing::post;
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

const STRIPE_SECRET: &str = "sk_test_agora";
const STRIPE_WEBHOOK: &str = "whsec_agora_test";
const RAZORPAY_ID: &str = "rzp_test_agora";
const RAZORPAY_SECRET: &str = "rzp_secret_agora";
const RAZORPAY_WEBHOOK: &str = "rzp_webhook_agora";

static NEXT: AtomicU32 = AtomicU32::new(1);

/// Stripe's `POST /v1/payment_intents`: the secret key as bearer, a form body.
async fn payment_intent(
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {STRIPE_SECRET}"));
    if !authorized || !headers.contains_key("idempotency-key") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}),
            ),
        );
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::OK,
        Json(json!({
            "id": format!("pi_{n}"),
            "object": "payment_intent",
            "amount": form["amount"].parse::<i64>().unwrap(),
            "currency": form["currency"],
            "metadata": {"order_id": form["metadata[order_id]"]},
            "client_secret": format!("pi_{n}_secret_standin"),
            "status": "requires_payment_method",
        })),
    )
}

/// Razorpay's `POST /v1/orders`: key id and secret as basic auth, a JSON body.
async fn razorpay_order(headers: HeaderMap, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    if !razorpay_authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"error": {"code": "BAD_REQUEST_ERROR", "description": "Authentication failed"}}),
            ),
        );
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::OK,
        Json(json!({
            "id": format!("order_{n}"),
            "entity": "order",
            "amount": body["amount"],
            "currency": body["currency"],
            "receipt": body["receipt"],
            "status": "created",
        })),
    )
}

/// A refund the stand-in was asked for: the payment, the amount and the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AskedRefund {
    payment: String,
    amount: i64,
    key: String,
}

/// How the stand-in answers refunds.
const ACCEPT: u8 = 0;
/// The first request is carried out but its answer is lost (a 502 on the way back).
const LOSE_FIRST_ANSWER: u8 = 1;
/// Every request is refused, as a provider refuses a refund it will not make.
const REFUSE: u8 = 2;

/// The refunds side of the stand-in: what it was asked, each distinct refund once (by
/// idempotency key, as both providers keep them), the keys it refused (whose first answer it
/// keeps giving, as both providers do), and how it answers.
#[derive(Clone, Default)]
struct Refunds {
    asked: Arc<Mutex<Vec<AskedRefund>>>,
    made: Arc<Mutex<Vec<AskedRefund>>>,
    refused: Arc<Mutex<Vec<String>>>,
    mode: Arc<AtomicU8>,
}

impl Refunds {
    /// Records a request and answers it as the mode says: the refund's id, or an error body.
    fn answer(&self, asked: AskedRefund, prefix: &str, error: Value) -> (StatusCode, Json<Value>) {
        self.asked.lock().unwrap().push(asked.clone());
        let mode = self.mode.load(Ordering::SeqCst);
        let mut refused = self.refused.lock().unwrap();
        if mode == REFUSE || refused.contains(&asked.key) {
            refused.push(asked.key);
            return (StatusCode::BAD_REQUEST, Json(error));
        }
        drop(refused);
        let mut made = self.made.lock().unwrap();
        let index = match made.iter().position(|m| m.key == asked.key) {
            Some(index) => index,
            None => {
                made.push(asked.clone());
                if mode == LOSE_FIRST_ANSWER {
                    return (StatusCode::BAD_GATEWAY, Json(json!({})));
                }
                made.len() - 1
            }
        };
        (
            StatusCode::OK,
            Json(
                json!({"id": format!("{prefix}{index}"), "amount": asked.amount, "status": "succeeded"}),
            ),
        )
    }

    /// Forgets every refund and accepts again (each backend's run starts afresh).
    fn reset(&self) {
        self.asked.lock().unwrap().clear();
        self.made.lock().unwrap().clear();
        self.refused.lock().unwrap().clear();
        self.mode.store(ACCEPT, Ordering::SeqCst);
    }

    fn made(&self) -> Vec<AskedRefund> {
        self.made.lock().unwrap().clone()
    }

    /// Waits until the stand-in has been asked `n` times.
    async fn asked_times(&self, n: usize) -> Vec<AskedRefund> {
        for _ in 0..200 {
            let asked = self.asked.lock().unwrap().clone();
            if asked.len() >= n {
                return asked;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the stand-in was not asked for {n} refunds");
    }
}

/// Stripe's `POST /v1/refunds`: a form naming the PaymentIntent and the amount.
async fn stripe_refund(
    State(refunds): State<Refunds>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {STRIPE_SECRET}"));
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let (true, Some(key), Some(intent), Some(amount)) = (
        authorized,
        key,
        form.get("payment_intent"),
        form.get("amount"),
    ) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"message": "Invalid request"}})),
        );
    };
    let asked = AskedRefund {
        payment: intent.clone(),
        amount: amount.parse().unwrap(),
        key: key.to_owned(),
    };
    refunds.answer(
        asked,
        "re_",
        json!({"error": {"type": "invalid_request_error",
        "code": "charge_already_refunded", "message": "Charge has already been refunded."}}),
    )
}

/// Razorpay's `POST /v1/payments/{id}/refund`: a JSON body, `X-Refund-Idempotency`.
async fn razorpay_refund(
    State(refunds): State<Refunds>,
    Path(payment): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let key = headers
        .get("x-refund-idempotency")
        .and_then(|v| v.to_str().ok());
    let (true, Some(key), Some(amount)) =
        (razorpay_authorized(&headers), key, body["amount"].as_i64())
    else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"description": "Authentication failed"}})),
        );
    };
    let asked = AskedRefund {
        payment,
        amount,
        key: key.to_owned(),
    };
    refunds.answer(
        asked,
        "rfnd_",
        json!({"error": {"code": "BAD_REQUEST_ERROR",
        "description": "The refund amount provided is greater than amount captured"}}),
    )
}

fn razorpay_authorized(headers: &HeaderMap) -> bool {
    use base64::Engine as _;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{RAZORPAY_ID}:{RAZORPAY_SECRET}"))
    );
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

/// Starts the stand-in; its address and its refunds.
async fn stand_in() -> (SocketAddr, Refunds) {
    let refunds = Refunds::default();
    let router = axum::Router::new()
        .route("/v1/payment_intents", post(payment_intent))
        .route("/v1/orders", post(razorpay_order))
        .route("/v1/refunds", post(stripe_refund))
        .route("/v1/payments/{id}/refund", post(razorpay_refund))
        .with_state(refunds.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (addr, refunds)
}

fn options(addr: SocketAddr) -> impl Fn() -> Options {
    move || Options {
        env: vec![
            ("AGORA_STRIPE_SECRET_KEY", STRIPE_SECRET.into()),
            ("AGORA_STRIPE_PUBLISHABLE_KEY", "pk_test_agora".into()),
            ("AGORA_STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK.into()),
            ("AGORA_STRIPE_API_BASE", format!("http://{addr}")),
            ("AGORA_RAZORPAY_KEY_ID", RAZORPAY_ID.into()),
            ("AGORA_RAZORPAY_KEY_SECRET", RAZORPAY_SECRET.into()),
            ("AGORA_RAZORPAY_WEBHOOK_SECRET", RAZORPAY_WEBHOOK.into()),
            ("AGORA_RAZORPAY_API_BASE", format!("http://{addr}")),
        ],
        api_routes: None,
    }
}

fn hmac_hex(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A Stripe webhook delivery signed at `at` with `secret`.
async fn stripe_hook(app: &TestApp, body: &Value, at: i64, secret: &str) -> reqwest::Response {
    let body = body.to_string();
    let signature = hmac_hex(secret, format!("{at}.{body}").as_bytes());
    app.client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("Stripe-Signature", format!("t={at},v1={signature}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn razorpay_hook(
    app: &TestApp,
    body: &Value,
    event_id: &str,
    secret: &str,
) -> reqwest::Response {
    let body = body.to_string();
    app.client
        .post(app.url("/api/v1/webhooks/razorpay"))
        .header("X-Razorpay-Signature", hmac_hex(secret, body.as_bytes()))
        .header("X-Razorpay-Event-Id", event_id)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A buyer with a pending order of one product (29.00 with tax); the buyer's token and the order's id.
async fn pending_order(app: &TestApp, key: &str) -> (String, String) {
    let admin = staff_token(app, "admin@example.com", Role::Admin).await;
    let seller = vendor(app, &admin, "flows@example.com", "Flowsmith").await;
    let automation = category(app, &admin, "Automation").await;
    let guide = live_product(app, &seller, &admin, product("Invoice guide", &automation)).await;
    let buyer = staff_token(app, "buyer@example.com", Role::User).await;
    add_to_cart(app, &buyer, &guide).await;
    let (status, order) = envelope(place(app, &buyer, key, checkout()).await).await;
    assert_eq!(status, 201, "{order}");
    (buyer, order["data"]["id"].as_str().unwrap().to_owned())
}

async fn order_status(app: &TestApp, buyer: &str, id: &str) -> (Value, Value) {
    let (_, order) = envelope(app.get_with(&format!("/api/v1/orders/{id}"), buyer).await).await;
    (
        order["data"]["status"].clone(),
        order["data"]["paymentStatus"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn stripe_intents_are_settled_by_signed_webhooks_once() {
    let (addr, refunds) = stand_in().await;
    on_each_backend_with(options(addr), |app| {
        let refunds = refunds.clone();
        async move {
        refunds.reset();
        let (_, methods) = envelope(app.get("/api/v1/payment-methods").await).await;
        let ids: Vec<&str> = methods["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["sandbox", "stripe", "razorpay"]);
        let (buyer, id) = pending_order(&app, "s-1").await;
        let pay = format!("/api/v1/orders/{id}/pay");
        let (status, started) = envelope(send(&app, Method::POST, &pay, &buyer, Some(json!({"method": "stripe"}))).await).await;
        assert_eq!(status, 200, "{started}");
        let next = &started["data"]["next"];
        assert_eq!(next["provider"], "stripe");
        assert_eq!(next["publicKey"], "pk_test_agora");
        let intent = next["reference"].as_str().unwrap().to_owned();
        assert!(next["clientSecret"].as_str().unwrap().starts_with(&format!("{intent}_secret")));
        assert_eq!(started["data"]["order"]["status"], "pending");
        // Paying again resumes the same intent.
        let (_, again) = envelope(send(&app, Method::POST, &pay, &buyer, Some(json!({"method": "stripe"}))).await).await;
        assert_eq!(again["data"]["next"]["reference"], intent.as_str());

        let failed = json!({"id": "evt_fail", "type": "payment_intent.payment_failed", "data": {"object": {
            "id": intent, "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}}}});
        let succeeded = json!({"id": "evt_ok", "type": "payment_intent.succeeded", "data": {"object": {"id": intent}}});
        // Refused: a wrong secret, a stale timestamp, no header. Nothing changes.
        assert_error(stripe_hook(&app, &succeeded, now(), "whsec_wrong").await, 400, "BAD_REQUEST").await;
        assert_error(stripe_hook(&app, &succeeded, now() - 301, STRIPE_WEBHOOK).await, 400, "BAD_REQUEST").await;
        let unsigned = app.client.post(app.url("/api/v1/webhooks/stripe")).body(succeeded.to_string()).send().await.unwrap();
        assert_error(unsigned, 400, "BAD_REQUEST").await;
        assert_eq!(order_status(&app, &buyer, &id).await, (json!("pending"), json!("pending")));

        // A failure, then the retried card succeeds; duplicates and a late failure change nothing.
        let (_, receipt) = envelope(stripe_hook(&app, &failed, now(), STRIPE_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "failed");
        assert_eq!(order_status(&app, &buyer, &id).await, (json!("pending"), json!("failed")));
        let (_, receipt) = envelope(stripe_hook(&app, &succeeded, now(), STRIPE_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "paid");
        let (_, receipt) = envelope(stripe_hook(&app, &succeeded, now(), STRIPE_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "duplicate");
        let late = json!({"id": "evt_late", "type": "payment_intent.payment_failed", "data": {"object": {"id": intent}}});
        let (_, receipt) = envelope(stripe_hook(&app, &late, now(), STRIPE_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "unchanged");
        let other = json!({"id": "evt_other", "type": "customer.created", "data": {"object": {"id": "cus_1"}}});
        let (_, receipt) = envelope(stripe_hook(&app, &other, now(), STRIPE_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "ignored");
        assert_eq!(order_status(&app, &buyer, &id).await, (json!("paid"), json!("paid")));
        let sales: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'order_payment'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(sales, 1);
        assert_balanced(&app).await;

        // Staff refund it: the order and the ledger at once, the money through Stripe by a
        // job. Stripe carries out the first request but its answer is lost; the refund stays
        // pending, and the retry (the same idempotency key) refunds once.
        refunds.mode.store(LOSE_FIRST_ANSWER, Ordering::SeqCst);
        let admin = staff_token(&app, "refunds@example.com", Role::Admin).await;
        let refund = format!("/api/v1/admin/orders/{id}/refund");
        let (status, refunded) = envelope(send(&app, Method::POST, &refund, &admin, Some(json!({"reason": "Wrong file"}))).await).await;
        assert_eq!(status, 200, "{refunded}");
        assert_eq!(refunded["data"]["status"], "refunded");
        assert_eq!(refunded["data"]["refunds"][0]["provider"], "stripe");
        let first = refunds.asked_times(1).await;
        let refund_id: app::platform::types::Id = sqlx::query_scalar("SELECT id FROM refunds").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(first[0], AskedRefund { payment: intent.clone(), amount: 2900, key: format!("agora-refund-{refund_id}") });
        let (_, order) = envelope(app.get_with(&format!("/api/v1/orders/{id}"), &buyer).await).await;
        assert_eq!(order["data"]["refunds"][0]["status"], "pending", "the lost answer is retried");
        // The retry (run here rather than after the job's backoff).
        let staff = app.actor(&admin).await;
        let attempt = app::orders::refunds::send(&app.services, staff.staff().unwrap(), &refund_id, false).await.unwrap();
        assert_eq!(attempt, app::orders::refunds::Attempt::Accepted);
        assert_eq!(refunds.made(), vec![first[0].clone()], "one refund at Stripe");
        let (_, order) = envelope(app.get_with(&format!("/api/v1/orders/{id}"), &buyer).await).await;
        assert_eq!(order["data"]["refunds"][0]["status"], "accepted");
        assert_eq!(order["data"]["refunds"][0]["amount"]["amount"], 2900);
        let kept: Option<String> = sqlx::query_scalar("SELECT provider_refund_id FROM refunds").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(kept.as_deref(), Some("re_0"));
        assert_balanced(&app).await;
    }})
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn razorpay_orders_are_settled_by_signed_webhooks_once() {
    let (addr, refunds) = stand_in().await;
    on_each_backend_with(options(addr), |app| {
        let refunds = refunds.clone();
        async move {
        refunds.reset();
        let (buyer, id) = pending_order(&app, "r-1").await;
        let pay = format!("/api/v1/orders/{id}/pay");
        let (status, started) = envelope(send(&app, Method::POST, &pay, &buyer, Some(json!({"method": "razorpay"}))).await).await;
        assert_eq!(status, 200, "{started}");
        let next = &started["data"]["next"];
        assert_eq!(next["publicKey"], RAZORPAY_ID);
        assert_eq!(next["clientSecret"], Value::Null);
        let order = next["reference"].as_str().unwrap().to_owned();
        assert!(order.starts_with("order_"));

        let captured = json!({"entity": "event", "event": "payment.captured", "payload": {"payment": {"entity": {
            "id": "pay_1", "order_id": order, "status": "captured"}}}});
        assert_error(razorpay_hook(&app, &captured, "evt_1", "wrong").await, 400, "BAD_REQUEST").await;
        let tampered = app.client.post(app.url("/api/v1/webhooks/razorpay"))
            .header("X-Razorpay-Signature", hmac_hex(RAZORPAY_WEBHOOK, b"{}"))
            .body(captured.to_string()).send().await.unwrap();
        assert_error(tampered, 400, "BAD_REQUEST").await;
        assert_eq!(order_status(&app, &buyer, &id).await, (json!("pending"), json!("pending")));
        let (_, receipt) = envelope(razorpay_hook(&app, &captured, "evt_1", RAZORPAY_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "paid");
        let (_, receipt) = envelope(razorpay_hook(&app, &captured, "evt_1", RAZORPAY_WEBHOOK).await).await;
        assert_eq!(receipt["data"]["outcome"], "duplicate");
        assert_eq!(order_status(&app, &buyer, &id).await, (json!("paid"), json!("paid")));
        assert_balanced(&app).await;

        // Razorpay refunds the captured payment its webhook named. When it refuses every
        // attempt, the last one marks the refund failed and audits why; the books keep the
        // refund (staff give the money back by hand).
        refunds.mode.store(REFUSE, Ordering::SeqCst);
        let admin = staff_token(&app, "refunds@example.com", Role::Admin).await;
        let refund = format!("/api/v1/admin/orders/{id}/refund");
        let (status, refunded) = envelope(send(&app, Method::POST, &refund, &admin, Some(json!({"reason": "Duplicate purchase"}))).await).await;
        assert_eq!(status, 200, "{refunded}");
        let asked = refunds.asked_times(1).await;
        let refund_id: app::platform::types::Id = sqlx::query_scalar("SELECT id FROM refunds").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(asked[0], AskedRefund { payment: "pay_1".into(), amount: 2900, key: format!("agora-refund-{refund_id}") });
        let staff = app.actor(&admin).await;
        let attempt = app::orders::refunds::send(&app.services, staff.staff().unwrap(), &refund_id, true).await.unwrap();
        let why = "Razorpay answered 400 Bad Request: The refund amount provided is greater than amount captured";
        assert_eq!(attempt, app::orders::refunds::Attempt::GaveUp(why.into()));
        assert!(refunds.made().is_empty());
        let (_, order) = envelope(app.get_with(&format!("/api/v1/orders/{id}"), &buyer).await).await;
        assert_eq!(order["data"]["refunds"][0]["status"], "failed");
        assert_eq!(order["data"]["status"], "refunded");
        let audited: String = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'orders.refund_failed'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(audited.contains(why), "{audited}");
        assert_balanced(&app).await;

        // Staff's order page says so and offers to ask again.
        let cookie = staff_cookie(&app, Role::Manager).await;
        let page = app.html_with_cookie(&format!("/admin/orders/{id}"), &cookie).await;
        assert!(page.contains("Refused refunds") && page.contains("Ask the provider again"), "{page}");

        // The cause fixed, staff ask again: a new round with a key of its own (Razorpay
        // keeps refusing the old one), sent by the job, accepted once. Only staff may; an
        // order with no refused refund has nothing to ask again.
        refunds.mode.store(ACCEPT, Ordering::SeqCst);
        let again = format!("/api/v1/admin/orders/{id}/refunds/ask-again");
        assert_error(send(&app, Method::POST, &again, &buyer, None).await, 403, "FORBIDDEN").await;
        let missing = format!("/api/v1/admin/orders/{}/refunds/ask-again", app::platform::types::Id::random());
        assert_error(send(&app, Method::POST, &missing, &admin, None).await, 404, "NOT_FOUND").await;
        let (status, asked_again) = envelope(send(&app, Method::POST, &again, &admin, None).await).await;
        assert_eq!(status, 200, "{asked_again}");
        assert_eq!(asked_again["data"]["refunds"][0]["status"], "pending");
        let round_two = format!("agora-refund-{refund_id}-2");
        for _ in 0..200 {
            if refunds.made().iter().any(|made| made.key == round_two) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert_eq!(refunds.made(), vec![AskedRefund { payment: "pay_1".into(), amount: 2900, key: round_two }]);
        let attempt = app::orders::refunds::send(&app.services, staff.staff().unwrap(), &refund_id, false).await.unwrap();
        assert_eq!(attempt, app::orders::refunds::Attempt::Accepted);
        assert_eq!(refunds.made().len(), 1, "refunded once");
        let (_, order) = envelope(app.get_with(&format!("/api/v1/orders/{id}"), &buyer).await).await;
        assert_eq!(order["data"]["refunds"][0]["status"], "accepted");
        assert_error(send(&app, Method::POST, &again, &admin, None).await, 409, "CONFLICT").await;
        assert_eq!(rpc(&app, "/rpc/admin/orders/ask-again", &cookie, &[("id", id.as_str())]).await, 409);
        let page = app.html_with_cookie(&format!("/admin/orders/{id}"), &cookie).await;
        assert!(!page.contains("Ask the provider again"), "{page}");
        let audited: String = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'orders.refund_asked_again'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(audited.contains("\"round\":2"), "{audited}");
        assert_balanced(&app).await;
    }})
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_keys_the_providers_are_hidden_and_their_webhooks_absent() {
    crate::helpers::on_each_backend(|app| async move {
        let (_, methods) = envelope(app.get("/api/v1/payment-methods").await).await;
        assert_eq!(methods["data"].as_array().unwrap().len(), 1);
        assert_eq!(methods["data"][0]["id"], "sandbox");
        let (buyer, id) = pending_order(&app, "n-1").await;
        let pay = send(
            &app,
            Method::POST,
            &format!("/api/v1/orders/{id}/pay"),
            &buyer,
            Some(json!({"method": "stripe"})),
        )
        .await;
        assert_error(pay, 400, "VALIDATION_ERROR").await;
        let hook = app
            .client
            .post(app.url("/api/v1/webhooks/stripe"))
            .header("Stripe-Signature", "t=1,v1=00")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_error(hook, 404, "NOT_FOUND").await;
        let home = app.get("/").await;
        let policy = home.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            !policy.contains("stripe")
                && !policy.contains("razorpay")
                && !policy.contains("frame-src"),
            "{policy}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_simultaneous_checkouts_with_duplicate_webhooks_pay_each_order_once() {
    let (addr, _) = stand_in().await;
    let options = move || {
        let mut options = options(addr)();
        options
            .env
            .push(("AGORA_TRUSTED_PROXIES", "127.0.0.1".into()));
        options
    };
    on_each_backend_with(options, |app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let guide = live_product(&app, &seller, &admin, product("Invoice guide", &automation)).await;
        let buyers = futures_util::future::join_all((0..50).map(|i| {
            let app = &app;
            let guide = &guide;
            async move {
                // Fifty people, fifty addresses (behind the trusted proxy).
                let registered = app
                    .client
                    .post(app.url("/api/v1/auth/register"))
                    .header("X-Forwarded-For", format!("10.0.0.{i}"))
                    .json(&crate::fixtures::registration(&format!("buyer{i}@example.com")))
                    .send()
                    .await
                    .unwrap();
                let (status, body) = envelope(registered).await;
                assert_eq!(status, 201, "{body}");
                let buyer = body["data"]["accessToken"].as_str().unwrap().to_owned();
                add_to_cart(app, &buyer, guide).await;
                buyer
            }
        }))
        .await;
        // Every buyer checks out at once, each sending the order twice (a double click) and
        // then having its payment confirmed three times over (a provider's retries).
        let checkouts = buyers.iter().enumerate().map(|(i, buyer)| {
            let app = &app;
            async move {
                let key = format!("burst-{i}");
                let (first, second) = tokio::join!(
                    place(app, buyer, &key, checkout()),
                    place(app, buyer, &key, checkout())
                );
                let (a, first) = envelope(first).await;
                let (b, second) = envelope(second).await;
                assert!(a.is_success() && b.is_success(), "{first} {second}");
                assert_eq!(first["data"]["id"], second["data"]["id"]);
                let id = first["data"]["id"].as_str().unwrap().to_owned();
                let pay = format!("/api/v1/orders/{id}/pay");
                let (status, started) = envelope(send(app, Method::POST, &pay, buyer, Some(json!({"method": "stripe"}))).await).await;
                assert_eq!(status, 200, "{started}");
                let intent = started["data"]["next"]["reference"].as_str().unwrap().to_owned();
                let event = json!({"id": format!("evt_{intent}"), "type": "payment_intent.succeeded",
                    "data": {"object": {"id": intent}}});
                let deliveries = futures_util::future::join_all((0..3).map(|_| stripe_hook(app, &event, now(), STRIPE_WEBHOOK))).await;
                assert!(deliveries.iter().all(|r| r.status() == 200));
                id
            }
        });
        let orders = futures_util::future::join_all(checkouts).await;
        assert_eq!(orders.len(), 50);
        let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
            .fetch_one(app.db.pool()).await.unwrap();
        let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(app.db.pool()).await.unwrap();
        let sales: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'order_payment'")
            .fetch_one(app.db.pool()).await.unwrap();
        let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!((placed, paid, sales, owners), (50, 50, 50, 50));
        assert_eq!(
            crate::orders::balance(&app, &app::ledger::model::Account::customer_cash()).await,
            -50 * 2900
        );
        assert_balanced(&app).await;
    })
    .await;
}

/// The checkout form with Stripe chosen places the order and goes on to Stripe's form,
/// whose page carries what Stripe.js needs and a policy that lets Stripe's and Razorpay's
/// scripts, frames and APIs in (and, without keys, keeps them out). A method that is not
/// offered is refused before anything is placed.
#[tokio::test(flavor = "multi_thread")]
async fn checkout_with_a_provider_goes_on_to_its_form_under_a_policy_that_allows_it() {
    let (addr, _) = stand_in().await;
    on_each_backend_with(options(addr), |app| async move {
        let admin = staff_token(&app, "admin@example.com", Role::Admin).await;
        let seller = vendor(&app, &admin, "flows@example.com", "Flowsmith").await;
        let automation = category(&app, &admin, "Automation").await;
        let guide = live_product(&app, &seller, &admin, product("Invoice guide", &automation)).await;
        let buyer = staff_token(&app, "buyer@example.com", Role::User).await;
        add_to_cart(&app, &buyer, &guide).await;
        let session = form_login(&app, "buyer@example.com", crate::fixtures::PASSWORD).await;
        let checkout_page = app.html_with_cookie("/checkout", &session).await;
        for method in ["sandbox", "stripe", "razorpay"] {
            assert!(checkout_page.contains(&format!(r#"value="{method}""#)), "{checkout_page}");
        }
        let form = |method: &'static str| {
            [
                ("key", "page-provider-1"),
                ("billing_name", "Ada Lovelace"),
                ("billing_country", "IN"),
                ("method", method),
                ("card_number", ""),
                ("card_expiry", ""),
                ("card_cvc", ""),
            ]
        };
        let refused = post_form(&app, "/rpc/orders/place", Some(&session), &form("paypal")).await;
        assert_eq!(refused.status(), 302);
        let location = refused.headers()["location"].to_str().unwrap();
        let error = location.split("__err=").nth(1).expect("an error for the form");
        let error = {
            use base64::Engine as _;
            String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(error).unwrap()).unwrap()
        };
        assert!(error.contains(r#""field":"method""#), "{error}");
        let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(orders, 0, "nothing is placed");

        let placed = post_form(&app, "/rpc/orders/place", Some(&session), &form("stripe")).await;
        assert_eq!(placed.status(), 302);
        let location = placed.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/orders/") && location.ends_with("/pay/stripe"), "{location}");
        let page = app.get_with_cookie(&location, &session).await;
        assert_eq!(page.status(), 200);
        let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        for allowed in [
            "script-src 'self' 'nonce-",
            "https://js.stripe.com https://*.js.stripe.com https://checkout.razorpay.com;",
            "connect-src 'self' https://api.stripe.com https://api.razorpay.com https://lumberjack.razorpay.com;",
            "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com https://api.razorpay.com;",
        ] {
            assert!(policy.contains(allowed), "{allowed} not in {policy}");
        }
        let html = page.text().await.unwrap();
        let secret: String = sqlx::query_scalar("SELECT client_secret FROM payments").fetch_one(app.db.pool()).await.unwrap();
        for part in [
            r#"data-provider="stripe""#.to_owned(),
            r#"data-key="pk_test_agora""#.to_owned(),
            format!(r#"data-secret="{secret}""#),
            r#"src="https://js.stripe.com/v3/""#.to_owned(),
            r#"src="/pay.js""#.to_owned(),
        ] {
            assert!(html.contains(&part), "{part} not in {html}");
        }
        // Coming back to the form resumes the same PaymentIntent.
        let again = app.html_with_cookie(&location, &session).await;
        assert!(again.contains(&format!(r#"data-secret="{secret}""#)));
        let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(attempts, 1);
    })
    .await;
}
