//! Giving a refund's money back through the payment provider that took it. A staff refund
//! (`super::settlement::refund`) changes the order and the ledger in one transaction and,
//! in the same transaction, records here what the provider must return; no transaction is
//! held while a provider is asked. A job then asks Stripe or Razorpay, retrying with backoff,
//! with the refund's id as the provider's idempotency key: an answer lost on the way and the
//! retry that follows refund once. Sandbox refunds are accepted at once — there is no one to
//! ask. When every attempt is refused the refund is `failed` and audited; staff fix the cause
//! and ask again ([`ask_again`], a new round with a new idempotency key), or refund by hand
//! in the provider's dashboard.

use super::model::{Order, Refund, RefundStatus};
use super::service::load;
use crate::audit::service::{NewEntry, record};
use crate::error::{AppError, FieldError};
use crate::payments::gateways::RefundKey;
use crate::payments::model::PaymentMethod;
use crate::platform::Services;
use crate::platform::identity::Staff;
use crate::platform::jobs::{JobContext, JobHandlers, JobKind};
use crate::platform::tokens::random_token;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// The job that asks the provider for a refund: eight attempts over about 20 minutes, well
/// inside the day both providers keep an idempotency key.
pub const SEND: JobKind = JobKind {
    name: "orders.refund",
    max_attempts: 8,
};

#[derive(Debug, Serialize, Deserialize)]
struct SendJob {
    refund: Id,
}

/// Registers the job that sends refunds to providers.
pub fn register_jobs(handlers: &mut JobHandlers) {
    handlers.register(&SEND, |job: JobContext| async move {
        let payload: SendJob = serde_json::from_str(&job.payload)
            .map_err(|error| format!("unreadable payload: {error}"))?;
        let staff = job.actor.staff().map_err(|error| error.to_string())?;
        match send(&job.services, staff, &payload.refund, job.last_attempt).await {
            Ok(Attempt::Accepted) => Ok(()),
            Ok(Attempt::Refused(why) | Attempt::GaveUp(why)) => Err(why),
            Err(error) => Err(error.to_string()),
        }
    });
}

