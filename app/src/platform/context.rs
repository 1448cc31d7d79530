//! What a server function or a page render needs from the request it serves: the services
//! and the resolved caller. (Leptos provides the request's `Parts` to both.)

use super::Services;
use super::caller::Caller;
use super::identity::Actor;
use super::request::Client;
use crate::error::AppError;
use leptos::prelude::use_context;

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| missing("services"))
}

/// The request's caller, as the resolver middleware found it.
pub fn caller() -> Result<Caller, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().cloned())
        .ok_or_else(|| missing("caller"))
}

/// The signed-in actor, or `UNAUTHORIZED`.
pub fn actor() -> Result<Actor, AppError> {
    caller()?.actor().cloned()
}

pub fn client() -> Client {
    caller().map(|c| c.client().clone()).unwrap_or_default()
}

fn missing(what: &str) -> AppError {
    tracing::error!(what, "request context is missing");
    AppError::Internal
}
