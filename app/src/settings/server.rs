//! Server functions of the settings feature.
use super::model::SiteSettings;
use crate::error::AppError;
use leptos::prelude::*;

/// The site's public settings.
#[server(prefix = "/rpc", endpoint = "settings/site")]
pub async fn load_site_settings() -> Result<SiteSettings, AppError> {
    let services = crate::platform::context::services()?;
    super::service::site_settings(&services.db).await
}
