//! Reading a vendor's earnings from the ledger, and the payout flow: a request sets the
//! amount aside (`available → payout`), staff approve it (a decision: no money moves), then
//! either reject it (`payout → available`) or mark it paid with the transfer's reference
//! (`payout → payouts:paid`). Every step is audited and the vendor is emailed.
//!
//! Money coming into a vendor's available balance — matured sales, a rejected payout — first
//! pays back what the vendor owes (a debt from a refund their available balance could not
//! cover; see [`credit_available`]), so a vendor who owes has nothing to pay out.

use super::model::{DayEarnings, Earnings, MAX_OPEN_PAYOUTS, Movement, Payout, PayoutStatus};
use crate::audit::service::{NewEntry, record};
use crate::db::Db;
use crate::email::service as email;
use crate::email::templates;
use crate::error::{AppError, FieldError};
use crate::ledger::model::{Account, Kind, Posting};
use crate::ledger::service as ledger;
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::{Actor, Staff};
use crate::platform::paging::Window;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Page, Timestamp};
use crate::settings::model::{CURRENCY, PAYOUT_MINIMUM, SITE_NAME};
use crate::settings::service as settings;
use crate::vendors::service as vendors;
use serde::Serialize;
use std::collections::HashMap;

const DAY_MILLIS: i64 = 86_400_000;
/// Days in the earnings chart.
const CHART_DAYS: i64 = 30;
/// Movements in the history.
const HISTORY: i64 = 50;

/// Adds to `posting` `amount` minor units coming into `vendor`'s available balance, less
/// what goes first to pay back their debt (all of it, or as much as `amount` covers); the
/// part repaid. The debt is read held until `tx` ends, so two postings never repay the same
/// debt twice. The one way money reaches a vendor's available balance.
pub(crate) async fn credit_available(
    tx: &mut Tx,
    posting: &mut Posting,
    vendor: &Id,
    currency: &str,
    amount: i64,
) -> Result<i64, AppError> {
    let debt = Account::vendor_debt(vendor);
    let owed = -ledger::balance_held(tx, &debt, currency).await?;
    let repaid = amount.min(owed).max(0);
    posting.add(Account::vendor_available(vendor), currency, amount - repaid);
    posting.add(debt, currency, repaid);
    Ok(repaid)
}

/// The caller's earnings (approved vendors).
pub async fn mine(db: &Db, actor: &Actor) -> Result<Earnings, AppError> {
    let vendor = vendors::selling(db, actor).await?;
    let settings = settings::snapshot(db).await?;
    let (currency, minimum) = (settings.get(&CURRENCY), settings.get(&PAYOUT_MINIMUM));
    let accounts = [
        ("pending", Account::vendor_pending(&vendor.id)),
        ("available", Account::vendor_available(&vendor.id)),
        ("payout", Account::vendor_payout(&vendor.id)),
        ("debt", Account::vendor_debt(&vendor.id)),
    ];
    let mut conn = db.pool().acquire().await?;
    let sums: Vec<(String, i64)> = sqlx::query_as(
        "SELECT account, CAST(SUM(amount) AS BIGINT) FROM ledger_entries \
         WHERE account IN ($1, $2, $3, $4) AND currency = $5 GROUP BY account",
    )
    .bind(accounts[0].1.as_str())
    .bind(accounts[1].1.as_str())
    .bind(accounts[2].1.as_str())
    .bind(accounts[3].1.as_str())
    .bind(&currency)
    .fetch_all(&mut *conn)
    .await?;
    let sums: HashMap<String, i64> = sums.into_iter().collect();
    let balance = |index: usize| sums.get(accounts[index].1.as_str()).copied().unwrap_or(0);
    let paid_out: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM payouts WHERE vendor_id = $1 \
         AND status = 'paid' AND currency = $2",
    )
    .bind(&vendor.id)
    .bind(&currency)
    .fetch_one(&mut *conn)
    .await?;
    let today = Timestamp::now().as_millis().div_euclid(DAY_MILLIS);
    let first = today - (CHART_DAYS - 1);
    let days: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.created_at / $1 AS day, CAST(SUM(e.amount) AS BIGINT) FROM ledger_entries e \
         JOIN ledger_transactions t ON t.id = e.transaction_id \
         WHERE e.account = $2 AND e.currency = $3 AND t.kind = 'order_payment' \
         AND t.created_at >= $4 GROUP BY t.created_at / $1",
    )
    .bind(DAY_MILLIS)
    .bind(accounts[0].1.as_str())
    .bind(&currency)
    .bind(first * DAY_MILLIS)
    .fetch_all(&mut *conn)
    .await?;
    let days: HashMap<i64, i64> = days.into_iter().collect();
    let per_day = (first..=today)
        .map(|day| DayEarnings {
            day: Timestamp::from_millis(day * DAY_MILLIS).display_date(),
            amount: days.get(&day).copied().unwrap_or(0),
        })
        .collect();
    let rows: Vec<(Timestamp, String, String, String, i64)> = sqlx::query_as(
        "SELECT t.created_at, t.kind, t.memo, e.account, e.amount FROM ledger_entries e \
         JOIN ledger_transactions t ON t.id = e.transaction_id \
         WHERE e.account IN ($1, $2, $3, $4) AND e.currency = $5 \
         ORDER BY t.created_at DESC, t.id, e.position LIMIT $6",
    )
    .bind(accounts[0].1.as_str())
    .bind(accounts[1].1.as_str())
    .bind(accounts[2].1.as_str())
    .bind(accounts[3].1.as_str())
    .bind(&currency)
    .bind(HISTORY)
    .fetch_all(&mut *conn)
    .await?;
    let money = |amount| Money {
        amount,
        currency: currency.clone(),
    };
    let history = rows
        .into_iter()
        .map(|(at, kind, memo, account, amount)| Movement {
            at,
            kind,
            memo,
            balance: account.rsplit(':').next().unwrap_or_default().to_owned(),
            amount: money(amount),
        })
        .collect();
    Ok(Earnings {
        pending: money(balance(0)),
        available: money(balance(1)),
        requested: money(balance(2)),
        paid_out: money(paid_out.unwrap_or(0)),
        debt: money(balance(3)),
        payout_minimum: money(minimum),
        per_day,
        history,
    })
}

