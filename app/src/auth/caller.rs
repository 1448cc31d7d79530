//! The one place a request's caller is resolved: from an `Authorization: Bearer` credential
//! (an access token, or an API key carrying its scope) or else from the session cookie. The
//! server runs [`resolve`] once per request, in a middleware, and keeps the answer in the
//! request's extensions (`platform::caller::Caller`), where pages, server functions, the API
//! and uploads all read it. Nothing else makes an `Actor` from a request.

use super::credentials::authenticate_bearer;
use super::model::KeyScope;
use super::session::AuthSession;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::caller::Caller;
use crate::platform::identity::{Access, Actor};
use crate::platform::request::Client;
use axum::extract::ConnectInfo;
use http::request::Parts;
use http::{HeaderMap, header};
use std::net::SocketAddr;

/// The longest bearer credential looked at (access tokens are ~300 characters, keys ~50);
/// anything longer is refused before it is hashed or parsed.
const MAX_CREDENTIAL_LEN: usize = 1024;

/// Who is calling. A bearer credential wins over the cookie; a refused one makes the caller
/// carry the refusal (`INVALID_TOKEN`), never a fallback to the cookie.
pub async fn resolve(services: &Services, parts: &Parts) -> Caller {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
    let client = Client::of_request(
        &parts.headers,
        peer.map(|ConnectInfo(addr)| addr.ip()),
        &services.proxies,
    );
    if let Some(credential) = bearer(&parts.headers) {
        let identity = if credential.is_empty() || credential.len() > MAX_CREDENTIAL_LEN {
            Err(AppError::InvalidToken)
        } else {
            authenticate_bearer(services, credential).await.map(|auth| {
                let access = match auth.key_scope {
                    Some(KeyScope::Read) => Access::ReadOnly,
                    Some(KeyScope::ReadWrite) => Access::KeyReadWrite,
                    None => Access::Full,
                };
                Some(Actor::signed_in(auth.principal, access))
            })
        };
        return Caller::new(identity, None, client);
    }
    let session = parts.extensions.get::<AuthSession>();
    let actor = session
        .and_then(|session| session.user.as_ref())
        .map(|user| Actor::signed_in(user.principal.clone(), Access::Full));
    let session_id = session
        .and_then(|session| session.session.id())
        .map(|id| id.to_string());
    Caller::new(Ok(actor), session_id, client)
}

/// The bearer credential of a request, if it has an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}
