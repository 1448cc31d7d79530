//! Reading and changing settings. A change is validated, stored and audited in one transaction.

use super::model::{
    COMMISSION_RATE_BPS, CURRENCY, SITE_NAME, Setting, SettingValue, SiteSettings, TAX_RATE_BPS,
};
use crate::audit::service::{NewEntry, record};
use crate::db::Db;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::Admin;
use crate::platform::tx::Tx;
use crate::platform::types::Timestamp;
use sqlx::AnyConnection;

/// The stored value of `setting`, or its default when none is stored. A stored value that no
/// longer parses (e.g. after a type change) also falls back to the default, with a warning.
pub async fn get<T: SettingValue>(db: &Db, setting: &Setting<T>) -> Result<T, AppError> {
    let mut conn = db.pool().acquire().await?;
    get_in(&mut conn, setting).await
}

/// [`get`] through `conn` — inside a transaction, so it needs no second connection.
pub async fn get_in<T: SettingValue>(
    conn: &mut AnyConnection,
    setting: &Setting<T>,
) -> Result<T, AppError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(setting.key)
        .fetch_optional(conn)
        .await?;
    Ok(match stored {
        None => (setting.default)(),
        Some(json) => serde_json::from_str(&json).unwrap_or_else(|error| {
            tracing::warn!(key = setting.key, %error, "stored setting is unreadable; using the default");
            (setting.default)()
        }),
    })
}

/// Stores `value` for `setting` after checking it, and records who changed it (admins).
pub async fn set<T: SettingValue>(
    services: &Services,
    admin: Admin<'_>,
    setting: &Setting<T>,
    value: T,
    ip: Option<String>,
) -> Result<(), AppError> {
    (setting.check)(&value).map_err(|message| AppError::invalid(setting.key, message))?;
    let json = serde_json::to_string(&value).map_err(|_| AppError::Internal)?;
    let mut tx = Tx::begin(services).await?;
    let old: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(setting.key)
        .fetch_optional(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(setting.key)
    .bind(&json)
    .bind(Timestamp::now())
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({
        "old": old.and_then(|o| serde_json::from_str::<serde_json::Value>(&o).ok()),
        "new": serde_json::from_str::<serde_json::Value>(&json).unwrap_or_default(),
    });
    record(
        &mut tx,
        NewEntry {
            actor: admin.actor().audit_label(),
            action: "settings.update",
            target: Some(format!("setting:{}", setting.key)),
            details,
            ip,
        },
    )
    .await?;
    tx.commit().await
}

/// The site's public settings in one value.
pub async fn site_settings(db: &Db) -> Result<SiteSettings, AppError> {
    Ok(SiteSettings {
        site_name: get(db, &SITE_NAME).await?,
        currency: get(db, &CURRENCY).await?,
        tax_rate_bps: get(db, &TAX_RATE_BPS).await?,
        commission_rate_bps: get(db, &COMMISSION_RATE_BPS).await?,
    })
}

/// Whether `setting` has a stored value (rather than its default).
pub async fn is_stored<T>(db: &Db, setting: &Setting<T>) -> Result<bool, AppError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings WHERE key = $1")
        .bind(setting.key)
        .fetch_one(db.pool())
        .await?;
    Ok(count > 0)
}
