//! The stored cart of a signed-in buyer: add (one of each active product, at most
//! [`MAX_LINES`]), remove, empty, and the priced view.

use super::model::{Cart, CartLine};
use crate::catalog::images;
use crate::catalog::model::ProductStatus;
use crate::catalog::purchases;
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::Actor;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Timestamp};
use crate::settings::model::{CURRENCY, TAX_RATE_BPS};
use crate::settings::service as settings;
use sqlx::AnyConnection;

/// A cart line as read: the product, its storefront, and whether the buyer owns it.
#[derive(sqlx::FromRow)]
struct LineRow {
    id: Id,
    slug: String,
    title: String,
    vendor_id: Id,
    vendor_name: String,
    vendor_slug: String,
    commission_bps: Option<i64>,
    price_amount: i64,
    currency: String,
    status: String,
    owned: i64,
}

/// Products one cart may hold.
pub const MAX_LINES: i64 = 50;

fn refused(message: &str) -> AppError {
    AppError::Conflict(FieldError::new("productId", message))
}

/// Puts an active product in the caller's cart. Refused (`CONFLICT`, with the reason) when it
/// is in the cart already — digital goods are bought once —, when the caller owns it or sells
/// it, or when the cart is full; an unknown or inactive product is `NOT_FOUND`.
pub async fn add(services: &Services, actor: &Actor, product: &Id) -> Result<(), AppError> {
    add_for(services, &actor.writer()?.id, product).await
}

/// [`add`] for `buyer`, whose identity the caller has established.
pub(crate) async fn add_for(services: &Services, buyer: &Id, product: &Id) -> Result<(), AppError> {
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let found: Option<(String, Id)> = sqlx::query_as(
        "SELECT p.status, v.user_id FROM products p JOIN vendors v ON v.id = p.vendor_id \
         WHERE p.id = $1",
    )
    .bind(product)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((status, seller)) = found else {
        return Err(AppError::NotFound("The product".into()));
    };
    if status != ProductStatus::Active.as_str() {
        return Err(AppError::NotFound("The product".into()));
    }
    if seller == *buyer {
        return Err(refused("This is your own product."));
    }
    if purchases::owns(&mut tx, buyer, product).await? {
        return Err(refused(
            "You own this product already: it is in your downloads.",
        ));
    }
    // Taking the person's row first makes concurrent adds count in turn.
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(buyer)
        .execute(&mut *tx)
        .await?;
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cart_items WHERE user_id = $1")
        .bind(buyer)
        .fetch_one(&mut *tx)
        .await?;
    let added = sqlx::query(
        "INSERT INTO cart_items (user_id, product_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, product_id) DO NOTHING",
    )
    .bind(buyer)
    .bind(product)
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Err(refused(
            "It is in your cart already: one of each is all you need.",
        ));
    }
    if lines >= MAX_LINES {
        return Err(refused(&format!(
            "A cart holds at most {MAX_LINES} products; check out or remove some first."
        )));
    }
    tx.commit().await
}

