//! What moves money once an order is paid, all through the one ledger: settling a paid order
//! (purchases, the sale's posting, the receipt, the maturing job), maturing its vendors'
//! earnings after the hold period, and refunds that reverse exactly what was posted.

use super::model::{Order, OrderStatus};
use super::service::{OrderEvent, load, lock};
use crate::audit::service::{NewEntry, record};
use crate::cart::model::rate_of;
use crate::earnings::service as earnings;
use crate::email::service as email;
use crate::email::templates;
use crate::error::{AppError, FieldError};
use crate::ledger::model::{Account, Kind, Posting};
use crate::ledger::service as ledger;
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::Staff;
use crate::platform::jobs::{JobContext, JobHandlers, JobKind};
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Timestamp};
use crate::settings::model::{EARNINGS_HOLD_DAYS, SITE_NAME};
use crate::settings::service as settings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// The job that moves an order's earnings from pending to available once its hold period
/// is over.
pub const MATURE: JobKind = JobKind {
    name: "orders.mature",
    max_attempts: 10,
};

#[derive(Debug, Serialize, Deserialize)]
struct MatureJob {
    order: Id,
}

/// Registers the maturing job.
pub fn register_jobs(handlers: &mut JobHandlers) {
    handlers.register(&MATURE, |job: JobContext| async move {
        let payload: MatureJob = serde_json::from_str(&job.payload)
            .map_err(|error| format!("unreadable payload: {error}"))?;
        let staff = job.actor.staff().map_err(|error| error.to_string())?;
        mature(&job.services, staff, &payload.order)
            .await
            .map_err(|error| error.to_string())
    });
}

/// A line as the ledger needs it.
#[derive(sqlx::FromRow)]
struct MoneyLine {
    position: i64,
    product_id: Id,
    vendor_id: Id,
    price_amount: i64,
    tax_amount: i64,
    commission_bps: i64,
    refunded_at: Option<Timestamp>,
}

impl MoneyLine {
    fn commission(&self) -> i64 {
        rate_of(
            self.price_amount,
            u32::try_from(self.commission_bps).unwrap_or(0),
        )
    }

    /// What the vendor earns: the price less the platform's commission.
    fn share(&self) -> i64 {
        self.price_amount - self.commission()
    }
}

async fn money_lines(tx: &mut Tx, order: &Id) -> Result<Vec<MoneyLine>, AppError> {
    Ok(sqlx::query_as(
        "SELECT position, product_id, vendor_id, price_amount, tax_amount, commission_bps, \
         refunded_at FROM order_lines WHERE order_id = $1 ORDER BY position",
    )
    .bind(order)
    .fetch_all(&mut **tx)
    .await?)
}

/// The buyer of `order`: id, email and first name.
async fn buyer(tx: &mut Tx, order: &Id) -> Result<(Id, String, String), AppError> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.email, u.first_name FROM orders o JOIN users u ON u.id = o.user_id \
         WHERE o.id = $1",
    )
    .bind(order)
    .fetch_one(&mut **tx)
    .await?)
}

