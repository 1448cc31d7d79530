//! What every handler can reach: the services (database, signer, throttle, events), the
//! configuration, the Leptos options and the API's request limits.
use crate::api::limit::ApiLimits;
use crate::config::Config;
use app::db::Db;
use app::platform::Services;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// The `/api/v1` request limits, as last read from the settings.
    pub api_limits: Arc<ApiLimits>,
}

impl AppState {
    pub fn db(&self) -> &Db {
        &self.services.db
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}