#[derive(sqlx::FromRow)]
struct PayoutRow {
    id: Id,
    vendor_id: Id,
    store_name: String,
    amount: i64,
    currency: String,
    status: String,
    reason: Option<String>,
    reference: Option<String>,
    created_at: Timestamp,
    decided_at: Option<Timestamp>,
    paid_at: Option<Timestamp>,
}

impl TryFrom<PayoutRow> for Payout {
    type Error = AppError;

    fn try_from(row: PayoutRow) -> Result<Self, AppError> {
        Ok(Self {
            status: PayoutStatus::try_from(row.status).map_err(|_| AppError::Internal)?,
            amount: Money {
                amount: row.amount,
                currency: row.currency,
            },
            id: row.id,
            vendor_id: row.vendor_id,
            store_name: row.store_name,
            reason: row.reason,
            reference: row.reference,
            created_at: row.created_at,
            decided_at: row.decided_at,
            paid_at: row.paid_at,
        })
    }
}

const PAYOUT_COLUMNS: &str = "p.id, p.vendor_id, v.store_name, p.amount, p.currency, p.status, \
     p.reason, p.reference, p.created_at, p.decided_at, p.paid_at \
     FROM payouts p JOIN vendors v ON v.id = p.vendor_id";

async fn find(conn: &mut sqlx::AnyConnection, id: &Id) -> Result<Payout, AppError> {
    let row: Option<PayoutRow> =
        sqlx::query_as(&format!("SELECT {PAYOUT_COLUMNS} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.ok_or_else(|| AppError::NotFound("The payout".into()))?
        .try_into()
}

async fn page(
    db: &Db,
    vendor: Option<&Id>,
    status: Option<PayoutStatus>,
    window: Window,
) -> Result<Page<Payout>, AppError> {
    let conditions = "($1 IS NULL OR p.vendor_id = $1) AND ($2 IS NULL OR p.status = $2)";
    let mut conn = db.pool().acquire().await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM payouts p WHERE {conditions}"
    ))
    .bind(vendor)
    .bind(status.map(PayoutStatus::as_str))
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<PayoutRow> = sqlx::query_as(&format!(
        "SELECT {PAYOUT_COLUMNS} WHERE {conditions} \
         ORDER BY p.created_at DESC, p.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(vendor)
    .bind(status.map(PayoutStatus::as_str))
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(Payout::try_from)
            .collect::<Result<_, _>>()?,
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or_default(),
    })
}

/// The caller's payouts, newest first (approved vendors).
pub async fn my_payouts(db: &Db, actor: &Actor, window: Window) -> Result<Page<Payout>, AppError> {
    let vendor = vendors::selling(db, actor).await?;
    page(db, Some(&vendor.id), None, window).await
}

/// Every payout, newest first, optionally in one state (staff).
pub async fn payouts(
    db: &Db,
    _staff: Staff<'_>,
    status: Option<PayoutStatus>,
    window: Window,
) -> Result<Page<Payout>, AppError> {
    page(db, None, status, window).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutEvent<'a> {
    payout_id: &'a Id,
    vendor_id: &'a Id,
    status: PayoutStatus,
    amount: i64,
}

