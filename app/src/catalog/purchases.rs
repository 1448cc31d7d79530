//! Who owns which product: what makes a "verified buyer" (reviews) and what downloads will
//! check. Paid orders record purchases (the orders feature); until then, and for
//! complimentary copies, an admin grants one.

use super::model::ProductStatus;
use crate::audit::service::{NewEntry, record};
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::Admin;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Timestamp};
use sqlx::AnyConnection;

/// Whether `user` owns `product`.
pub(crate) async fn owns(
    conn: &mut AnyConnection,
    user: &Id,
    product: &Id,
) -> Result<bool, AppError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM purchases WHERE user_id = $1 AND product_id = $2")
            .bind(user)
            .bind(product)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Gives `user` a copy of the active product `product` (an admin; audited). Owning it
/// already is a `CONFLICT`.
pub async fn grant(
    services: &Services,
    admin: Admin<'_>,
    user: &Id,
    product: &Id,
) -> Result<(), AppError> {
    let mut tx = Tx::begin(services).await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(&mut *tx)
        .await?;
    if status.as_deref() != Some(ProductStatus::Active.as_str()) {
        return Err(AppError::NotFound("The product".into()));
    }
    let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(AppError::NotFound("The user".into()));
    }
    if owns(&mut tx, user, product).await? {
        return Err(AppError::Conflict(FieldError::new(
            "product",
            "They already own this product.",
        )));
    }
    sqlx::query(
        "INSERT INTO purchases (user_id, product_id, source, created_at) \
         VALUES ($1, $2, 'grant', $3)",
    )
    .bind(user)
    .bind(product)
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        NewEntry {
            actor: admin.actor().audit_label(),
            action: "purchases.grant",
            target: Some(format!("user:{user}")),
            details: serde_json::json!({ "product": product }),
            ip: None,
        },
    )
    .await?;
    tx.commit().await
}
