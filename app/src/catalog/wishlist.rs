//! The wishlist: products a signed-in person saved for later. Only active products can be
//! added; one that stops being active drops out of the list (and comes back if it returns).

use super::model::{Product, ProductStatus};
use super::products;
use crate::db::Db;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::Actor;
use crate::platform::paging::Window;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Page, Timestamp};

/// Products one person may save.
pub const MAX_ITEMS: i64 = 500;

/// Saves an active product to the caller's wishlist (saving it twice changes nothing).
pub async fn add(services: &Services, actor: &Actor, product: &Id) -> Result<(), AppError> {
    let principal = actor.writer()?;
    let mut tx = Tx::begin(services).await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(&mut *tx)
        .await?;
    if status.as_deref() != Some(ProductStatus::Active.as_str()) {
        return Err(AppError::NotFound("The product".into()));
    }
    // Taking the person's row first makes concurrent saves count in turn.
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(&principal.id)
        .execute(&mut *tx)
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wishlist WHERE user_id = $1")
        .bind(&principal.id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_ITEMS {
        return Err(AppError::Conflict(crate::error::FieldError::new(
            "productId",
            format!("A wishlist holds at most {MAX_ITEMS} products; remove some first."),
        )));
    }
    sqlx::query(
        "INSERT INTO wishlist (user_id, product_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, product_id) DO NOTHING",
    )
    .bind(&principal.id)
    .bind(product)
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Takes a product off the caller's wishlist (one that is not on it changes nothing).
pub async fn remove(services: &Services, actor: &Actor, product: &Id) -> Result<(), AppError> {
    let principal = actor.writer()?;
    sqlx::query("DELETE FROM wishlist WHERE user_id = $1 AND product_id = $2")
        .bind(&principal.id)
        .bind(product)
        .execute(services.db.pool())
        .await?;
    Ok(())
}

/// The caller's saved active products, most recently saved first.
pub async fn list(db: &Db, actor: &Actor, window: Window) -> Result<Page<Product>, AppError> {
    let principal = actor.user()?;
    products::saved_by(db, &principal.id, window).await
}

/// How many active products the caller has saved (the header's count).
pub async fn count(db: &Db, actor: &Actor) -> Result<i64, AppError> {
    let principal = actor.user()?;
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM wishlist w JOIN products p ON p.id = w.product_id \
         WHERE w.user_id = $1 AND p.status = 'active'",
    )
    .bind(&principal.id)
    .fetch_one(db.pool())
    .await?)
}

/// The ids of every product the caller saved (at most [`MAX_ITEMS`]).
pub async fn ids(db: &Db, actor: &Actor) -> Result<Vec<Id>, AppError> {
    let principal = actor.user()?;
    Ok(
        sqlx::query_scalar("SELECT product_id FROM wishlist WHERE user_id = $1 LIMIT $2")
            .bind(&principal.id)
            .bind(MAX_ITEMS)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Whether the caller saved `product`.
pub async fn contains(db: &Db, actor: &Actor, product: &Id) -> Result<bool, AppError> {
    let principal = actor.user()?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM wishlist WHERE user_id = $1 AND product_id = $2")
            .bind(&principal.id)
            .bind(product)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}
