//! Server functions of the settings feature.
use super::model::{MoneySettings, SiteSettings};
use crate::error::AppError;
use leptos::prelude::*;

/// The site's public settings.
#[server(prefix = "/rpc", endpoint = "settings/site")]
pub async fn load_site_settings() -> Result<SiteSettings, AppError> {
    let services = crate::platform::context::services()?;
    super::service::site_settings(&services.db).await
}

/// The money settings (admins).
#[server(prefix = "/rpc", endpoint = "settings/money")]
pub async fn load_money_settings() -> Result<MoneySettings, AppError> {
    let actor = crate::platform::context::actor()?;
    let db = &crate::platform::context::services()?.db;
    super::service::money(db, actor.admin()?).await
}

/// Changes the money settings (admins): tax and commission in percent, the hold period in
/// days, the payout minimum in currency units. Every field is checked before any is stored;
/// each change is audited.
#[server(prefix = "/rpc", endpoint = "settings/money/update")]
pub async fn update_money_settings(
    tax_rate: String,
    commission_rate: String,
    earnings_hold_days: String,
    payout_minimum: String,
) -> Result<(), AppError> {
    let actor = crate::platform::context::actor()?;
    let services = crate::platform::context::services()?;
    let form = super::model::MoneyForm {
        tax_rate,
        commission_rate,
        earnings_hold_days,
        payout_minimum,
    };
    super::service::update_money(&services, actor.admin()?, &form).await?;
    leptos_axum::redirect("/admin?saved=1");
    Ok(())
}
