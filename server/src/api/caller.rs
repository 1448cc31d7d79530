//! Who is calling the API: a bearer credential (access token or API key) or, for the site's
//! own pages, the session cookie (already CSRF-checked by the router).

use crate::state::AppState;
use app::auth::credentials::authenticate_bearer;
use app::auth::model::{Actor, KeyScope};
use app::auth::service::Client;
use app::auth::session::AuthSession;
use app::error::AppError;
use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;
use http::{HeaderMap, Method, header};
use std::net::SocketAddr;

/// The authenticated caller of an API route.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub actor: Actor,
    /// The browser session's id when the call came with the session cookie.
    pub session_id: Option<String>,
    pub client: Client,
}

/// Where an unauthenticated call came from (for throttling sign-ins).
#[derive(Debug, Clone)]
pub struct ApiClient(pub Client);

fn client_of(parts: &Parts) -> Client {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
    Client::of_request(&parts.headers, peer.map(|ConnectInfo(addr)| *addr))
}

/// The bearer credential of a request, if it has an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Ok(Self(client_of(parts)))
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let client = client_of(parts);
        if let Some(credential) = bearer(&parts.headers) {
            let auth = authenticate_bearer(&state.services, credential).await?;
            let writes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if writes && auth.key_scope == Some(KeyScope::Read) {
                return Err(AppError::Forbidden);
            }
            return Ok(Self {
                actor: Actor::User(auth.principal),
                session_id: None,
                client,
            });
        }
        let session = parts
            .extensions
            .get::<AuthSession>()
            .ok_or(AppError::Unauthorized)?;
        let user = session.user.as_ref().ok_or(AppError::Unauthorized)?;
        Ok(Self {
            actor: Actor::User(user.principal.clone()),
            session_id: session.session.id().map(|id| id.to_string()),
            client,
        })
    }
}
