//! `/api/v1/users/me/*`: the caller's profile, browser sessions and API keys.

use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::auth::credentials;
use app::auth::model::{ApiKeyInfo, KeyScope, NewApiKey, ProfileChanges, SessionInfo, User};
use app::auth::service;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::platform::types::Id;
use axum::extract::{Path, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// The caller's profile.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The profile", body = Envelope<User>),
              (status = 401, description = "Not signed in", body = ErrorEnvelope)))]
pub async fn get_me(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<User>, AppError> {
    Ok(Envelope::ok(service::me(state.db(), &caller.actor).await?))
}

/// Change profile fields; absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = ProfileChanges,
    responses((status = 200, description = "The updated profile", body = Envelope<User>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 403, description = "A read-only API key", body = ErrorEnvelope)))]
pub async fn patch_me(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(changes): ApiJson<ProfileChanges>,
) -> Result<Envelope<User>, AppError> {
    Ok(Envelope::ok(
        service::update_profile(state.db(), &caller.actor, changes).await?,
    ))
}

/// The caller's signed-in browsers.
#[utoipa::path(get, path = "/api/v1/users/me/sessions", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Sessions, most recently active first", body = Envelope<Vec<SessionInfo>>)))]
pub async fn sessions(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<Vec<SessionInfo>>, AppError> {
    Ok(Envelope::ok(
        credentials::sessions(
            state.db(),
            &caller.actor,
            &caller.actor.user()?.id,
            caller.session_id.as_deref(),
        )
        .await?,
    ))
}

/// Sign one browser session out.
#[utoipa::path(delete, path = "/api/v1/users/me/sessions/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "The session's id from the list")),
    responses((status = 204, description = "Signed out"),
              (status = 404, description = "No such session", body = ErrorEnvelope)))]
pub async fn end_session(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    credentials::end_session(&state.services, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Inventory sync", "scope": "read"}))]
#[serde(rename_all = "camelCase")]
pub struct NewKeyRequest {
    #[schema(schema_with = app::auth::validate::schema::key_name)]
    pub name: String,
    pub scope: KeyScope,
}

/// The caller's API keys (without their secrets).
#[utoipa::path(get, path = "/api/v1/users/me/api-keys", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Live keys, newest first", body = Envelope<Vec<ApiKeyInfo>>)))]
pub async fn api_keys(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<Vec<ApiKeyInfo>>, AppError> {
    Ok(Envelope::ok(
        credentials::api_keys(state.db(), &caller.actor).await?,
    ))
}

/// Create an API key. The `key` in the answer is shown this once; only its hash is kept.
#[utoipa::path(post, path = "/api/v1/users/me/api-keys", tag = "users", security(("bearer" = [])),
    request_body = NewKeyRequest,
    responses((status = 201, description = "The new key", body = Envelope<NewApiKey>),
              (status = 400, description = "Invalid name or scope", body = ErrorEnvelope),
              (status = 403, description = "An API key cannot create keys: use a session or an access token", body = ErrorEnvelope),
              (status = 409, description = "The account already has 25 live keys (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn create_api_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NewKeyRequest>,
) -> Result<(StatusCode, Envelope<NewApiKey>), AppError> {
    let key =
        credentials::create_api_key(state.db(), &caller.actor, &input.name, input.scope).await?;
    Ok((StatusCode::CREATED, Envelope::ok(key)))
}

/// Revoke an API key.
#[utoipa::path(delete, path = "/api/v1/users/me/api-keys/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "The key's id")),
    responses((status = 204, description = "Revoked"),
              (status = 404, description = "No such key", body = ErrorEnvelope)))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = Id::parse_or_not_found(&id, "The API key")?;
    credentials::revoke_api_key(state.db(), &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
