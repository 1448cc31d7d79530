//! Downloads of what a buyer paid for: links signed with the site's key that work for
//! [`DOWNLOAD_LINK_MINUTES`], checked again when used (a refunded line's link stops working
//! at once), and counted.
//!
//! Decision: a link is a bearer capability for one file of one order — it may be handed to a
//! download manager — so it carries no session, and it expires quickly instead.

use super::model::{DOWNLOAD_LINK_MINUTES, Download, OrderStatus};
use super::service::owned_by;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::Actor;
use crate::platform::signer::Claims;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Serialize, Deserialize)]
struct DownloadClaims {
    /// The order.
    o: Id,
    /// The file.
    f: Id,
    exp: i64,
}

impl Claims for DownloadClaims {
    fn expires_at(&self) -> i64 {
        self.exp
    }
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: Id,
    title: String,
    name: String,
    bytes: i64,
    count: i64,
}

/// The files of the caller's order `id` with fresh links: those of its lines that were not
/// refunded. An unpaid or refunded order has none (`CONFLICT`, saying why).
pub async fn list(services: &Services, actor: &Actor, id: &Id) -> Result<Vec<Download>, AppError> {
    let principal = actor.user()?;
    let mut conn = services.db.pool().acquire().await?;
    let order = owned_by(&mut conn, &principal.id, id).await?;
    if !order.status.delivers() {
        return Err(closed(order.status));
    }
    let rows: Vec<FileRow> = sqlx::query_as(
        "SELECT f.id, l.title, f.name, f.bytes, COALESCE(d.count, 0) AS count \
         FROM order_lines l JOIN product_files f ON f.product_id = l.product_id \
         LEFT JOIN downloads d ON d.order_id = l.order_id AND d.file_id = f.id \
         WHERE l.order_id = $1 AND l.refunded_at IS NULL ORDER BY l.position, f.created_at, f.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let expires_at = Timestamp::now().plus_millis(DOWNLOAD_LINK_MINUTES * 60_000);
    Ok(rows
        .into_iter()
        .map(|row| {
            let token = services.signer.sign(&DownloadClaims {
                o: id.clone(),
                f: row.id.clone(),
                exp: expires_at.as_millis() / 1000,
            });
            Download {
                url: format!("/downloads/{token}"),
                file_id: row.id,
                product_title: row.title,
                name: row.name,
                bytes: row.bytes,
                expires_at,
                downloads: row.count,
            }
        })
        .collect())
}

fn closed(status: OrderStatus) -> AppError {
    let why = match status {
        OrderStatus::Pending => "Downloads open once the order is paid.",
        OrderStatus::Cancelled => "This order was cancelled; it has no downloads.",
        _ => "This order was refunded; its downloads no longer work.",
    };
    AppError::Conflict(FieldError::new("status", why))
}

/// A file about to be sent: its name for the browser, where it is, and its size.
#[derive(Debug)]
pub struct Delivery {
    pub name: String,
    pub path: PathBuf,
    pub bytes: i64,
}

/// Checks a download link and counts the download: a link that is forged or expired is
/// `INVALID_TOKEN`; one of a line refunded since it was made is a `CONFLICT`.
pub async fn open(services: &Services, token: &str) -> Result<Delivery, AppError> {
    if token.len() > 1_000 {
        return Err(AppError::InvalidToken);
    }
    let now = Timestamp::now();
    let claims: DownloadClaims = services.signer.verify(token, now.as_millis() / 1000)?;
    let mut tx = Tx::begin(services).await?;
    tx.keep_public_reads();
    let file: Option<(String, String, i64, String, Option<Timestamp>)> = sqlx::query_as(
        "SELECT f.name, f.stored, f.bytes, o.status, l.refunded_at FROM product_files f \
         JOIN order_lines l ON l.product_id = f.product_id JOIN orders o ON o.id = l.order_id \
         WHERE f.id = $1 AND l.order_id = $2",
    )
    .bind(&claims.f)
    .bind(&claims.o)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, stored, bytes, status, refunded_at)) = file else {
        return Err(AppError::NotFound("The file".into()));
    };
    let status = OrderStatus::try_from(status).map_err(|_| AppError::Internal)?;
    if !status.delivers() || refunded_at.is_some() {
        return Err(closed(OrderStatus::Refunded));
    }
    sqlx::query(
        "INSERT INTO downloads (order_id, file_id, count, last_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (order_id, file_id) DO UPDATE SET count = downloads.count + 1, \
         last_at = excluded.last_at",
    )
    .bind(&claims.o)
    .bind(&claims.f)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Delivery {
        name,
        path: services.files_dir.join(stored),
        bytes,
    })
}
