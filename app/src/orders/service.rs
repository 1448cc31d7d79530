//! Placing orders and reading them back: the buyer's own, and every order for staff.

use super::model::{
    Checkout, Order, OrderLine, OrderStatus, OrderSummary, PaymentStatus, valid_idempotency_key,
};
use super::settlement;
use crate::cart::model::rate_of;
use crate::cart::service as cart;
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::events::Event;
use crate::platform::identity::{Actor, Staff};
use crate::platform::paging::{Window, like_pattern};
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Page, Timestamp};
use crate::settings::model::{COMMISSION_RATE_BPS, CURRENCY, TAX_RATE_BPS};
use crate::settings::service as settings;
use serde::Serialize;
use sqlx::AnyConnection;

/// What [`place`] did.
#[derive(Debug)]
pub enum Placed {
    /// A new order, made now.
    New(Order),
    /// The order this idempotency key made before; nothing new was made.
    Existing(Order),
}

/// The payload of `order.*` events.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderEvent<'a> {
    pub order_id: &'a Id,
    pub user_id: &'a Id,
    pub total: Money,
}

/// Places an order from the caller's cart, in one transaction: every available line at
/// today's price and tax, its vendor and commission rate, the totals; the ordered products
/// leave the cart. `key` makes it idempotent — the same key from the same buyer returns the
/// order it made, however often it is sent. A cart with nothing to buy is a `CONFLICT`. An
/// order of free products only is settled at once.
pub async fn place(
    services: &Services,
    actor: &Actor,
    key: &str,
    checkout: &Checkout,
) -> Result<Placed, AppError> {
    place_as(services, &actor.writer()?.id, key, checkout).await
}

