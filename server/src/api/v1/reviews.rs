//! Reviews: a product's (`/products/{id}/reviews`), one's own (`/reviews/{id}`), the vendor's
//! reply, and staff moderation (`/admin/reviews`).

use super::params::{
    limit_schema, number, order_schema, page_schema, stars, stars_schema, window, words,
};
use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::catalog::model::{ReplyInput, Review, ReviewChanges, ReviewInput, ReviewSort};
use app::catalog::reviews::{self, ReviewQuery};
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::{AppError, FieldError};
use app::platform::paging::Window;
use app::platform::types::Id;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::openapi::schema::Object;

fn review_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The review")
}

fn product_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The product")
}

/// A product's review list: `filter[rating]`, `sort`, `order`, `page`, `limit`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ReviewListParams {
    /// Only reviews with this many stars.
    #[serde(rename = "filter[rating]")]
    #[param(rename = "filter[rating]", schema_with = stars_schema)]
    pub rating: Option<String>,
    /// `newest` (the default) or `rating`.
    #[param(value_type = Option<ReviewSort>)]
    pub sort: Option<String>,
    /// `desc` (the default: newest or highest first) or `asc`.
    #[param(schema_with = order_schema)]
    pub order: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

/// A product's visible reviews.
#[utoipa::path(get, path = "/api/v1/products/{id}/reviews", tag = "catalog",
    params(("id" = String, Path, description = "The product's id"), ReviewListParams),
    responses((status = 200, description = "One page of reviews", body = Envelope<Vec<Review>>),
              (status = 400, description = "A bad filter, sort or page", body = ErrorEnvelope),
              (status = 404, description = "No such public product", body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<ReviewListParams>,
) -> Result<Envelope<Vec<Review>>, AppError> {
    let id = product_id(&id)?;
    let mut errors = Vec::new();
    let rating = stars(&mut errors, "filter[rating]", params.rating);
    let sort = params.sort.and_then(|s| {
        ReviewSort::parse(&s).or_else(|| {
            errors.push(FieldError::new("sort", "Sort by newest or rating."));
            None
        })
    });
    let ascending = params.order.and_then(|o| match o.as_str() {
        "asc" => Some(true),
        "desc" => Some(false),
        _ => {
            errors.push(FieldError::new("order", "Order asc or desc."));
            None
        }
    });
    let page = number(&mut errors, "page", params.page);
    let limit = number(&mut errors, "limit", params.limit);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let query = ReviewQuery {
        rating,
        sort,
        ascending,
    };
    let page = reviews::for_product(state.db(), &id, query, Window::new(page, limit)?).await?;
    Ok(Envelope::page(page))
}

/// Review a product you bought (one review per product).
#[utoipa::path(post, path = "/api/v1/products/{id}/reviews", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    request_body = ReviewInput,
    responses((status = 201, description = "The review", body = Envelope<Review>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 404, description = "No such public product", body = ErrorEnvelope),
              (status = 409, description = "Not bought, or already reviewed (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<(StatusCode, Envelope<Review>), AppError> {
    let id = product_id(&id)?;
    let review = reviews::create(&state.services, &caller.actor, &id, input).await?;
    Ok((StatusCode::CREATED, Envelope::ok(review)))
}

/// Change your review's stars or text.
#[utoipa::path(patch, path = "/api/v1/reviews/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    request_body = ReviewChanges,
    responses((status = 200, description = "The review", body = Envelope<Review>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 404, description = "No such review of yours", body = ErrorEnvelope)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<ReviewChanges>,
) -> Result<Envelope<Review>, AppError> {
    let id = review_id(&id)?;
    Ok(Envelope::ok(
        reviews::update(&state.services, &caller.actor, &id, changes).await?,
    ))
}

/// Delete your review.
#[utoipa::path(delete, path = "/api/v1/reviews/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such review of yours", body = ErrorEnvelope)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = review_id(&id)?;
    reviews::delete(&state.services, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reply to a review of one of your products (once).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/reply", tag = "vendors", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    request_body = ReplyInput,
    responses((status = 200, description = "The review with your reply", body = Envelope<Review>),
              (status = 400, description = "Invalid reply", body = ErrorEnvelope),
              (status = 404, description = "No such review of your products", body = ErrorEnvelope),
              (status = 409, description = "Already replied (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn reply(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> Result<Envelope<Review>, AppError> {
    let id = review_id(&id)?;
    Ok(Envelope::ok(
        reviews::reply(&state.services, &caller.actor, &id, &input.reply).await?,
    ))
}

/// The moderation list's query string (`filter[hidden]=true&page=2`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ModerationParams {
    /// Only hidden (`true`) or only visible (`false`) reviews.
    #[serde(rename = "filter[hidden]")]
    #[param(rename = "filter[hidden]", schema_with = flag_schema)]
    pub hidden: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

fn flag_schema() -> Object {
    words(["true", "false"])
}

/// Every review, newest first (staff).
#[utoipa::path(get, path = "/api/v1/admin/reviews", tag = "admin", security(("bearer" = [])),
    params(ModerationParams),
    responses((status = 200, description = "One page of reviews", body = Envelope<Vec<Review>>),
              (status = 400, description = "Bad filter or page", body = ErrorEnvelope),
              (status = 403, description = "Not staff", body = ErrorEnvelope)))]
pub async fn moderation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<ModerationParams>,
) -> Result<Envelope<Vec<Review>>, AppError> {
    let mut errors = Vec::new();
    let hidden = params.hidden.and_then(|h| match h.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.push(FieldError::new("filter[hidden]", "Use true or false."));
            None
        }
    });
    let window = window(errors, params.page, params.limit)?;
    let page = reviews::for_staff(state.db(), caller.actor.staff()?, hidden, window).await?;
    Ok(Envelope::page(page))
}

/// Hide a review from its product's page and rating (staff).
#[utoipa::path(post, path = "/api/v1/admin/reviews/{id}/hide", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    responses((status = 200, description = "Hidden", body = Envelope<Review>),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such review", body = ErrorEnvelope)))]
pub async fn hide(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Review>, AppError> {
    let id = review_id(&id)?;
    let review = reviews::set_hidden(&state.services, caller.actor.staff()?, &id, true).await?;
    Ok(Envelope::ok(review))
}

/// Show a hidden review again (staff).
#[utoipa::path(post, path = "/api/v1/admin/reviews/{id}/unhide", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The review's id")),
    responses((status = 200, description = "Visible", body = Envelope<Review>),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such review", body = ErrorEnvelope)))]
pub async fn unhide(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Review>, AppError> {
    let id = review_id(&id)?;
    let review = reviews::set_hidden(&state.services, caller.actor.staff()?, &id, false).await?;
    Ok(Envelope::ok(review))
}
