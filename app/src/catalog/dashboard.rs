//! The vendor dashboard's data: the caller's storefront, its products in every status, and
//! their views per day for the chart.

use super::model::{DASHBOARD_DAYS, DailyViews, VendorDashboard};
use super::products;
use crate::db::Db;
use crate::error::AppError;
use crate::platform::identity::Actor;
use crate::platform::paging::Window;
use crate::platform::types::Timestamp;
use std::collections::HashMap;

/// The dashboard of the caller's approved storefront (`FORBIDDEN` for anyone else).
pub async fn for_vendor(
    db: &Db,
    actor: &Actor,
    window: Window,
) -> Result<VendorDashboard, AppError> {
    let vendor = products::storefront(db, actor).await?;
    let products = products::mine(db, actor, window).await?;
    let today = Timestamp::now().as_millis() / 86_400_000;
    let first = today - DASHBOARD_DAYS + 1;
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT v.day, CAST(SUM(v.views) AS BIGINT) FROM product_views v \
         JOIN products p ON p.id = v.product_id \
         WHERE p.vendor_id = $1 AND v.day >= $2 GROUP BY v.day",
    )
    .bind(&vendor.id)
    .bind(first)
    .fetch_all(db.pool())
    .await?;
    let counted: HashMap<i64, i64> = rows.into_iter().collect();
    let views = (first..=today)
        .map(|day| DailyViews {
            day,
            views: counted.get(&day).copied().unwrap_or(0),
        })
        .collect();
    Ok(VendorDashboard {
        store_name: vendor.store_name,
        store_slug: vendor.slug,
        products,
        views,
    })
}