/// Buys `products` for `buyer` with the sandbox's good card, as the demo seed's history
/// (admins: the operator's command). Products `buyer` cannot buy are skipped; `None` when
/// none is left.
pub async fn demo_purchase(
    services: &Services,
    _admin: crate::platform::identity::Admin<'_>,
    buyer: &Id,
    products: &[Id],
    key: &str,
) -> Result<Option<Order>, AppError> {
    for product in products {
        match crate::cart::service::add_for(services, buyer, product).await {
            Ok(()) | Err(AppError::Conflict(_) | AppError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    let checkout = Checkout {
        billing_name: "Demo Buyer".into(),
        billing_country: "DE".into(),
    };
    let order = match place_as(services, buyer, key, &checkout).await {
        Ok(Placed::New(order) | Placed::Existing(order)) => order,
        Err(AppError::Conflict(_)) => return Ok(None),
        Err(error) => return Err(error),
    };
    if order.status != OrderStatus::Pending {
        return Ok(Some(order));
    }
    let card = crate::payments::model::Card {
        number: crate::payments::sandbox::SUCCEEDS.into(),
        expiry: "12/39".into(),
        cvc: "123".into(),
    };
    let paid = super::payment::pay_as(services, buyer, &order.id, &card).await?;
    Ok(Some(paid.order))
}

async fn place_as(
    services: &Services,
    buyer: &Id,
    key: &str,
    checkout: &Checkout,
) -> Result<Placed, AppError> {
    if !valid_idempotency_key(key) {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "Send 1 to 100 visible ASCII characters, unique for each order you mean to place.",
        ));
    }
    let checkout = checkout.checked().map_err(|problems| {
        AppError::Validation(
            problems
                .into_iter()
                .map(|(field, message)| FieldError::new(field, message))
                .collect(),
        )
    })?;
    let settings = settings::snapshot(&services.db).await?;
    let currency = settings.get(&CURRENCY);
    let tax_rate = settings.get(&TAX_RATE_BPS);
    let commission_rate = settings.get(&COMMISSION_RATE_BPS);
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    // Taking the buyer's row first makes their checkouts (a double click) run in turn.
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(buyer)
        .execute(&mut *tx)
        .await?;
    let earlier: Option<Id> =
        sqlx::query_scalar("SELECT id FROM orders WHERE user_id = $1 AND idempotency_key = $2")
            .bind(buyer)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(earlier) = earlier {
        let order = load(&mut tx, &earlier).await?.ok_or(AppError::Internal)?;
        tx.rollback().await?;
        return Ok(Placed::Existing(order));
    }
    let lines: Vec<_> = cart::priced(&mut tx, buyer, &currency)
        .await?
        .into_iter()
        .filter(|priced| priced.line.available)
        .collect();
    if lines.is_empty() {
        return Err(AppError::Conflict(FieldError::new(
            "cart",
            "Your cart has nothing that can be bought right now.",
        )));
    }
    let id = Id::random();
    let now = Timestamp::now();
    let subtotal: i64 = lines.iter().map(|priced| priced.line.price.amount).sum();
    let tax: i64 = lines
        .iter()
        .map(|priced| rate_of(priced.line.price.amount, tax_rate))
        .sum();
    sqlx::query(
        "INSERT INTO orders (id, user_id, idempotency_key, billing_name, billing_country, \
         currency, subtotal_amount, tax_rate_bps, tax_amount, total_amount, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(&id)
    .bind(buyer)
    .bind(key)
    .bind(&checkout.billing_name)
    .bind(&checkout.billing_country)
    .bind(&currency)
    .bind(subtotal)
    .bind(i64::from(tax_rate))
    .bind(tax)
    .bind(subtotal + tax)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (position, priced) in (1i64..).zip(&lines) {
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, product_id, vendor_id, title, \
             price_amount, tax_amount, commission_bps) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(position)
        .bind(&priced.line.product_id)
        .bind(&priced.vendor_id)
        .bind(&priced.line.title)
        .bind(priced.line.price.amount)
        .bind(rate_of(priced.line.price.amount, tax_rate))
        .bind(
            priced
                .vendor_commission_bps
                .unwrap_or(i64::from(commission_rate)),
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2")
            .bind(buyer)
            .bind(&priced.line.product_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.publish(Event::new(
        "order.created",
        OrderEvent {
            order_id: &id,
            user_id: buyer,
            total: Money {
                amount: subtotal + tax,
                currency: currency.clone(),
            },
        },
    ));
    if subtotal + tax == 0 {
        settlement::settle(services, &mut tx, &id).await?;
    }
    let order = load(&mut tx, &id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(Placed::New(order))
}

/// One of the caller's orders; another person's is `NOT_FOUND`.
pub async fn mine(db: &Db, actor: &Actor, id: &Id) -> Result<Order, AppError> {
    let principal = actor.user()?;
    let mut conn = db.pool().acquire().await?;
    owned_by(&mut conn, &principal.id, id).await
}

/// The order `id` if `user` placed it.
pub(crate) async fn owned_by(
    conn: &mut AnyConnection,
    user: &Id,
    id: &Id,
) -> Result<Order, AppError> {
    let owner: Option<Id> = sqlx::query_scalar("SELECT user_id FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if owner.as_ref() != Some(user) {
        return Err(AppError::NotFound("The order".into()));
    }
    load(conn, id).await?.ok_or(AppError::Internal)
}

/// Any order (staff).
pub async fn for_staff(db: &Db, _staff: Staff<'_>, id: &Id) -> Result<Order, AppError> {
    let mut conn = db.pool().acquire().await?;
    load(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The order".into()))
}

/// Cancels one of the caller's unpaid orders; a paid or cancelled one is a `CONFLICT`.
pub async fn cancel(services: &Services, actor: &Actor, id: &Id) -> Result<Order, AppError> {
    let principal = actor.writer()?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let order = lock_own(&mut tx, &principal.id, id).await?;
    if let Some(reason) = order.status.unpayable_because() {
        return Err(AppError::Conflict(FieldError::new("status", reason)));
    }
    sqlx::query("UPDATE orders SET status = 'cancelled', updated_at = $1 WHERE id = $2")
        .bind(Timestamp::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let order = load(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(order)
}

/// The caller's order `id`, its row taken so concurrent changes to it run in turn; another
/// person's is `NOT_FOUND`.
pub(crate) async fn lock_own(tx: &mut Tx, user: &Id, id: &Id) -> Result<Order, AppError> {
    match lock(tx, id).await? {
        Some(locked) if locked.owner == *user => load(tx, id).await?.ok_or(AppError::Internal),
        _ => Err(AppError::NotFound("The order".into())),
    }
}

/// An order whose row a transaction holds: who placed it, and its status as the lock found it.
pub(crate) struct Locked {
    pub owner: Id,
    pub status: OrderStatus,
}

/// Takes order `id`'s row until the transaction ends (`None`: there is no such order).
pub(crate) async fn lock(tx: &mut Tx, id: &Id) -> Result<Option<Locked>, AppError> {
    let row: Option<(Id, String)> = sqlx::query_as(
        "UPDATE orders SET updated_at = updated_at WHERE id = $1 RETURNING user_id, status",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(owner, status)| {
        let status = OrderStatus::try_from(status).map_err(|_| AppError::Internal)?;
        Ok(Locked { owner, status })
    })
    .transpose()
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// Staff only: orders with a line from this storefront (its slug).
    pub vendor: Option<String>,
    /// Staff only: part of the buyer's email or the order's id.
    pub search: Option<String>,
    /// Placed at or after.
    pub from: Option<Timestamp>,
    /// Placed before.
    pub until: Option<Timestamp>,
}

/// The caller's orders, newest first.
pub async fn list_mine(
    db: &Db,
    actor: &Actor,
    filter: &OrderFilter,
    window: Window,
) -> Result<Page<OrderSummary>, AppError> {
    let principal = actor.user()?;
    let filter = OrderFilter {
        vendor: None,
        search: None,
        ..filter.clone()
    };
    summaries(db, Some(&principal.id), &filter, window).await
}

/// Every order, newest first (staff): by status, vendor, buyer or id, and date.
pub async fn list_all(
    db: &Db,
    _staff: Staff<'_>,
    filter: &OrderFilter,
    window: Window,
) -> Result<Page<OrderSummary>, AppError> {
    summaries(db, None, filter, window).await
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Id,
    status: String,
    payment_status: String,
    email: String,
    first_title: Option<String>,
    line_count: i64,
    currency: String,
    total_amount: i64,
    refunded_amount: i64,
    created_at: Timestamp,
}

async fn summaries(
    db: &Db,
    buyer: Option<&Id>,
    filter: &OrderFilter,
    window: Window,
) -> Result<Page<OrderSummary>, AppError> {
    let pattern = like_pattern(filter.search.as_deref())?;
    if filter
        .vendor
        .as_ref()
        .is_some_and(|slug| slug.len() > crate::platform::validate::SLUG_MAX)
    {
        return Err(AppError::invalid(
            "filter[vendor]",
            "Name a storefront by its slug.",
        ));
    }
    let conditions = "($1 IS NULL OR o.user_id = $1) AND ($2 IS NULL OR o.status = $2) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM order_lines x JOIN vendors v ON v.id = x.vendor_id \
                                    WHERE x.order_id = o.id AND v.slug = $3)) \
         AND ($4 IS NULL OR LOWER(u.email) LIKE $4 OR o.id LIKE $4) \
         AND ($5 IS NULL OR o.created_at >= $5) AND ($6 IS NULL OR o.created_at < $6)";
    let mut conn = db.pool().acquire().await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE {conditions}"
    ))
    .bind(buyer)
    .bind(filter.status.map(OrderStatus::as_str))
    .bind(&filter.vendor)
    .bind(&pattern)
    .bind(filter.from)
    .bind(filter.until)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT o.id, o.status, o.payment_status, u.email, \
         (SELECT l.title FROM order_lines l WHERE l.order_id = o.id AND l.position = 1) \
         AS first_title, \
         (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id) AS line_count, \
         o.currency, o.total_amount, o.refunded_amount, o.created_at \
         FROM orders o JOIN users u ON u.id = o.user_id WHERE {conditions} \
         ORDER BY o.created_at DESC, o.id DESC LIMIT $7 OFFSET $8"
    ))
    .bind(buyer)
    .bind(filter.status.map(OrderStatus::as_str))
    .bind(&filter.vendor)
    .bind(&pattern)
    .bind(filter.from)
    .bind(filter.until)
    .bind(i64::from(window.limit))
    .bind(window.offset())
    .fetch_all(&mut *conn)
    .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let money = |amount| Money {
                amount,
                currency: row.currency.clone(),
            };
            Ok(OrderSummary {
                status: OrderStatus::try_from(row.status).map_err(|_| AppError::Internal)?,
                payment_status: PaymentStatus::try_from(row.payment_status)
                    .map_err(|_| AppError::Internal)?,
                buyer_email: if buyer.is_some() {
                    String::new()
                } else {
                    row.email
                },
                first_title: row.first_title.unwrap_or_default(),
                line_count: row.line_count,
                total: money(row.total_amount),
                refunded: money(row.refunded_amount),
                created_at: row.created_at,
                id: row.id,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Page {
        items,
        page: window.page,
        limit: window.limit,
        total: u64::try_from(total).unwrap_or_default(),
    })
}

/// An order as stored.
#[derive(sqlx::FromRow)]
struct OrderRow {
    id: Id,
    status: String,
    payment_status: String,
    billing_name: String,
    billing_country: String,
    currency: String,
    subtotal_amount: i64,
    tax_rate_bps: i64,
    tax_amount: i64,
    total_amount: i64,
    refunded_amount: i64,
    payment_error: Option<String>,
    created_at: Timestamp,
    paid_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    position: i64,
    product_id: Id,
    slug: String,
    title: String,
    vendor_id: Id,
    store_name: String,
    price_amount: i64,
    tax_amount: i64,
    refunded_at: Option<Timestamp>,
}

/// Order `id` with its lines, if it exists.
pub(crate) async fn load(conn: &mut AnyConnection, id: &Id) -> Result<Option<Order>, AppError> {
    let row: Option<OrderRow> = sqlx::query_as(
        "SELECT o.id, o.status, o.payment_status, o.billing_name, o.billing_country, o.currency, \
         o.subtotal_amount, o.tax_rate_bps, o.tax_amount, o.total_amount, o.refunded_amount, \
         CASE WHEN o.payment_status = 'failed' THEN \
           (SELECT p.failure_message FROM payments p WHERE p.order_id = o.id \
            AND p.status = 'failed' ORDER BY p.updated_at DESC LIMIT 1) END AS payment_error, \
         o.created_at, o.paid_at FROM orders o WHERE o.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT l.position, l.product_id, p.slug, l.title, l.vendor_id, v.store_name, \
         l.price_amount, l.tax_amount, l.refunded_at FROM order_lines l \
         JOIN products p ON p.id = l.product_id JOIN vendors v ON v.id = l.vendor_id \
         WHERE l.order_id = $1 ORDER BY l.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let refunds = if row.refunded_amount > 0 {
        super::refunds::of_order(&mut *conn, id).await?
    } else {
        Vec::new()
    };
    let money = |amount| Money {
        amount,
        currency: row.currency.clone(),
    };
    Ok(Some(Order {
        status: OrderStatus::try_from(row.status).map_err(|_| AppError::Internal)?,
        payment_status: PaymentStatus::try_from(row.payment_status)
            .map_err(|_| AppError::Internal)?,
        lines: lines
            .into_iter()
            .map(|line| OrderLine {
                position: line.position,
                product_id: line.product_id,
                product_slug: line.slug,
                title: line.title,
                vendor_id: line.vendor_id,
                vendor_name: line.store_name,
                price: money(line.price_amount),
                tax: money(line.tax_amount),
                refunded: line.refunded_at.is_some(),
            })
            .collect(),
        subtotal: money(row.subtotal_amount),
        tax_rate_bps: u32::try_from(row.tax_rate_bps).map_err(|_| AppError::Internal)?,
        tax: money(row.tax_amount),
        total: money(row.total_amount),
        refunded: money(row.refunded_amount),
        refunds,
        billing_name: row.billing_name,
        billing_country: row.billing_country,
        payment_error: row.payment_error,
        created_at: row.created_at,
        paid_at: row.paid_at,
        id: row.id,
    }))
}
