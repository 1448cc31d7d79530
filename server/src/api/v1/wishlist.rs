//! The caller's wishlist: `GET/POST /users/me/wishlist`, `DELETE /users/me/wishlist/{productId}`.

use super::products::PageParams;
use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::catalog::model::Product;
use app::catalog::wishlist;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::platform::types::Id;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// A product to save.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"productId": "00000000-0000-0000-0000-000000000000"}))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WishlistItem {
    /// An active product's id.
    #[schema(max_length = 64)]
    pub product_id: String,
}

/// Your saved products that are on sale, most recently saved first.
#[utoipa::path(get, path = "/api/v1/users/me/wishlist", tag = "users", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "One page of products", body = Envelope<Vec<Product>>),
              (status = 400, description = "Bad page", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<PageParams>,
) -> Result<Envelope<Vec<Product>>, AppError> {
    let page = wishlist::list(state.db(), &caller.actor, params.window()?).await?;
    Ok(Envelope::page(page))
}

/// Save an active product (saving it again changes nothing; at most 500).
#[utoipa::path(post, path = "/api/v1/users/me/wishlist", tag = "users", security(("bearer" = [])),
    request_body = WishlistItem,
    responses((status = 204, description = "Saved"),
              (status = 404, description = "No such public product", body = ErrorEnvelope),
              (status = 409, description = "The wishlist is full (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(item): ApiJson<WishlistItem>,
) -> Result<StatusCode, AppError> {
    let id = Id::parse_or_not_found(&item.product_id, "The product")?;
    wishlist::add(&state.services, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a product off your wishlist (one that is not on it changes nothing).
#[utoipa::path(delete, path = "/api/v1/users/me/wishlist/{productId}", tag = "users",
    security(("bearer" = [])),
    params(("productId" = String, Path, description = "The product's id")),
    responses((status = 204, description = "Not on the wishlist any more")))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(product): Path<String>,
) -> Result<StatusCode, AppError> {
    // An id that cannot exist is on no wishlist: nothing to remove.
    if let Some(id) = Id::parse(&product) {
        wishlist::remove(&state.services, &caller.actor, &id).await?;
    } else {
        caller.actor.writer()?;
    }
    Ok(StatusCode::NO_CONTENT)
}
