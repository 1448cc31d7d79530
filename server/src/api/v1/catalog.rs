//! `/api/v1/categories` and `/api/v1/admin/categories/*`: the category tree, and staff
//! changes to it.

use crate::api::caller::ApiCaller;
use crate::api::json::ApiJson;
use crate::state::AppState;
use app::catalog::categories;
use app::catalog::model::{Category, CategoryChanges, NewCategory};
use app::envelope::{Envelope, ErrorEnvelope};
use app::error::AppError;
use app::platform::types::Id;
use axum::extract::{Path, State};
use http::StatusCode;

/// Every category in tree order: each follows its parent (`depth` says how deep it is),
/// siblings by position, then name.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog",
    responses((status = 200, description = "The tree", body = Envelope<Vec<Category>>)))]
pub async fn tree(State(state): State<AppState>) -> Result<Envelope<Vec<Category>>, AppError> {
    Ok(Envelope::ok(categories::tree(state.db()).await?))
}

/// Add a category (staff).
#[utoipa::path(post, path = "/api/v1/admin/categories", tag = "admin", security(("bearer" = [])),
    request_body = NewCategory,
    responses((status = 201, description = "The new category", body = Envelope<Category>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such parent", body = ErrorEnvelope),
              (status = 409, description = "The address is taken, the tree would be deeper than three levels, or it is full (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NewCategory>,
) -> Result<(StatusCode, Envelope<Category>), AppError> {
    let category = categories::create(&state.services, caller.actor.staff()?, input).await?;
    Ok((StatusCode::CREATED, Envelope::ok(category)))
}

fn category_id(id: &str) -> Result<Id, AppError> {
    Id::parse_or_not_found(id, "The category")
}

/// Rename, re-address, describe, reorder or move a category (staff); `"parentId": null`
/// moves it to the top level.
#[utoipa::path(patch, path = "/api/v1/admin/categories/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The category's id")),
    request_body = CategoryChanges,
    responses((status = 200, description = "The category", body = Envelope<Category>),
              (status = 400, description = "Invalid fields", body = ErrorEnvelope),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such category or parent", body = ErrorEnvelope),
              (status = 409, description = "A move under itself or too deep, or the address is taken (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(changes): ApiJson<CategoryChanges>,
) -> Result<Envelope<Category>, AppError> {
    let id = category_id(&id)?;
    Ok(Envelope::ok(
        categories::update(&state.services, caller.actor.staff()?, &id, changes).await?,
    ))
}

/// Delete a category with nothing in it (staff).
#[utoipa::path(delete, path = "/api/v1/admin/categories/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The category's id")),
    responses((status = 204, description = "Deleted"),
              (status = 403, description = "Not staff, or a read-only key", body = ErrorEnvelope),
              (status = 404, description = "No such category", body = ErrorEnvelope),
              (status = 409, description = "It has subcategories (`CONFLICT`)", body = ErrorEnvelope)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = category_id(&id)?;
    categories::delete(&state.services, caller.actor.staff()?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
