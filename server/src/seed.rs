//! `agora seed [--demo]`: data a fresh installation starts with. Idempotent: running it again
//! changes nothing. Later features add their demo data here.

use app::auth::model::Actor;
use app::db::Db;
use app::error::AppError;
use app::settings::model::{SITE_NAME, Setting, SettingValue, TAX_RATE_BPS};
use app::settings::service as settings;

/// What the seed changed, for the command to print.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub changed: Vec<String>,
}

pub async fn run(db: &Db, demo: bool) -> Result<SeedReport, AppError> {
    let mut report = SeedReport::default();
    if demo {
        set_once(db, &mut report, &SITE_NAME, "Agora Demo Market".to_owned()).await?;
        set_once(db, &mut report, &TAX_RATE_BPS, 825).await?;
    }
    Ok(report)
}

/// Stores `value` only when the setting was never stored, so an operator's change survives a
/// second seed.
async fn set_once<T: SettingValue + std::fmt::Debug>(
    db: &Db,
    report: &mut SeedReport,
    setting: &Setting<T>,
    value: T,
) -> Result<(), AppError> {
    if settings::is_stored(db, setting).await? {
        return Ok(());
    }
    report
        .changed
        .push(format!("setting {} = {value:?}", setting.key));
    settings::set(db, &Actor::System, setting, value, None).await
}
