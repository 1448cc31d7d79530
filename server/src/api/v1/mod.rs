//! Version 1 of the JSON API: its router and its OpenAPI document.

pub mod admin;
pub mod auth;
pub mod site;
pub mod users;

use crate::state::AppState;
use app::envelope::{ErrorEnvelope, Meta, Pagination};
use app::error::{AppError, FieldError};
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use http::header;
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Agora API",
        version = "1",
        description = "The JSON API of the Agora marketplace. Every response is an envelope: \
            `{success, data, pagination?, meta: {requestId, timestamp}}` on success and \
            `{success: false, error: {code, message, details: [{field, message}]}, meta}` on failure."
    ),
    paths(
        site::get_site,
        auth::register, auth::login, auth::refresh, auth::logout, auth::me,
        auth::forgot_password, auth::reset_password,
        users::get_me, users::patch_me, users::sessions, users::end_session,
        users::api_keys, users::create_api_key, users::revoke_api_key,
        admin::list_users, admin::get_user, admin::patch_user,
    ),
    components(schemas(ErrorEnvelope, Meta, Pagination, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "site", description = "The marketplace itself"),
        (name = "auth", description = "Accounts and the token pair flow"),
        (name = "users", description = "The caller's profile, sessions and API keys"),
        (name = "admin", description = "Staff tools"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme: an access token from `/auth/login` or a personal API key.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token from `POST /auth/login` or a personal API key (`agora_…`).",
                    ))
                    .build(),
            ),
        );
    }
}

/// `/api/v1`: every route, and the 404 envelope for unknown paths.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/site", get(site::get_site))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/auth/forgot-password", post(auth::forgot_password))
        .route("/auth/reset-password", post(auth::reset_password))
        .route("/users/me", get(users::get_me).patch(users::patch_me))
        .route("/users/me/sessions", get(users::sessions))
        .route("/users/me/sessions/{id}", delete(users::end_session))
        .route(
            "/users/me/api-keys",
            get(users::api_keys).post(users::create_api_key),
        )
        .route("/users/me/api-keys/{id}", delete(users::revoke_api_key))
        .route("/admin/users", get(admin::list_users))
        .route(
            "/admin/users/{id}",
            get(admin::get_user).patch(admin::patch_user),
        )
        .fallback(not_found)
}

/// The OpenAPI document, serialised once.
async fn openapi_json() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str())
}

async fn not_found() -> AppError {
    AppError::NotFound("This API route".into())
}
