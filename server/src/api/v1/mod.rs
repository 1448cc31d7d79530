//! Version 1 of the JSON API: its router and its OpenAPI document.

pub mod site;

use crate::state::AppState;
use app::envelope::{ErrorEnvelope, Meta, Pagination};
use app::error::{AppError, FieldError};
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
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
    paths(site::get_site),
    components(schemas(ErrorEnvelope, Meta, Pagination, FieldError)),
    tags((name = "site", description = "The marketplace itself"))
)]
pub struct ApiDoc;

/// `/api/v1`: every route, and the 404 envelope for unknown paths.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/site", get(site::get_site))
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
