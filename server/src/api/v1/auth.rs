//! `/api/v1/auth/*`: registration, the token pair flow and password recovery.

use crate::api::caller::{ApiCaller, ApiClient};
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::auth::caller::bearer;
use app::auth::credentials::{self, TokenPair};
use app::auth::model::{Registration, User};
use app::auth::service;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use axum::extract::State;
use http::HeaderMap;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ada@agora.test", "password": "Customer-Demo-2026"}))]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 128)]
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ada@agora.test"}))]
#[serde(rename_all = "camelCase")]
pub struct ForgotRequest {
    #[schema(schema_with = app::platform::types::email_schema)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetRequest {
    #[schema(min_length = 1, max_length = 128)]
    pub token: String,
    #[schema(schema_with = app::auth::validate::schema::password)]
    pub password: String,
}

/// A confirmation with a sentence for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

fn message(text: &str) -> Envelope<Message> {
    Envelope::ok(Message {
        message: text.to_owned(),
    })
}

/// Create an account and sign it in (returns a token pair).
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = Registration,
    responses(
        (status = 201, description = "Account created", body = Envelope<TokenPair>),
        (status = 400, description = "Invalid fields (`VALIDATION_ERROR` with `details`)", body = ErrorEnvelope),
        (status = 409, description = "The email is taken (`CONFLICT`)", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts (`RATE_LIMIT_EXCEEDED`, `Retry-After`)", body = ErrorEnvelope),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ApiClient(client): ApiClient,
    ApiJson(input): ApiJson<Registration>,
) -> Result<(StatusCode, Envelope<TokenPair>), AppError> {
    let (_, user) = service::register(&state.services, input, &client).await?;
    let pair = credentials::issue_tokens(&state.services, &user, &client).await?;
    Ok((StatusCode::CREATED, Envelope::ok(pair)))
}

/// Sign in with email and password: a short-lived access token and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = Envelope<TokenPair>),
        (status = 401, description = "Wrong email or password (`INVALID_CREDENTIALS`)", body = ErrorEnvelope),
        (status = 403, description = "The account is suspended (`FORBIDDEN`)", body = ErrorEnvelope),
        (status = 429, description = "Too many attempts (`RATE_LIMIT_EXCEEDED`, `Retry-After`)", body = ErrorEnvelope),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ApiClient(client): ApiClient,
    ApiJson(input): ApiJson<LoginRequest>,
) -> Result<Envelope<TokenPair>, AppError> {
    let (_, user) = service::log_in(
        &state.services,
        &input.email,
        &input.password,
        &client,
        None,
    )
    .await?;
    Ok(Envelope::ok(
        credentials::issue_tokens(&state.services, &user, &client).await?,
    ))
}

/// Trade a refresh token for a new pair. Each refresh token works once; presenting a used one
/// revokes every token of that sign-in.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = Envelope<TokenPair>),
        (status = 401, description = "Unknown, expired, used or revoked (`INVALID_TOKEN`)", body = ErrorEnvelope),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiClient(client): ApiClient,
    ApiJson(input): ApiJson<RefreshRequest>,
) -> Result<Envelope<TokenPair>, AppError> {
    Ok(Envelope::ok(
        credentials::refresh(&state.services, &input.refresh_token, &client).await?,
    ))
}

/// End the sign-in the access token belongs to (its refresh token stops working too).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed out", body = Envelope<Message>),
        (status = 401, description = "No valid access token (`UNAUTHORIZED` / `INVALID_TOKEN`)", body = ErrorEnvelope),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Envelope<Message>, AppError> {
    let token = bearer(&headers).ok_or(AppError::Unauthorized)?;
    credentials::log_out_tokens(&state.services, token).await?;
    Ok(message("Signed out."))
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Envelope<User>),
        (status = 401, description = "Not signed in", body = ErrorEnvelope),
    ))]
pub async fn me(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<User>, AppError> {
    Ok(Envelope::ok(service::me(state.db(), &caller.actor).await?))
}

/// Email a password-reset link. Answers the same whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth", request_body = ForgotRequest,
    responses(
        (status = 200, description = "Accepted", body = Envelope<Message>),
        (status = 400, description = "Not an email address", body = ErrorEnvelope),
        (status = 429, description = "Too many requests", body = ErrorEnvelope),
    ))]
pub async fn forgot_password(
    State(state): State<AppState>,
    ApiClient(client): ApiClient,
    ApiJson(input): ApiJson<ForgotRequest>,
) -> Result<Envelope<Message>, AppError> {
    service::forgot_password(&state.services, &input.email, &client).await?;
    Ok(message(
        "If an account exists for this address, an email is on its way.",
    ))
}

/// Set a new password with the token from a reset email; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = ResetRequest,
    responses(
        (status = 200, description = "Password changed", body = Envelope<Message>),
        (status = 400, description = "The password breaks the policy", body = ErrorEnvelope),
        (status = 401, description = "Unknown, used or expired token (`INVALID_TOKEN`)", body = ErrorEnvelope),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiClient(client): ApiClient,
    ApiJson(input): ApiJson<ResetRequest>,
) -> Result<Envelope<Message>, AppError> {
    service::reset_password(&state.services, &input.token, input.password, &client).await?;
    Ok(message(
        "Your password was changed. Sign in with the new one.",
    ))
}