/// Emails the vendor about their payout and publishes `payout.{status}` after the commit.
async fn tell(
    services: &Services,
    tx: &mut Tx,
    payout: &Payout,
    detail: &str,
) -> Result<(), AppError> {
    let contact: String = sqlx::query_scalar("SELECT contact_email FROM vendors WHERE id = $1")
        .bind(&payout.vendor_id)
        .fetch_one(&mut **tx)
        .await?;
    let site = settings::get_in(tx, &SITE_NAME).await?;
    let headline = match payout.status {
        PayoutStatus::Requested => "Payout requested",
        PayoutStatus::Approved => "Payout approved",
        PayoutStatus::Rejected => "Payout rejected",
        PayoutStatus::Paid => "Payout sent",
    };
    let link = format!("{}/vendor/earnings", services.public_url);
    let message = templates::payout_update(&site, &contact, headline, detail, &link);
    email::queue(tx, &message)?;
    let name = match payout.status {
        PayoutStatus::Requested => "payout.requested",
        PayoutStatus::Approved => "payout.approved",
        PayoutStatus::Rejected => "payout.rejected",
        PayoutStatus::Paid => "payout.paid",
    };
    tx.publish(Event::new(
        name,
        PayoutEvent {
            payout_id: &payout.id,
            vendor_id: &payout.vendor_id,
            status: payout.status,
            amount: payout.amount.amount,
        },
    ));
    Ok(())
}

/// Asks for `amount` minor units of the caller's available earnings to be paid out: at least
/// the minimum (setting), at most what is available (`CONFLICT`, saying how much is), and at
/// most [`MAX_OPEN_PAYOUTS`] open at once. The amount is set aside at once.
pub async fn request(services: &Services, actor: &Actor, amount: i64) -> Result<Payout, AppError> {
    actor.writer()?;
    let vendor = vendors::selling(&services.db, actor).await?;
    request_as(services, &vendor.id, amount, actor.audit_label()).await
}

/// A payout request on behalf of storefront `vendor`, for the demo seed's history (admins:
/// the operator's command).
pub async fn demo_request(
    services: &Services,
    admin: crate::platform::identity::Admin<'_>,
    vendor: &Id,
    amount: i64,
) -> Result<Payout, AppError> {
    request_as(services, vendor, amount, admin.actor().audit_label()).await
}

