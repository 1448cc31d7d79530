//! Paying an order, and the one path every provider's report of a payment takes
//! ([`apply`]): recorded once per provider event, so a duplicate or replayed webhook changes
//! nothing twice; a success settles the order, a failure leaves it payable again.

use super::model::{Checkout, NextAction, Order, OrderStatus, Paying};
use super::service::{self, Placed};
use super::service::{load, lock, lock_own};
use super::settlement::settle;
use crate::catalog::purchases;
use crate::error::{AppError, FieldError};
use crate::payments::model::{
    Card, MethodInfo, Outcome, PROVIDER_ID_MAX, PaymentMethod, ProviderEvent,
};
use crate::payments::{razorpay, sandbox, stripe};
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::Actor;
use crate::platform::tokens::random_token;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Timestamp};
use serde::Serialize;

/// The ways to pay this site offers: the sandbox, and each provider with keys.
pub fn methods(services: &Services) -> Vec<MethodInfo> {
    PaymentMethod::ALL
        .into_iter()
        .filter(|method| services.payments.offers(*method))
        .map(|method| MethodInfo {
            id: method,
            label: method.label().to_owned(),
            hint: match method {
                PaymentMethod::Sandbox => {
                    "Use 4242 4242 4242 4242 to pay, 4000 0000 0000 0002 for a declined card \
                     and 4000 0000 0000 9995 for insufficient funds; any future expiry and any CVC."
                }
                PaymentMethod::Stripe => "Pay by card on Stripe's secure form.",
                PaymentMethod::Razorpay => "Pay with UPI, cards or netbanking through Razorpay.",
            }
            .to_owned(),
        })
        .collect()
}

/// Pays the caller's pending order with `method`.
///
/// The sandbox decides at once: its verdict is applied through [`apply`] like any provider's
/// webhook, in the same transaction as the attempt, so a success settles the order before
/// this returns and a refusal is a `PAYMENT_FAILED` naming the card — the attempt recorded,
/// the order payable again. Stripe and Razorpay start a payment over their API (no
/// transaction is held meanwhile) and answer what the browser does next; their webhook
/// settles the order. A pending attempt with the same provider and amount is resumed rather
/// than doubled. A paid or cancelled order is a `CONFLICT`, and so is one with a product the
/// buyer has come to own since it was placed.
pub async fn pay(
    services: &Services,
    actor: &Actor,
    id: &Id,
    method: PaymentMethod,
    card: Option<&Card>,
) -> Result<Paying, AppError> {
    let principal = actor.writer()?;
    if !services.payments.offers(method) {
        return Err(AppError::invalid(
            "method",
            "This payment method is not offered here.",
        ));
    }
    if method != PaymentMethod::Sandbox {
        return pay_with_provider(services, &principal.id, id, method).await;
    }
    let card = card.ok_or_else(|| AppError::invalid("card", "Enter the card's details."))?;
    pay_as(services, &principal.id, id, card).await
}

/// The checkout page's one step: places the caller's order (idempotently, by `key`) and,
/// with the sandbox, pays it with `card`. A method not offered here, or a malformed card, is
/// refused, naming its field, before anything is placed; a declined card leaves the order
/// placed and payable (its page says why). With Stripe or Razorpay the order is placed and
/// left pending: the buyer pays on the provider's form next (see [`pay`]). The order as it
/// ends.
pub async fn check_out(
    services: &Services,
    actor: &Actor,
    key: &str,
    checkout: &Checkout,
    method: PaymentMethod,
    card: &Card,
) -> Result<Order, AppError> {
    if !services.payments.offers(method) {
        return Err(AppError::invalid(
            "method",
            "This payment method is not offered here.",
        ));
    }
    if method == PaymentMethod::Sandbox {
        let (year, month) = Timestamp::now().year_month();
        sandbox::checked(card, year, month)?;
    }
    let order = match service::place(services, actor, key, checkout).await? {
        Placed::New(order) | Placed::Existing(order) => order,
    };
    if order.status != OrderStatus::Pending || method != PaymentMethod::Sandbox {
        return Ok(order);
    }
    match pay(services, actor, &order.id, method, Some(card)).await {
        Ok(paying) => Ok(paying.order),
        Err(AppError::PaymentFailed(_)) => {
            let mut conn = services.db.pool().acquire().await?;
            load(&mut conn, &order.id).await?.ok_or(AppError::Internal)
        }
        Err(error) => Err(error),
    }
}

/// Pays `buyer`'s order `id` with the sandbox `card` (see [`pay`]).
pub(crate) async fn pay_as(
    services: &Services,
    buyer: &Id,
    id: &Id,
    card: &Card,
) -> Result<Paying, AppError> {
    let method = PaymentMethod::Sandbox;
    let (year, month) = Timestamp::now().year_month();
    let digits = sandbox::checked(card, year, month)?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let order = payable(&mut tx, buyer, id).await?;
    let reference = format!("sbx_{}", random_token(""));
    start(
        &mut tx,
        &Id::random(),
        id,
        method,
        &reference,
        &order.total,
        None,
    )
    .await?;
    let event = ProviderEvent {
        provider: method,
        event_id: format!("evt_{reference}"),
        reference,
        payment_id: None,
        outcome: sandbox::charge(&digits),
    };
    apply_in(services, &mut tx, &event).await?;
    let order = load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    match event.outcome {
        Outcome::Succeeded => Ok(Paying { order, next: None }),
        Outcome::Failed { message, .. } => Err(AppError::PaymentFailed(FieldError::new(
            "card.number",
            message,
        ))),
    }
}

