//! Paying an order, and the one path every provider's report of a payment takes
//! ([`apply`]): recorded once per provider event, so a duplicate or replayed webhook changes
//! nothing twice; a success settles the order, a failure leaves it payable again.

use super::model::{Order, OrderStatus};
use super::service::{load, lock, lock_own};
use super::settlement::settle;
use crate::catalog::purchases;
use crate::error::{AppError, FieldError};
use crate::payments::model::{
    Card, MethodInfo, Outcome, PROVIDER_ID_MAX, PaymentMethod, ProviderEvent,
};
use crate::payments::sandbox;
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::Actor;
use crate::platform::tokens::random_token;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Timestamp};
use serde::Serialize;

/// The ways to pay this site offers.
pub fn methods() -> Vec<MethodInfo> {
    vec![MethodInfo {
        id: PaymentMethod::Sandbox,
        label: PaymentMethod::Sandbox.label().to_owned(),
        hint: "Use 4242 4242 4242 4242 to pay, 4000 0000 0000 0002 for a declined card and \
               4000 0000 0000 9995 for insufficient funds; any future expiry and any CVC."
            .to_owned(),
    }]
}

/// Pays the caller's pending order with `method`. The sandbox decides at once: its verdict is
/// applied through [`apply`] like any provider's webhook, in the same transaction as the
/// attempt, so a success settles the order before this returns and a refusal is a
/// `PAYMENT_FAILED` naming the card — the attempt recorded, the order payable again. A paid
/// or cancelled order is a `CONFLICT`, and so is one with a product the buyer has come to own
/// since it was placed.
pub async fn pay(
    services: &Services,
    actor: &Actor,
    id: &Id,
    method: PaymentMethod,
    card: Option<&Card>,
) -> Result<Order, AppError> {
    let principal = actor.writer()?;
    if method != PaymentMethod::Sandbox {
        return Err(AppError::invalid(
            "method",
            "This payment method is not offered here.",
        ));
    }
    let card = card.ok_or_else(|| AppError::invalid("card", "Enter the card's details."))?;
    let (year, month) = Timestamp::now().year_month();
    let digits = sandbox::checked(card, year, month)?;
    let mut tx = Tx::begin(services).await?;
    let order = lock_own(&mut tx, &principal.id, id).await?;
    if let Some(reason) = order.status.unpayable_because() {
        return Err(AppError::Conflict(FieldError::new("status", reason)));
    }
    for line in &order.lines {
        if purchases::owns(&mut tx, &principal.id, &line.product_id).await? {
            return Err(AppError::Conflict(FieldError::new(
                "order",
                format!(
                    "You own {} already: cancel this order and place a new one without it.",
                    line.title
                ),
            )));
        }
    }
    let reference = format!("sbx_{}", random_token(""));
    start(&mut tx, id, method, &reference, &order.total).await?;
    let event = ProviderEvent {
        provider: method,
        event_id: format!("evt_{reference}"),
        reference,
        outcome: sandbox::charge(&digits),
    };
    apply_in(services, &mut tx, &event).await?;
    let order = load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    match event.outcome {
        Outcome::Succeeded => Ok(order),
        Outcome::Failed { message, .. } => Err(AppError::PaymentFailed(FieldError::new(
            "card.number",
            message,
        ))),
    }
}

/// Records a payment attempt of `amount` for order `id`, known to its provider as
/// `reference`.
async fn start(
    tx: &mut Tx,
    id: &Id,
    method: PaymentMethod,
    reference: &str,
    amount: &Money,
) -> Result<(), AppError> {
    let now = Timestamp::now();
    sqlx::query(
        "INSERT INTO payments (id, order_id, provider, reference, amount, currency, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(Id::random())
    .bind(id)
    .bind(method.as_str())
    .bind(reference)
    .bind(amount.amount)
    .bind(&amount.currency)
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
    lock(tx, &order_id).await?;
    let status: String = sqlx::query_scalar("SELECT status FROM payments WHERE id = $1")
        .bind(&payment)
        .fetch_one(&mut **tx)
        .await?;
    let order_status: String = sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(&order_id)
        .fetch_one(&mut **tx)
        .await?;
    let order_status = OrderStatus::try_from(order_status).map_err(|_| AppError::Internal)?;
    let now = Timestamp::now();
    match &event.outcome {
        // A failed attempt may succeed later (the buyer retried the same intent); a paid one
        // stays paid.
        Outcome::Succeeded if status != "paid" => {
            sqlx::query("UPDATE payments SET status = 'paid', updated_at = $1 WHERE id = $2")
                .bind(now)
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