async fn request_as(
    services: &Services,
    vendor: &Id,
    amount: i64,
    by: String,
) -> Result<Payout, AppError> {
    let settings = settings::snapshot(&services.db).await?;
    let (currency, minimum) = (settings.get(&CURRENCY), settings.get(&PAYOUT_MINIMUM));
    let shown = |amount| {
        Money {
            amount,
            currency: currency.clone(),
        }
        .display()
    };
    if !(minimum..=crate::ledger::model::MAX_AMOUNT).contains(&amount) {
        return Err(AppError::invalid(
            "amount",
            format!("Ask for at least {} (in minor units).", shown(minimum)),
        ));
    }
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let available = Account::vendor_available(vendor);
    let balance = ledger::balance_held(&mut tx, &available, &currency).await?;
    if amount > balance {
        return Err(AppError::Conflict(FieldError::new(
            "amount",
            format!("You have {} available to pay out.", shown(balance)),
        )));
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payouts WHERE vendor_id = $1 AND status IN ('requested', 'approved')",
    )
    .bind(vendor)
    .fetch_one(&mut *tx)
    .await?;
    if open >= MAX_OPEN_PAYOUTS {
        return Err(AppError::Conflict(FieldError::new(
            "amount",
            format!(
                "You have {MAX_OPEN_PAYOUTS} payouts waiting already; wait for one to be paid."
            ),
        )));
    }
    let id = Id::random();
    let now = Timestamp::now();
    sqlx::query(
        "INSERT INTO payouts (id, vendor_id, amount, currency, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&id)
    .bind(vendor)
    .bind(amount)
    .bind(&currency)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut hold = Posting::new(
        format!("payout:{id}:requested"),
        Kind::Payout,
        format!("Payout {id} requested"),
    );
    hold.add(available, &currency, -amount);
    hold.add(Account::vendor_payout(vendor), &currency, amount);
    ledger::post(&mut tx, &hold).await?;
    record(
        &mut tx,
        NewEntry {
            actor: by,
            action: "payouts.request",
            target: Some(format!("payout:{id}")),
            details: serde_json::json!({ "amount": amount, "vendor": vendor }),
            ip: None,
        },
    )
    .await?;
    let payout = find(&mut tx, &id).await?;
    tell(
        services,
        &mut tx,
        &payout,
        &format!(
            "We received your request for {}; staff will review it.",
            payout.amount.display()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(payout)
}

/// What staff decide about a payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Agreed to pay it (no money moves yet).
    Approve,
    /// Refused, with the reason the vendor reads: the amount returns to their available
    /// balance.
    Reject { reason: String },
    /// Sent, with the transfer's reference: the amount leaves the platform.
    MarkPaid { reference: String },
}

/// Applies a staff decision to payout `id`: approve a requested one, reject a requested or
/// approved one, mark an approved one paid; anything else is a `CONFLICT`. Audited; the
/// vendor is emailed.
pub async fn decide(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    decision: &Decision,
) -> Result<Payout, AppError> {
    let staff = staff.writer()?;
    match decision {
        Decision::Reject { reason } if !(3..=500).contains(&reason.trim().chars().count()) => {
            return Err(AppError::invalid(
                "reason",
                "Say why, in 3 to 500 characters: the vendor reads it.",
            ));
        }
        Decision::MarkPaid { reference }
            if !(1..=100).contains(&reference.trim().chars().count())
                || reference.chars().any(char::is_control) =>
        {
            return Err(AppError::invalid(
                "reference",
                "Enter the transfer's reference, 1 to 100 characters.",
            ));
        }
        _ => {}
    }
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    sqlx::query("UPDATE payouts SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let payout = find(&mut tx, id).await?;
    let (allowed, next, action) = match decision {
        Decision::Approve => (
            payout.status == PayoutStatus::Requested,
            PayoutStatus::Approved,
            "payouts.approve",
        ),
        Decision::Reject { .. } => (
            matches!(
                payout.status,
                PayoutStatus::Requested | PayoutStatus::Approved
            ),
            PayoutStatus::Rejected,
            "payouts.reject",
        ),
        Decision::MarkPaid { .. } => (
            payout.status == PayoutStatus::Approved,
            PayoutStatus::Paid,
            "payouts.mark_paid",
        ),
    };
    if !allowed {
        return Err(AppError::Conflict(FieldError::new(
            "status",
            format!(
                "This payout is {}: it cannot be {} now.",
                payout.status.as_str(),
                next.as_str()
            ),
        )));
    }
    let (currency, amount) = (payout.amount.currency.as_str(), payout.amount.amount);
    let step = match decision {
        Decision::Approve => None,
        Decision::Reject { .. } => Some("rejected"),
        Decision::MarkPaid { .. } => Some("paid"),
    };
    // What a rejected payout paid back of the vendor's debt on its way to available.
    let mut repaid = 0;
    if let Some(step) = step {
        let mut posting = Posting::new(
            format!("payout:{id}:{step}"),
            Kind::Payout,
            format!("Payout {id} {step}"),
        );
        posting.add(Account::vendor_payout(&payout.vendor_id), currency, -amount);
        if matches!(decision, Decision::Reject { .. }) {
            repaid = credit_available(&mut tx, &mut posting, &payout.vendor_id, currency, amount)
                .await?;
        } else {
            posting.add(Account::payouts_paid(), currency, amount);
        }
        ledger::post(&mut tx, &posting).await?;
    }
    let now = Timestamp::now();
    let (reason, reference) = match decision {
        Decision::Approve => (None, None),
        Decision::Reject { reason } => (Some(reason.trim()), None),
        Decision::MarkPaid { reference } => (None, Some(reference.trim())),
    };
    sqlx::query(
        "UPDATE payouts SET status = $1, reason = COALESCE($2, reason), \
         reference = COALESCE($3, reference), \
         decided_at = CASE WHEN $4 THEN decided_at ELSE $5 END, \
         paid_at = CASE WHEN $4 THEN $5 ELSE paid_at END, updated_at = $5 WHERE id = $6",
    )
    .bind(next.as_str())
    .bind(reason)
    .bind(reference)
    .bind(next == PayoutStatus::Paid)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action,
            target: Some(format!("payout:{id}")),
            details: serde_json::json!({
                "amount": payout.amount.amount,
                "vendor": payout.vendor_id,
                "reason": reason,
                "reference": reference,
            }),
            ip: None,
        },
    )
    .await?;
    let payout = find(&mut tx, id).await?;
    let amount = payout.amount.display();
    let detail = match decision {
        Decision::Approve => {
            format!("Your payout of {amount} was approved; it will be sent shortly.")
        }
        Decision::Reject { reason } if repaid > 0 => format!(
            "Your payout of {amount} was not approved. It returned to your balance, and {} of it \
             paid back what you owed from a refund. The reason: {}",
            Money {
                amount: repaid,
                currency: payout.amount.currency.clone(),
            }
            .display(),
            reason.trim()
        ),
        Decision::Reject { reason } => format!(
            "Your payout of {amount} was not approved, and the amount is available again. The reason: {}",
            reason.trim()
        ),
        Decision::MarkPaid { reference } => format!(
            "Your payout of {amount} was sent. Its reference: {}.",
            reference.trim()
        ),
    };
    tell(services, &mut tx, &payout, &detail).await?;
    tx.commit().await?;
    Ok(payout)
}
