//! Reading and changing settings. A change is validated, stored and audited in one transaction.

use super::model::{
    COMMISSION_RATE_BPS, CURRENCY, EARNINGS_HOLD_DAYS, MoneyForm, MoneySettings, PAYOUT_MINIMUM,
    SITE_NAME, Setting, SettingValue, SiteSettings, TAX_RATE_BPS, typed_percent,
};
use crate::audit::service::{NewEntry, record};
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::Admin;
use crate::platform::tx::Tx;
use crate::platform::types::Timestamp;
use sqlx::AnyConnection;
use std::collections::HashMap;

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
    Ok(value_of(setting, stored.as_deref()))
}

/// `setting`'s value from its stored JSON, or its default (see [`get`]).
fn value_of<T: SettingValue>(setting: &Setting<T>, stored: Option<&str>) -> T {
    match stored {
        None => (setting.default)(),
        Some(json) => serde_json::from_str(json).unwrap_or_else(|error| {
            tracing::warn!(key = setting.key, %error, "stored setting is unreadable; using the default");
            (setting.default)()
        }),
    }
}

/// Every stored setting as read at one moment, for code that needs several: one query
/// instead of one each. The table holds at most one row per setting Agora defines.
pub struct Snapshot(HashMap<String, String>);

impl Snapshot {
    /// `setting`'s value in this snapshot (see [`get`]).
    pub fn get<T: SettingValue>(&self, setting: &Setting<T>) -> T {
        value_of(setting, self.0.get(setting.key).map(String::as_str))
    }
}

/// Every setting, in one query.
pub async fn snapshot(db: &Db) -> Result<Snapshot, AppError> {
    let mut conn = db.pool().acquire().await?;
    snapshot_in(&mut conn).await
}

/// [`snapshot`] through `conn` — inside a transaction, so it needs no second connection.
pub async fn snapshot_in(conn: &mut AnyConnection) -> Result<Snapshot, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings")
        .fetch_all(conn)
        .await?;
    Ok(Snapshot(rows.into_iter().collect()))
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
    let mut tx = Tx::begin(services).await?;
    set_in(&mut tx, admin, setting, &value, ip).await?;
    tx.commit().await
}

/// Stores an already checked `value` inside `tx`, with its audit entry.
async fn set_in<T: SettingValue>(
    tx: &mut Tx,
    admin: Admin<'_>,
    setting: &Setting<T>,
    value: &T,
    ip: Option<String>,
) -> Result<(), AppError> {
    let json = serde_json::to_string(value).map_err(|_| AppError::Internal)?;
    let old: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(setting.key)
        .fetch_optional(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(setting.key)
    .bind(&json)
    .bind(Timestamp::now())
    .execute(&mut **tx)
    .await?;
    let details = serde_json::json!({
        "old": old.and_then(|o| serde_json::from_str::<serde_json::Value>(&o).ok()),
        "new": serde_json::from_str::<serde_json::Value>(&json).unwrap_or_default(),
    });
    record(
        tx,
        NewEntry {
            actor: admin.actor().audit_label(),
            action: "settings.update",
            target: Some(format!("setting:{}", setting.key)),
            details,
            ip,
        },
    )
    .await
}

/// The money settings, for the admin dashboard's form (admins).
pub async fn money(db: &Db, _admin: Admin<'_>) -> Result<MoneySettings, AppError> {
    let settings = snapshot(db).await?;
    Ok(MoneySettings {
        tax_rate_bps: settings.get(&TAX_RATE_BPS),
        commission_rate_bps: settings.get(&COMMISSION_RATE_BPS),
        earnings_hold_days: settings.get(&EARNINGS_HOLD_DAYS),
        payout_minimum: settings.get(&PAYOUT_MINIMUM),
        currency: settings.get(&CURRENCY),
    })
}

/// The value of one form field, or its problem recorded under `field`.
fn field<T>(problems: &mut Vec<FieldError>, field: &str, value: Result<T, String>) -> Option<T> {
    value
        .map_err(|message| problems.push(FieldError::new(field, message)))
        .ok()
}

/// Changes the money settings from the admin dashboard's form, all or none (admins): every
/// field is read and checked first, each problem named; then all four are stored, audited,
/// in one transaction.
pub async fn update_money(
    services: &Services,
    admin: Admin<'_>,
    form: &MoneyForm,
) -> Result<(), AppError> {
    let mut problems = Vec::new();
    let checked = |setting: &Setting<u32>, value: Result<u32, String>| {
        value.and_then(|v| (setting.check)(&v).map(|()| v))
    };
    let tax = checked(&TAX_RATE_BPS, typed_percent(&form.tax_rate));
    let tax = field(&mut problems, "tax_rate_bps", tax);
    let commission = checked(&COMMISSION_RATE_BPS, typed_percent(&form.commission_rate));
    let commission = field(&mut problems, "commission_rate_bps", commission);
    let hold = form
        .earnings_hold_days
        .trim()
        .parse::<u32>()
        .map_err(|_| "Use a whole number of days.".to_owned());
    let hold = field(
        &mut problems,
        "earnings_hold_days",
        checked(&EARNINGS_HOLD_DAYS, hold),
    );
    let minimum = crate::catalog::rules::typed_amount(&form.payout_minimum)
        .and_then(|v| (PAYOUT_MINIMUM.check)(&v).map(|()| v));
    let minimum = field(&mut problems, "payout_minimum", minimum);
    let (Some(tax), Some(commission), Some(hold), Some(minimum)) = (tax, commission, hold, minimum)
    else {
        return Err(AppError::Validation(problems));
    };
    let mut tx = Tx::begin(services).await?;
    set_in(&mut tx, admin, &TAX_RATE_BPS, &tax, None).await?;
    set_in(&mut tx, admin, &COMMISSION_RATE_BPS, &commission, None).await?;
    set_in(&mut tx, admin, &EARNINGS_HOLD_DAYS, &hold, None).await?;
    set_in(&mut tx, admin, &PAYOUT_MINIMUM, &minimum, None).await?;
    tx.commit().await
}

/// The site's public settings in one value.
pub async fn site_settings(db: &Db) -> Result<SiteSettings, AppError> {
    let settings = snapshot(db).await?;
    Ok(SiteSettings {
        site_name: settings.get(&SITE_NAME),
        currency: settings.get(&CURRENCY),
        tax_rate_bps: settings.get(&TAX_RATE_BPS),
        commission_rate_bps: settings.get(&COMMISSION_RATE_BPS),
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
