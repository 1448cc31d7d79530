//! Products: the vendor's own (`/vendors/me/products/*`), the staff review
//! (`/admin/products/*`), and one product for everyone (`/products/{idOrSlug}`).

use super::params::{
    amount_schema, limit_schema, money, number, order_schema, page_schema, search_schema,
    slug_schema, stars, stars_schema, window,
};
use super::vendors::Rejection;
use crate::api::caller::{ApiCaller, ApiViewer};
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::catalog::model::{
    BrowseQuery, Product, ProductInput, ProductSort, ProductStatus, QueueFilter,
};
use app::catalog::products;
use app::catalog::rules::PRICE_MAX;
use app::envelope::{Envelope, ErrorEnvelope, SharedItems};
use app::error::{AppError, FieldError};
use app::platform::paging::Window;
use app::platform::types::Id;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::openapi::schema::Object;

/// A page of a list (`page`, `limit`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct PageParams {
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

impl PageParams {
    pub fn window(self) -> Result<Window, AppError> {
        super::params::window(Vec::new(), self.page, self.limit)
    }
}

fn product_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The product")
}

/// The caller's products, every status, newest first (approved vendors).
#[utoipa::path(get, path = "/api/v1/vendors/me/products", tag = "vendors", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "One page of products", body = Envelope<Vec<Product>>),
              (status = 400, description = "Bad page", body = ErrorEnvelope),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope)))]
pub async fn mine(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<PageParams>,
) -> Result<Envelope<Vec<Product>>, AppError> {
    Ok(Envelope::page(
        products::mine(state.db(), &caller.actor, params.window()?).await?,
    ))
}

