//! `GET /api/v1/site`: what a client needs to know about the marketplace (name, currency, rates).

use crate::state::AppState;
use app::envelope::Envelope;
use app::error::AppError;
use app::settings::model::SiteSettings;
use axum::extract::State;

/// The marketplace's public settings.
#[utoipa::path(
    get,
    path = "/api/v1/site",
    tag = "site",
    responses(
        (status = 200, description = "The site's public settings", body = Envelope<SiteSettings>),
        (status = 503, description = "The database is unavailable", body = app::envelope::ErrorEnvelope),
    )
)]
pub async fn get_site(State(state): State<AppState>) -> Result<Envelope<SiteSettings>, AppError> {
    Ok(Envelope::ok(
        app::settings::service::site_settings(state.db()).await?,
    ))
}
