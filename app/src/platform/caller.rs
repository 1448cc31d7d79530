//! The caller of a request, resolved once — from the session cookie, an access token or an
//! API key — by the server's resolver middleware (which runs `auth::caller::resolve`) and
//! kept in the request's extensions. Pages, server functions, `/api/v1` handlers and uploads
//! all read it from there, so there is one answer to "who is this" per request.

use super::identity::Actor;
use super::request::Client;
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct Caller {
    /// `Ok(None)` for a guest; an error when a credential was presented and refused.
    identity: Result<Option<Actor>, AppError>,
    session_id: Option<String>,
    client: Client,
}

impl Caller {
    /// Made only by the resolver (`auth::caller`).
    pub(crate) fn new(
        identity: Result<Option<Actor>, AppError>,
        session_id: Option<String>,
        client: Client,
    ) -> Self {
        Self {
            identity,
            session_id,
            client,
        }
    }

    /// The signed-in actor; `UNAUTHORIZED` for a guest, or why the credential was refused.
    pub fn actor(&self) -> Result<&Actor, AppError> {
        match &self.identity {
            Ok(Some(actor)) => Ok(actor),
            Ok(None) => Err(AppError::Unauthorized),
            Err(error) => Err(error.clone()),
        }
    }

    /// The signed-in actor, or `None` for a guest, on a route guests may use too; a refused
    /// credential is still refused.
    pub fn viewer(&self) -> Result<Option<&Actor>, AppError> {
        match &self.identity {
            Ok(actor) => Ok(actor.as_ref()),
            Err(error) => Err(error.clone()),
        }
    }

    /// Whether someone is signed in (a refused credential counts as a guest).
    pub fn is_signed_in(&self) -> bool {
        matches!(self.identity, Ok(Some(_)))
    }

    /// The browser session's id, when the caller came with the session cookie.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