/// Records inside `tx` that `amount` of order `order` (its lines `positions`, as "1,3") goes
/// back through the payment that paid it, and for Stripe and Razorpay queues the job that
/// asks them. An order nobody paid for (free products) has nothing to give back.
pub(super) async fn request(
    tx: &mut Tx,
    order: &Id,
    positions: &str,
    amount: &Money,
) -> Result<(), AppError> {
    let paid: Option<(Id, String)> = sqlx::query_as(
        "SELECT id, provider FROM payments WHERE order_id = $1 AND status = 'paid' \
         ORDER BY updated_at, id LIMIT 1",
    )
    .bind(order)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((payment, provider)) = paid.filter(|_| amount.amount > 0) else {
        return Ok(());
    };
    let method = PaymentMethod::parse(&provider).ok_or(AppError::Internal)?;
    let id = Id::random();
    let now = Timestamp::now();
    let (status, provider_refund_id) = match method {
        PaymentMethod::Sandbox => (RefundStatus::Accepted, Some(random_token("sbx_re_"))),
        PaymentMethod::Stripe | PaymentMethod::Razorpay => (RefundStatus::Pending, None),
    };
    sqlx::query(
        "INSERT INTO refunds (id, order_id, payment_id, provider, positions, amount, currency, \
         status, provider_refund_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(order)
    .bind(&payment)
    .bind(method.as_str())
    .bind(positions)
    .bind(amount.amount)
    .bind(&amount.currency)
    .bind(status.as_str())
    .bind(provider_refund_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if status == RefundStatus::Pending {
        tx.enqueue(&SEND, &SendJob { refund: id })?;
    }
    Ok(())
}

/// How one attempt to send a refund ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The provider accepted it (now or before).
    Accepted,
    /// The provider refused or could not be reached: try again later.
    Refused(String),
    /// The last attempt was refused too (now or before): staff refund by hand.
    GaveUp(String),
}

#[derive(sqlx::FromRow)]
struct Pending {
    order_id: Id,
    provider: String,
    amount: i64,
    currency: String,
    status: String,
    last_error: Option<String>,
    round: i64,
    reference: String,
    provider_payment_id: Option<String>,
}

/// Asks the provider for refund `id` (staff, or the job as the system). A refund that is no
/// longer pending is left as it is. A refusal is kept on the refund; on the `last_attempt`
/// the refund is `failed` and the failure audited.
pub async fn send(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    last_attempt: bool,
) -> Result<Attempt, AppError> {
    let staff = staff.writer()?;
    let mut conn = services.db.pool().acquire().await?;
    let refund: Pending = sqlx::query_as(
        "SELECT r.order_id, r.provider, r.amount, r.currency, r.status, r.last_error, r.round, \
         p.reference, p.provider_payment_id FROM refunds r \
         JOIN payments p ON p.id = r.payment_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::NotFound("The refund".into()))?;
    drop(conn);
    match RefundStatus::try_from(refund.status).map_err(|_| AppError::Internal)? {
        RefundStatus::Pending => {}
        RefundStatus::Accepted => return Ok(Attempt::Accepted),
        RefundStatus::Failed => return Ok(Attempt::GaveUp(refund.last_error.unwrap_or_default())),
    }
    let method = PaymentMethod::parse(&refund.provider).ok_or(AppError::Internal)?;
    // Stripe refunds the PaymentIntent we know it by; Razorpay the captured payment its
    // webhook named.
    let payment = match method {
        PaymentMethod::Razorpay => refund.provider_payment_id,
        PaymentMethod::Stripe | PaymentMethod::Sandbox => Some(refund.reference),
    };
    let amount = Money {
        amount: refund.amount,
        currency: refund.currency,
    };
    let answer = match payment {
        Some(payment) => {
            services
                .payments
                .refund(
                    method,
                    &payment,
                    &amount,
                    &RefundKey {
                        refund: id,
                        round: refund.round,
                    },
                )
                .await
        }
        None => Err("The provider never reported the captured payment's id.".to_owned()),
    };
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let now = Timestamp::now();
    let attempt = match answer {
        Ok(accepted) => {
            sqlx::query(
                "UPDATE refunds SET status = 'accepted', provider_refund_id = $1, \
                 last_error = NULL, updated_at = $2 WHERE id = $3 AND status = 'pending'",
            )
            .bind(&accepted.refund_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Attempt::Accepted
        }
        Err(why) => {
            let status = if last_attempt { "failed" } else { "pending" };
            sqlx::query(
                "UPDATE refunds SET status = $1, last_error = $2, updated_at = $3 \
                 WHERE id = $4 AND status = 'pending'",
            )
            .bind(status)
            .bind(&why)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if !last_attempt {
                tx.commit().await?;
                return Ok(Attempt::Refused(why));
            }
            tracing::error!(refund = %id, provider = method.as_str(), %why, "a refund was given up on");
            record(
                &mut tx,
                NewEntry {
                    actor: staff.actor().audit_label(),
                    action: "orders.refund_failed",
                    target: Some(format!("order:{}", refund.order_id)),
                    details: serde_json::json!({ "refund": id, "amount": amount.amount, "why": why }),
                    ip: None,
                },
            )
            .await?;
            Attempt::GaveUp(why)
        }
    };
    tx.commit().await?;
    Ok(attempt)
}

/// Asks the providers again for every refund of order `order` they refused (staff, once
/// the cause is fixed — a payment method settled, a key renewed): each goes back to
/// `pending` in a new round, with a new idempotency key (see [`RefundKey`]), and the job
/// asks as it did the first time. Audited; the order as it now stands. `CONFLICT` when none
/// of the order's refunds failed; `NOT_FOUND` when there is no such order.
pub async fn ask_again(
    services: &Services,
    staff: Staff<'_>,
    order: &Id,
) -> Result<Order, AppError> {
    let staff = staff.writer()?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let again: Vec<(Id, i64)> = sqlx::query_as(
        "UPDATE refunds SET status = 'pending', round = round + 1, last_error = NULL, \
         updated_at = $1 WHERE order_id = $2 AND status = 'failed' RETURNING id, round",
    )
    .bind(Timestamp::now())
    .bind(order)
    .fetch_all(&mut *tx)
    .await?;
    if again.is_empty() {
        load(&mut tx, order)
            .await?
            .ok_or_else(|| AppError::NotFound("The order".into()))?;
        return Err(AppError::Conflict(FieldError::new(
            "refunds",
            "No refund of this order was refused: there is nothing to ask for again.",
        )));
    }
    for (refund, _) in &again {
        tx.enqueue(
            &SEND,
            &SendJob {
                refund: refund.clone(),
            },
        )?;
    }
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action: "orders.refund_asked_again",
            target: Some(format!("order:{order}")),
            details: serde_json::json!({ "refunds": again
                .iter()
                .map(|(refund, round)| serde_json::json!({ "refund": refund, "round": round }))
                .collect::<Vec<_>>() }),
            ip: None,
        },
    )
    .await?;
    let asked = load(&mut tx, order).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(asked)
}

/// Order `order`'s refunds, oldest first.
pub(super) async fn of_order(
    conn: &mut AnyConnection,
    order: &Id,
) -> Result<Vec<Refund>, AppError> {
    let rows: Vec<(i64, String, String, String, String, Timestamp)> = sqlx::query_as(
        "SELECT amount, currency, positions, provider, status, created_at FROM refunds \
         WHERE order_id = $1 ORDER BY created_at, id",
    )
    .bind(order)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(
            |(amount, currency, positions, provider, status, created_at)| {
                Ok(Refund {
                    amount: Money { amount, currency },
                    positions: positions
                        .split(',')
                        .filter_map(|position| position.parse().ok())
                        .collect(),
                    provider: PaymentMethod::parse(&provider).ok_or(AppError::Internal)?,
                    status: RefundStatus::try_from(status).map_err(|_| AppError::Internal)?,
                    created_at,
                })
            },
        )
        .collect()
}