/// Marks order `id` paid inside `tx` (the caller holds its row and knows it is payable): the
/// buyer now owns its products, the sale is posted to the ledger (each vendor's share to
/// their pending earnings, the commission, the tax), the maturing job is queued for the end
/// of the hold period, and the receipt and `order.paid` follow the commit.
pub(crate) async fn settle(services: &Services, tx: &mut Tx, id: &Id) -> Result<(), AppError> {
    let settings = settings::snapshot_in(tx).await?;
    let (hold_days, site) = (settings.get(&EARNINGS_HOLD_DAYS), settings.get(&SITE_NAME));
    let now = Timestamp::now();
    sqlx::query(
        "UPDATE orders SET status = 'paid', payment_status = 'paid', paid_at = $1, \
         updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let order = load(tx, id).await?.ok_or(AppError::Internal)?;
    let (user, address, first_name) = buyer(tx, id).await?;
    let source = format!("order:{id}");
    for line in &order.lines {
        sqlx::query(
            "INSERT INTO purchases (user_id, product_id, source, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, product_id) DO NOTHING",
        )
        .bind(&user)
        .bind(&line.product_id)
        .bind(&source)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2")
            .bind(&user)
            .bind(&line.product_id)
            .execute(&mut **tx)
            .await?;
    }
    let currency = order.total.currency.as_str();
    let mut sale = Posting::new(
        format!("order:{id}:paid"),
        Kind::OrderPayment,
        format!("Order {id} paid"),
    );
    sale.add(Account::customer_cash(), currency, -order.total.amount);
    for line in money_lines(tx, id).await? {
        sale.add(
            Account::vendor_pending(&line.vendor_id),
            currency,
            line.share(),
        );
        sale.add(Account::platform_commission(), currency, line.commission());
        sale.add(Account::taxes_payable(), currency, line.tax_amount);
    }
    if !sale.is_empty() {
        ledger::post(tx, &sale).await?;
    }
    let due = now.plus_millis(i64::from(hold_days) * DAY_MILLIS);
    tx.enqueue_at(&MATURE, &MatureJob { order: id.clone() }, due)?;
    let lines: Vec<(String, String)> = order
        .lines
        .iter()
        .map(|line| (line.title.clone(), line.price.display()))
        .collect();
    let link = format!("{}/orders/{id}", services.public_url);
    let receipt = templates::order_receipt(
        &site,
        &address,
        &first_name,
        &lines,
        &order.tax.display(),
        &order.total.display(),
        &link,
    );
    email::queue(tx, &receipt)?;
    tx.publish(Event::new(
        "order.paid",
        OrderEvent {
            order_id: id,
            user_id: &user,
            total: order.total.clone(),
        },
    ));
    Ok(())
}

/// Moves the earnings of order `id`'s lines that were not refunded from each vendor's
/// pending to their available balance — less what pays back a vendor's debt first — once
/// (the maturing job; staff). A paid order becomes `completed`. An order refunded in full,
/// or matured already, is left as it is.
pub async fn mature(services: &Services, _staff: Staff<'_>, id: &Id) -> Result<(), AppError> {
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    lock(&mut tx, id).await?;
    let state: Option<(String, Option<Timestamp>, String)> =
        sqlx::query_as("SELECT status, matured_at, currency FROM orders WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((status, matured_at, currency)) = state else {
        return Err(AppError::NotFound("The order".into()));
    };
    let status = OrderStatus::try_from(status).map_err(|_| AppError::Internal)?;
    if matured_at.is_some() || !status.delivers() {
        return tx.rollback().await;
    }
    let mut maturing = Posting::new(
        format!("order:{id}:matured"),
        Kind::Maturing,
        format!("Order {id}: hold period over"),
    );
    // Each vendor's matured share, in vendor order (each one's debt is held in turn).
    let mut shares: BTreeMap<Id, i64> = BTreeMap::new();
    for line in money_lines(&mut tx, id).await? {
        if line.refunded_at.is_none() {
            *shares.entry(line.vendor_id).or_default() += line.share();
        }
    }
    for (vendor, share) in &shares {
        maturing.add(Account::vendor_pending(vendor), &currency, -share);
        earnings::credit_available(&mut tx, &mut maturing, vendor, &currency, *share).await?;
    }
    if !maturing.is_empty() {
        ledger::post(&mut tx, &maturing).await?;
    }
    sqlx::query(
        "UPDATE orders SET matured_at = $1, updated_at = $1, \
         status = CASE WHEN status = 'paid' THEN 'completed' ELSE status END WHERE id = $2",
    )
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A refund as staff ask for it: the lines (by position; none means every line not refunded
/// yet) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundRequest {
    #[serde(default)]
    #[schema(max_items = 256)]
    pub positions: Vec<i64>,
    /// Shown to the buyer and kept in the audit log; 3 to 500 characters.
    #[schema(min_length = 3, max_length = 500)]
    pub reason: String,
}

/// Refunds lines of a paid order (staff): the buyer gets back each line's price and tax, and
/// the ledger reverses exactly what the sale posted for them — the commission, the tax, and
/// the vendor's share from wherever it is now (pending before the hold period ends,
/// available after; what available cannot cover becomes the vendor's debt, explicitly). The
/// refunded products' downloads stop working. Audited; the buyer is emailed.
pub async fn refund(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    request: &RefundRequest,
) -> Result<Order, AppError> {
    let staff = staff.writer()?;
    let reason = request.reason.trim();
    if !(3..=500).contains(&reason.chars().count()) {
        return Err(AppError::invalid(
            "reason",
            "Say why, in 3 to 500 characters: the buyer reads it.",
        ));
    }
    if request.positions.len() > 256 {
        return Err(AppError::invalid("positions", "Name at most 256 lines."));
    }
    let mut tx = Tx::begin(services).await?;
    lock(&mut tx, id).await?;
    let order = load(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The order".into()))?;
    if let Some(why) = order.status.unrefundable_because() {
        return Err(AppError::Conflict(FieldError::new("status", why)));
    }
    let lines = money_lines(&mut tx, id).await?;
    for position in &request.positions {
        match lines.iter().find(|line| line.position == *position) {
            None => {
                return Err(AppError::invalid(
                    "positions",
                    format!("This order has no line {position}."),
                ));
            }
            Some(line) if line.refunded_at.is_some() => {
                return Err(AppError::Conflict(FieldError::new(
                    "positions",
                    format!("Line {position} is refunded already."),
                )));
            }
            Some(_) => {}
        }
    }
    let chosen: Vec<&MoneyLine> = lines
        .iter()
        .filter(|line| {
            line.refunded_at.is_none()
                && (request.positions.is_empty() || request.positions.contains(&line.position))
        })
        .collect();
    let matured: Option<Timestamp> =
        sqlx::query_scalar("SELECT matured_at FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    let currency = order.total.currency.clone();
    let mut positions: Vec<i64> = chosen.iter().map(|line| line.position).collect();
    positions.sort_unstable();
    let label = positions
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut reversal = Posting::new(
        format!("order:{id}:refund:{label}"),
        Kind::Refund,
        format!("Order {id} refunded (lines {label}): {reason}"),
    );
    let mut amount = 0;
    // What each vendor's available balance can still give, read once per vendor.
    let mut available: BTreeMap<Id, i64> = BTreeMap::new();
    for line in &chosen {
        amount += line.price_amount + line.tax_amount;
        reversal.add(
            Account::customer_cash(),
            &currency,
            line.price_amount + line.tax_amount,
        );
        reversal.add(Account::taxes_payable(), &currency, -line.tax_amount);
        reversal.add(
            Account::platform_commission(),
            &currency,
            -line.commission(),
        );
        if matured.is_none() {
            reversal.add(
                Account::vendor_pending(&line.vendor_id),
                &currency,
                -line.share(),
            );
            continue;
        }
        let wallet = Account::vendor_available(&line.vendor_id);
        let left = match available.get(&line.vendor_id) {
            Some(left) => *left,
            None => ledger::balance_held(&mut tx, &wallet, &currency).await?,
        };
        let taken = line.share().min(left.max(0));
        available.insert(line.vendor_id.clone(), left - taken);
        reversal.add(wallet, &currency, -taken);
        reversal.add(
            Account::vendor_debt(&line.vendor_id),
            &currency,
            taken - line.share(),
        );
    }
    if !reversal.is_empty() {
        ledger::post(&mut tx, &reversal).await?;
    }
    let now = Timestamp::now();
    let (user, address, _) = buyer(&mut tx, id).await?;
    let source = format!("order:{id}");
    for line in &chosen {
        sqlx::query(
            "UPDATE order_lines SET refunded_at = $1 WHERE order_id = $2 AND position = $3",
        )
        .bind(now)
        .bind(id)
        .bind(line.position)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM purchases WHERE user_id = $1 AND product_id = $2 AND source = $3")
            .bind(&user)
            .bind(&line.product_id)
            .bind(&source)
            .execute(&mut *tx)
            .await?;
    }
    let whole = chosen.len() == lines.iter().filter(|l| l.refunded_at.is_none()).count();
    sqlx::query(
        "UPDATE orders SET refunded_amount = refunded_amount + $1, status = $2, \
         payment_status = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(amount)
    .bind(if whole {
        OrderStatus::Refunded.as_str()
    } else {
        OrderStatus::PartiallyRefunded.as_str()
    })
    .bind(if whole { "refunded" } else { "paid" })
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action: "orders.refund",
            target: Some(source.clone()),
            details: serde_json::json!({ "positions": positions, "amount": amount, "reason": reason }),
            ip: None,
        },
    )
    .await?;
    let refunded = Money {
        amount,
        currency: currency.clone(),
    };
    super::refunds::request(&mut tx, id, &label, &refunded).await?;
    let site = settings::get_in(&mut tx, &SITE_NAME).await?;
    let link = format!("{}/orders/{id}", services.public_url);
    let message = templates::order_refunded(&site, &address, &refunded.display(), reason, &link);
    email::queue(&mut tx, &message)?;
    tx.publish(Event::new(
        "order.refunded",
        OrderEvent {
            order_id: id,
            user_id: &user,
            total: refunded,
        },
    ));
    let order = load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(order)
}
