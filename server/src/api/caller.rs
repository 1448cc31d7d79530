//! The caller of an API route, as the resolver middleware found it (`auth::resolve_caller`):
//! a bearer credential (access token or API key, with its scope) or, for the site's own
//! pages, the session cookie (already CSRF-checked by the router).

use crate::state::AppState;
use app::error::AppError;
use app::platform::caller::Caller;
use app::platform::identity::Actor;
use app::platform::request::Client;
use axum::extract::FromRequestParts;
use http::request::Parts;

/// The authenticated caller of an API route (`UNAUTHORIZED` for a guest, `INVALID_TOKEN` for
/// a refused credential).
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub actor: Actor,
    /// The browser session's id when the call came with the session cookie.
    pub session_id: Option<String>,
    pub client: Client,
}

/// The caller of a route guests may use too: `None` for a guest (a refused credential is
/// still `INVALID_TOKEN`).
#[derive(Debug, Clone)]
pub struct ApiViewer(pub Option<Actor>);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Ok(Self(caller(parts)?.viewer()?.cloned()))
    }
}

/// Where a call came from, whoever made it (for throttling sign-ins).
#[derive(Debug, Clone)]
pub struct ApiClient(pub Client);

fn caller(parts: &Parts) -> Result<&Caller, AppError> {
    parts.extensions.get::<Caller>().ok_or_else(|| {
        tracing::error!("the caller resolver did not run");
        AppError::Internal
    })
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Ok(Self(caller(parts)?.client().clone()))
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        let caller = caller(parts)?;
        Ok(Self {
            actor: caller.actor()?.clone(),
            session_id: caller.session_id().map(str::to_owned),
            client: caller.client().clone(),
        })
    }
}