/// Takes a product out of the caller's cart (one that is not in it changes nothing).
pub async fn remove(services: &Services, actor: &Actor, product: &Id) -> Result<(), AppError> {
    let principal = actor.writer()?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    sqlx::query("DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2")
        .bind(&principal.id)
        .bind(product)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Empties the caller's cart.
pub async fn clear(services: &Services, actor: &Actor) -> Result<(), AppError> {
    let principal = actor.writer()?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    sqlx::query("DELETE FROM cart_items WHERE user_id = $1")
        .bind(&principal.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// A cart line with what an order needs besides what the buyer sees.
pub(crate) struct PricedLine {
    pub line: CartLine,
    pub vendor_id: Id,
    /// The vendor's own commission rate, when they have one.
    pub vendor_commission_bps: Option<i64>,
}

/// `user`'s cart lines at today's prices, most recent first; a line is available when its
/// product is active, priced in `currency` and not owned by `user`.
pub(crate) async fn priced(
    conn: &mut AnyConnection,
    user: &Id,
    currency: &str,
) -> Result<Vec<PricedLine>, AppError> {
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT p.id, p.slug, p.title, v.id AS vendor_id, v.store_name AS vendor_name,          v.slug AS vendor_slug, v.commission_bps, p.price_amount, p.currency, p.status,          (SELECT COUNT(*) FROM purchases o WHERE o.user_id = c.user_id AND o.product_id = p.id)          AS owned          FROM cart_items c JOIN products p ON p.id = c.product_id          JOIN vendors v ON v.id = p.vendor_id          WHERE c.user_id = $1 ORDER BY c.added_at DESC, p.id",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    lines_of(conn, rows, currency).await
}

/// Rows as priced lines, with their covers' thumbnails.
async fn lines_of(
    conn: &mut AnyConnection,
    rows: Vec<LineRow>,
    currency: &str,
) -> Result<Vec<PricedLine>, AppError> {
    let ids: Vec<&Id> = rows.iter().map(|row| &row.id).collect();
    let mut galleries = images::of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| PricedLine {
            line: CartLine {
                thumbnail_url: galleries
                    .remove(&row.id)
                    .and_then(|images| images.into_iter().next())
                    .map(|cover| cover.thumbnail_url),
                available: row.status == ProductStatus::Active.as_str()
                    && row.currency == currency
                    && row.owned == 0,
                product_id: row.id,
                slug: row.slug,
                title: row.title,
                vendor_name: row.vendor_name,
                vendor_slug: row.vendor_slug,
                price: Money {
                    amount: row.price_amount,
                    currency: row.currency,
                },
            },
            vendor_id: row.vendor_id,
            vendor_commission_bps: row.commission_bps,
        })
        .collect())
}

/// A guest's cart (product ids, most recent first) at today's prices and tax rate.
pub async fn view_guest(db: &Db, products: &[Id]) -> Result<Cart, AppError> {
    let settings = settings::snapshot(db).await?;
    let (currency, rate) = (settings.get(&CURRENCY), settings.get(&TAX_RATE_BPS));
    let products = &products[..products.len().min(usize::try_from(MAX_LINES).unwrap_or(0))];
    if products.is_empty() {
        return Ok(Cart::priced(Vec::new(), &currency, rate));
    }
    let placeholders: Vec<String> = (1..=products.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT p.id, p.slug, p.title, v.id AS vendor_id, v.store_name AS vendor_name, \
         v.slug AS vendor_slug, v.commission_bps, p.price_amount, p.currency, p.status, \
         CAST(0 AS BIGINT) AS owned FROM products p JOIN vendors v ON v.id = p.vendor_id \
         WHERE p.id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, LineRow>(&sql);
    for id in products {
        query = query.bind(id);
    }
    let mut conn = db.pool().acquire().await?;
    let mut rows = query.fetch_all(&mut *conn).await?;
    rows.sort_by_key(|row| products.iter().position(|id| *id == row.id));
    let lines = lines_of(&mut conn, rows, &currency).await?;
    Ok(Cart::priced(
        lines.into_iter().map(|priced| priced.line).collect(),
        &currency,
        rate,
    ))
}

/// Whether a guest may put `product` in a cart holding `products`: an active product
/// (`NOT_FOUND` otherwise), not in it already, the cart not full (`CONFLICT`).
pub async fn check_guest_add(db: &Db, products: &[Id], product: &Id) -> Result<(), AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(db.pool())
        .await?;
    if status.as_deref() != Some(ProductStatus::Active.as_str()) {
        return Err(AppError::NotFound("The product".into()));
    }
    if products.contains(product) {
        return Err(refused(
            "It is in your cart already: one of each is all you need.",
        ));
    }
    if i64::try_from(products.len()).unwrap_or(i64::MAX) >= MAX_LINES {
        return Err(refused(&format!(
            "A cart holds at most {MAX_LINES} products; check out or remove some first."
        )));
    }
    Ok(())
}

/// Moves a guest's cart into `buyer`'s stored cart. Only sign-in and registration call it,
/// right after they proved who `buyer` is. Each product that may still be added is, oldest
/// first so the order is kept; those refused (owned, their own, in the cart already, gone)
/// are skipped. How many were added.
pub(crate) async fn merge(
    services: &Services,
    buyer: &Id,
    products: &[Id],
) -> Result<usize, AppError> {
    let mut added = 0;
    for product in products
        .iter()
        .rev()
        .take(usize::try_from(MAX_LINES).unwrap_or(0))
    {
        match add_for(services, buyer, product).await {
            Ok(()) => added += 1,
            Err(AppError::Conflict(_) | AppError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(added)
}

/// The caller's cart at today's prices and tax rate.
pub async fn view(db: &Db, actor: &Actor) -> Result<Cart, AppError> {
    let principal = actor.user()?;
    let settings = settings::snapshot(db).await?;
    let (currency, rate) = (settings.get(&CURRENCY), settings.get(&TAX_RATE_BPS));
    let mut conn = db.pool().acquire().await?;
    let lines = priced(&mut conn, &principal.id, &currency).await?;
    let lines = lines.into_iter().map(|priced| priced.line).collect();
    Ok(Cart::priced(lines, &currency, rate))
}
