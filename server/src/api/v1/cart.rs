//! The caller's cart: `GET/DELETE /cart`, `POST /cart/items`, `DELETE /cart/items/{productId}`.

use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::cart::model::Cart;
use app::cart::service as cart;
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::platform::types::Id;
use axum::extract::{Path, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// A product to buy.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"productId": "00000000-0000-0000-0000-000000000000"}))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CartItem {
    /// An active product's id.
    #[schema(max_length = 64)]
    pub product_id: String,
}

/// Your cart at today's prices: each line (flagged when it can no longer be bought), the
/// subtotal of the available ones, the tax and the total.
#[utoipa::path(get, path = "/api/v1/cart", tag = "cart", security(("bearer" = [])),
    responses((status = 200, description = "The cart", body = Envelope<Cart>)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Envelope<Cart>, AppError> {
    Ok(Envelope::ok(cart::view(state.db(), &caller.actor).await?))
}

/// Put an active product in your cart: one of each, never one you own or sell, at most 50.
#[utoipa::path(post, path = "/api/v1/cart/items", tag = "cart", security(("bearer" = [])),
    request_body = CartItem,
    responses((status = 201, description = "The cart with the product in it", body = Envelope<Cart>),
              (status = 404, description = "No such public product", body = ErrorEnvelope),
              (status = 409, description = "In the cart already, owned, your own, or the cart is full (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn add(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(item): ApiJson<CartItem>,
) -> Result<(StatusCode, Envelope<Cart>), AppError> {
    let id = Id::parse_or_not_found(&item.product_id, "The product")?;
    cart::add(&state.services, &caller.actor, &id).await?;
    Ok((
        StatusCode::CREATED,
        Envelope::ok(cart::view(state.db(), &caller.actor).await?),
    ))
}

/// Take a product out of your cart (one that is not in it changes nothing).
#[utoipa::path(delete, path = "/api/v1/cart/items/{productId}", tag = "cart",
    security(("bearer" = [])),
    params(("productId" = String, Path, description = "The product's id")),
    responses((status = 204, description = "Not in the cart any more")))]
pub async fn remove(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(product): Path<String>,
) -> Result<StatusCode, AppError> {
    // An id that cannot exist is in no cart: nothing to remove.
    if let Some(id) = Id::parse(&product) {
        cart::remove(&state.services, &caller.actor, &id).await?;
    } else {
        caller.actor.writer()?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Empty your cart.
#[utoipa::path(delete, path = "/api/v1/cart", tag = "cart", security(("bearer" = [])),
    responses((status = 204, description = "The cart is empty")))]
pub async fn clear(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<StatusCode, AppError> {
    cart::clear(&state.services, &caller.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