async fn pay_with_provider(
    services: &Services,
    user: &Id,
    id: &Id,
    method: PaymentMethod,
) -> Result<Paying, AppError> {
    let public_key = services.payments.public_key(method).unwrap_or_default();
    let next = |reference: String, client_secret: Option<String>| NextAction {
        provider: method,
        reference,
        client_secret,
        public_key: public_key.clone(),
    };
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let order = payable(&mut tx, user, id).await?;
    let resumable: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT reference, client_secret FROM payments WHERE order_id = $1 AND provider = $2 \
         AND status = 'pending' AND amount = $3 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(id)
    .bind(method.as_str())
    .bind(order.total.amount)
    .fetch_optional(&mut *tx)
    .await?;
    tx.rollback().await?;
    if let Some((reference, client_secret)) = resumable {
        return Ok(Paying {
            order,
            next: Some(next(reference, client_secret)),
        });
    }
    let attempt = Id::random();
    let started = services
        .payments
        .start(method, &order.total, id, &attempt)
        .await?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let order = payable(&mut tx, user, id).await?;
    start(
        &mut tx,
        &attempt,
        id,
        method,
        &started.reference,
        &order.total,
        started.client_secret.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(Paying {
        order,
        next: Some(next(started.reference, started.client_secret)),
    })
}

/// The caller's order `id`, its row held, once it is known to be payable: pending, and with
/// no product the buyer has come to own since it was placed.
async fn payable(tx: &mut Tx, user: &Id, id: &Id) -> Result<Order, AppError> {
    let order = lock_own(tx, user, id).await?;
    if let Some(reason) = order.status.unpayable_because() {
        return Err(AppError::Conflict(FieldError::new("status", reason)));
    }
    for line in &order.lines {
        if purchases::owns(tx, user, &line.product_id).await? {
            return Err(AppError::Conflict(FieldError::new(
                "order",
                format!(
                    "You own {} already: cancel this order and place a new one without it.",
                    line.title
                ),
            )));
        }
    }
    Ok(order)
}

/// Records payment attempt `payment` of `amount` for order `id`, known to its provider as
/// `reference`.
async fn start(
    tx: &mut Tx,
    payment: &Id,
    id: &Id,
    method: PaymentMethod,
    reference: &str,
    amount: &Money,
    client_secret: Option<&str>,
) -> Result<(), AppError> {
    let now = Timestamp::now();
    sqlx::query(
        "INSERT INTO payments (id, order_id, provider, reference, amount, currency, \
         client_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(payment)
    .bind(id)
    .bind(method.as_str())
    .bind(reference)
    .bind(amount.amount)
    .bind(&amount.currency)
    .bind(client_secret)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What [`apply`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// This provider sent this event before: nothing changed.
    Duplicate,
    /// The event names no payment of ours (another integration's, or a forged reference):
    /// recorded, nothing else.
    Unknown,
    /// The payment had already reached this or a final state (a failure reported after a
    /// success): nothing changed.
    Unchanged,
    /// The payment succeeded and its order is paid.
    Paid,
    /// The payment failed; its order stays payable.
    Failed,
}

/// Applies a provider's report in its own transaction (the webhooks).
pub async fn apply(services: &Services, event: &ProviderEvent) -> Result<Applied, AppError> {
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let applied = apply_in(services, &mut tx, event).await?;
    tx.commit().await?;
    Ok(applied)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FailedEvent<'a> {
    order_id: &'a Id,
    code: &'a str,
}

/// Applies a provider's report inside `tx`: the one path of every payment outcome.
async fn apply_in(
    services: &Services,
    tx: &mut Tx,
    event: &ProviderEvent,
) -> Result<Applied, AppError> {
    if event.event_id.is_empty()
        || event.event_id.len() > PROVIDER_ID_MAX
        || event.reference.len() > PROVIDER_ID_MAX
        || event
            .payment_id
            .as_ref()
            .is_some_and(|id| id.len() > PROVIDER_ID_MAX)
    {
        return Err(AppError::BadRequest(
            "The event's id or reference is missing or too long.".into(),
        ));
    }
    let kind = match &event.outcome {
        Outcome::Succeeded => "succeeded",
        Outcome::Failed { .. } => "failed",
    };
    let fresh = sqlx::query(
        "INSERT INTO payment_events (provider, event_id, kind, received_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (provider, event_id) DO NOTHING",
    )
    .bind(event.provider.as_str())
    .bind(&event.event_id)
    .bind(kind)
    .bind(Timestamp::now())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if fresh == 0 {
        return Ok(Applied::Duplicate);
    }
    let payment: Option<(Id, Id)> =
        sqlx::query_as("SELECT id, order_id FROM payments WHERE provider = $1 AND reference = $2")
            .bind(event.provider.as_str())
            .bind(&event.reference)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((payment, order_id)) = payment else {
        tracing::warn!(
            provider = event.provider.as_str(),
            "an event for an unknown payment"
        );
        return Ok(Applied::Unknown);
    };
    // The order's row first, then the payment's state: concurrent reports of one order's
    // payments apply one after the other.
    let order_status = lock(tx, &order_id).await?.ok_or(AppError::Internal)?.status;
    let status: String = sqlx::query_scalar("SELECT status FROM payments WHERE id = $1")
        .bind(&payment)
        .fetch_one(&mut **tx)
        .await?;
    let now = Timestamp::now();
    match &event.outcome {
        // A failed attempt may succeed later (the buyer retried the same intent); a paid one
        // stays paid.
        Outcome::Succeeded if status != "paid" => {
            sqlx::query(
                "UPDATE payments SET status = 'paid', updated_at = $1, \
                 provider_payment_id = COALESCE($2, provider_payment_id) WHERE id = $3",
            )
            .bind(now)
            .bind(event.payment_id.as_deref())
            .bind(&payment)
            .execute(&mut **tx)
            .await?;
            // The provider has the money: a cancelled order is settled too, since the buyer
            // paid for it; a second payment of a paid order is left for staff to return.
            if matches!(order_status, OrderStatus::Pending | OrderStatus::Cancelled) {
                settle(services, tx, &order_id).await?;
                Ok(Applied::Paid)
            } else {
                tracing::warn!(order = %order_id, "a second payment arrived for a paid order");
                Ok(Applied::Unchanged)
            }
        }
        Outcome::Failed { code, message } if status == "pending" => {
            sqlx::query(
                "UPDATE payments SET status = 'failed', failure_code = $1, failure_message = $2, \
                 updated_at = $3 WHERE id = $4",
            )
            .bind(code.chars().take(100).collect::<String>())
            .bind(message.chars().take(500).collect::<String>())
            .bind(now)
            .bind(&payment)
            .execute(&mut **tx)
            .await?;
            if order_status == OrderStatus::Pending {
                sqlx::query(
                    "UPDATE orders SET payment_status = 'failed', updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(&order_id)
                .execute(&mut **tx)
                .await?;
            }
            tx.publish(Event::new(
                "payment.failed",
                FailedEvent {
                    order_id: &order_id,
                    code,
                },
            ));
            Ok(Applied::Failed)
        }
        _ => Ok(Applied::Unchanged),
    }
}

/// A webhook's verdict on one delivery, for the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// A verified event this site acts on, and what applying it did.
    Applied(Applied),
    /// A verified event of a type this site does not act on.
    Ignored,
}

/// A Stripe webhook delivery: verified (`BAD_REQUEST` for a missing, wrong or stale
/// signature — nothing is read before that), then applied. A signed delivery is not found
/// without Stripe's keys.
pub async fn stripe_webhook(
    services: &Services,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Delivery, AppError> {
    let signature = signature
        .ok_or_else(|| AppError::BadRequest("The Stripe-Signature header is missing.".into()))?;
    let keys = services
        .payments
        .stripe
        .as_ref()
        .ok_or_else(|| AppError::NotFound("The endpoint".into()))?;
    let now = Timestamp::now().as_millis() / 1000;
    stripe::verify(signature, body, keys.webhook_secret.expose(), now).map_err(|refusal| {
        AppError::BadRequest(
            match refusal {
                stripe::Refusal::Malformed => "The Stripe-Signature header is malformed.",
                stripe::Refusal::Signature => "No signature matches this body.",
                stripe::Refusal::Stale => "The signature's timestamp is outside the tolerance.",
            }
            .into(),
        )
    })?;
    let event = stripe::event(body)
        .map_err(|_| AppError::BadRequest("The body is not a Stripe event.".into()))?;
    deliver(services, event).await
}

/// A Razorpay webhook delivery: verified (`BAD_REQUEST` for a missing or wrong signature),
/// then applied. A signed delivery is not found without Razorpay's keys.
pub async fn razorpay_webhook(
    services: &Services,
    signature: Option<&str>,
    event_id: Option<&str>,
    body: &[u8],
) -> Result<Delivery, AppError> {
    let signature = signature.ok_or_else(|| {
        AppError::BadRequest("The X-Razorpay-Signature header is missing.".into())
    })?;
    let keys = services
        .payments
        .razorpay
        .as_ref()
        .ok_or_else(|| AppError::NotFound("The endpoint".into()))?;
    if !razorpay::verify(signature, body, keys.webhook_secret.expose()) {
        return Err(AppError::BadRequest(
            "The signature does not match this body.".into(),
        ));
    }
    let event = razorpay::event(body, event_id)
        .map_err(|_| AppError::BadRequest("The body is not a Razorpay event.".into()))?;
    deliver(services, event).await
}

async fn deliver(services: &Services, event: Option<ProviderEvent>) -> Result<Delivery, AppError> {
    match event {
        Some(event) => Ok(Delivery::Applied(apply(services, &event).await?)),
        None => Ok(Delivery::Ignored),
    }
}