/// Create a product, as a draft (approved vendors).
#[utoipa::path(post, path = "/api/v1/vendors/me/products", tag = "vendors", security(("bearer" = [])),
    request_body = ProductInput,
    responses((status = 201, description = "The draft", body = Envelope<Product>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such category", body = ErrorEnvelope),
              (status = 409, description = "The address is taken (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<(StatusCode, Envelope<Product>), AppError> {
    let product = products::create(&state.services, &caller.actor, input).await?;
    Ok((StatusCode::CREATED, Envelope::ok(product)))
}

/// Change one of the caller's products; a rejected one goes back to draft. An absent or empty
/// `slug` keeps the current address.
#[utoipa::path(put, path = "/api/v1/vendors/me/products/{id}", tag = "vendors", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    request_body = ProductInput,
    responses((status = 200, description = "The product", body = Envelope<Product>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours, or no such category", body = ErrorEnvelope),
              (status = 409, description = "Being reviewed, or the address is taken (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<Envelope<Product>, AppError> {
    let id = product_id(&id)?;
    Ok(Envelope::ok(
        products::update(&state.services, &caller.actor, &id, input).await?,
    ))
}

/// Delete one of the caller's drafts or rejected products.
#[utoipa::path(delete, path = "/api/v1/vendors/me/products/{id}", tag = "vendors", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    responses((status = 204, description = "Deleted"),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours", body = ErrorEnvelope),
              (status = 409, description = "Submitted or live (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = product_id(&id)?;
    products::delete(&state.services, &caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submit a draft or rejected product for review.
#[utoipa::path(post, path = "/api/v1/vendors/me/products/{id}/submit", tag = "vendors", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    responses((status = 200, description = "Pending review", body = Envelope<Product>),
              (status = 403, description = "Not an approved vendor", body = ErrorEnvelope),
              (status = 404, description = "No such product of yours", body = ErrorEnvelope),
              (status = 409, description = "Not a draft or rejected (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Product>, AppError> {
    let id = product_id(&id)?;
    Ok(Envelope::ok(
        products::submit(&state.services, &caller.actor, &id).await?,
    ))
}

/// One product by id or slug: an active one for everyone; others for their vendor and staff.
#[utoipa::path(get, path = "/api/v1/products/{idOrSlug}", tag = "catalog",
    params(("idOrSlug" = String, Path, description = "The product's id or slug")),
    responses((status = 200, description = "The product", body = Envelope<Product>),
              (status = 404, description = "No such product, or not public", body = ErrorEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(key): Path<String>,
) -> Result<Envelope<Product>, AppError> {
    Ok(Envelope::ok(
        products::get(state.db(), viewer.as_ref(), &key).await?,
    ))
}

/// The review queue's query string (`filter[status]=pending&page=2`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ReviewParams {
    /// Only products in this state.
    #[serde(rename = "filter[status]")]
    #[param(rename = "filter[status]", value_type = Option<ProductStatus>)]
    pub status: Option<String>,
    /// Only this storefront's products (its slug).
    #[serde(rename = "filter[vendor]")]
    #[param(rename = "filter[vendor]", schema_with = slug_schema)]
    pub vendor: Option<String>,
    /// Only this category's products, its subcategories included (its slug).
    #[serde(rename = "filter[category]")]
    #[param(rename = "filter[category]", schema_with = slug_schema)]
    pub category: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

/// The storefront's product list: `search` (ranked full-text over titles, summaries,
/// descriptions and tags), `filter[category]` (with its subcategories), `filter[vendor]`,
/// `filter[tag]`, `filter[minPrice]`/`filter[maxPrice]` (minor units), `sort` and `order`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct BrowseParams {
    /// Words to find; each matches as a prefix, all are required.
    #[param(schema_with = search_schema)]
    pub search: Option<String>,
    /// A category's slug (its subcategories' products too).
    #[serde(rename = "filter[category]")]
    #[param(rename = "filter[category]", schema_with = slug_schema)]
    pub category: Option<String>,
    /// A storefront's slug.
    #[serde(rename = "filter[vendor]")]
    #[param(rename = "filter[vendor]", schema_with = slug_schema)]
    pub vendor: Option<String>,
    #[serde(rename = "filter[tag]")]
    #[param(rename = "filter[tag]", schema_with = app::catalog::rules::schema::tag)]
    pub tag: Option<String>,
    /// The lowest price, in minor units (inclusive).
    #[serde(rename = "filter[minPrice]")]
    #[param(rename = "filter[minPrice]", schema_with = price_schema)]
    pub min_price: Option<String>,
    /// The highest price, in minor units (inclusive).
    #[serde(rename = "filter[maxPrice]")]
    #[param(rename = "filter[maxPrice]", schema_with = price_schema)]
    pub max_price: Option<String>,
    /// Products rated on average at least this many stars.
    #[serde(rename = "filter[minRating]")]
    #[param(rename = "filter[minRating]", schema_with = stars_schema)]
    pub min_rating: Option<String>,
    /// `relevance` (the default with a search), `newest` (otherwise), `price`, `rating` or
    /// `popularity`.
    #[param(value_type = Option<ProductSort>)]
    pub sort: Option<String>,
    /// `asc` or `desc`; the default is each sort's natural order (price ascending, the others
    /// descending; ignored for relevance).
    #[param(schema_with = order_schema)]
    pub order: Option<String>,
    #[param(schema_with = page_schema)]
    pub page: Option<String>,
    #[param(schema_with = limit_schema)]
    pub limit: Option<String>,
}

fn price_schema() -> Object {
    amount_schema(PRICE_MAX)
}

impl BrowseParams {
    fn into_query(self) -> Result<BrowseQuery, AppError> {
        let mut errors = Vec::new();
        let sort = self.sort.and_then(|s| {
            ProductSort::parse(&s).or_else(|| {
                errors.push(FieldError::new(
                    "sort",
                    "Sort by relevance, newest, price, rating or popularity.",
                ));
                None
            })
        });
        let ascending = self.order.and_then(|o| match o.as_str() {
            "asc" => Some(true),
            "desc" => Some(false),
            _ => {
                errors.push(FieldError::new("order", "Order asc or desc."));
                None
            }
        });
        let min_price = money(&mut errors, "filter[minPrice]", self.min_price);
        let max_price = money(&mut errors, "filter[maxPrice]", self.max_price);
        let min_rating = stars(&mut errors, "filter[minRating]", self.min_rating);
        let page = number(&mut errors, "page", self.page);
        let limit = number(&mut errors, "limit", self.limit);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(BrowseQuery {
            search: self.search,
            category: self.category,
            vendor: self.vendor,
            tag: self.tag,
            min_price,
            max_price,
            min_rating,
            sort,
            ascending,
            page,
            limit,
        })
    }
}

/// Active products: search, filter, sort and page.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog",
    params(BrowseParams),
    responses((status = 200, description = "One page of products", body = Envelope<Vec<Product>>),
              (status = 400, description = "A bad filter, sort or page", body = ErrorEnvelope),
              (status = 404, description = "No such category or storefront", body = ErrorEnvelope)))]
pub async fn browse(
    State(state): State<AppState>,
    Query(params): Query<BrowseParams>,
) -> Result<Envelope<SharedItems<Product>>, AppError> {
    Ok(Envelope::shared_page(
        products::browse(&state.services, &params.into_query()?).await?,
    ))
}

/// Products for review, least recently changed first (staff).
#[utoipa::path(get, path = "/api/v1/admin/products", tag = "admin", security(("bearer" = [])),
    params(ReviewParams),
    responses((status = 200, description = "One page of products", body = Envelope<Vec<Product>>),
              (status = 400, description = "Bad filter or page", body = ErrorEnvelope),
              (status = 403, description = "Not staff", body = ErrorEnvelope),
              (status = 404, description = "No such storefront or category", body = ErrorEnvelope)))]
pub async fn review_queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<ReviewParams>,
) -> Result<Envelope<Vec<Product>>, AppError> {
    let mut errors = Vec::new();
    let status = params.status.and_then(|s| {
        ProductStatus::parse(&s).or_else(|| {
            errors.push(FieldError::new(
                "filter[status]",
                "Use draft, pending, active or rejected.",
            ));
            None
        })
    });
    let window = window(errors, params.page, params.limit)?;
    let filter = QueueFilter {
        status,
        vendor: params.vendor,
        category: params.category,
    };
    let page = products::for_review(state.db(), caller.actor.staff()?, &filter, window).await?;
    Ok(Envelope::page(page))
}

/// Put a pending product live (staff); the vendor is emailed.
#[utoipa::path(post, path = "/api/v1/admin/products/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    responses((status = 200, description = "Live", body = Envelope<Product>),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such product", body = ErrorEnvelope),
              (status = 409, description = "Not pending (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Envelope<Product>, AppError> {
    let id = product_id(&id)?;
    Ok(Envelope::ok(
        products::approve(&state.services, caller.actor.staff()?, &id).await?,
    ))
}

/// Reject a pending product with a reason the vendor reads (staff).
#[utoipa::path(post, path = "/api/v1/admin/products/{id}/reject", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The product's id")),
    request_body = Rejection,
    responses((status = 200, description = "Rejected", body = Envelope<Product>),
              (status = 400, description = "No usable reason", body = ErrorEnvelope),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such product", body = ErrorEnvelope),
              (status = 409, description = "Not pending (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<Rejection>,
) -> Result<Envelope<Product>, AppError> {
    let id = product_id(&id)?;
    Ok(Envelope::ok(
        products::reject(&state.services, caller.actor.staff()?, &id, &input.reason).await?,
    ))
}
