//! Server functions of the catalog pages. Each resolves the caller and lets the service
//! decide.

use super::model::{BrowseQuery, Category, Product, ProductStatus};
#[cfg(feature = "ssr")]
use super::model::{CategoryChanges, NewCategory};
use crate::error::AppError;
use crate::platform::types::Page;
#[cfg(feature = "ssr")]
use crate::platform::{context, types::Id};
use leptos::prelude::*;

/// The category tree, in tree order.
#[server(prefix = "/rpc", endpoint = "catalog/categories")]
pub async fn category_tree() -> Result<Vec<Category>, AppError> {
    super::categories::tree(&context::services()?.db).await
}

/// The storefront's product list.
#[server(prefix = "/rpc", endpoint = "catalog/products")]
pub async fn browse_products(
    #[server(default)] query: BrowseQuery,
) -> Result<Page<Product>, AppError> {
    super::products::browse(&context::services()?.db, &query).await
}

/// One product by slug (or id): active ones for everyone; others for their vendor and staff.
#[server(prefix = "/rpc", endpoint = "catalog/product")]
pub async fn product_page(key: String) -> Result<Product, AppError> {
    let caller = context::caller()?;
    super::products::get(&context::services()?.db, caller.viewer()?, &key).await
}

/// The staff review queue of products, by status (all when `None`), a page at a time.
#[server(prefix = "/rpc", endpoint = "admin/products")]
pub async fn review_products(
    status: Option<ProductStatus>,
    page: Option<u32>,
) -> Result<Page<Product>, AppError> {
    let actor = context::actor()?;
    let window = crate::platform::paging::Window::new(page, None)?;
    super::products::for_review(&context::services()?.db, actor.staff()?, status, window).await
}

#[server(prefix = "/rpc", endpoint = "admin/products/approve")]
pub async fn approve_product(id: String) -> Result<Product, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The product")?;
    super::products::approve(&context::services()?, actor.staff()?, &id).await
}

#[server(prefix = "/rpc", endpoint = "admin/products/reject")]
pub async fn reject_product(id: String, reason: String) -> Result<Product, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The product")?;
    super::products::reject(&context::services()?, actor.staff()?, &id, reason.trim()).await
}

/// The chosen parent: none for an empty choice (the top level).
#[cfg(feature = "ssr")]
fn parent(value: &str) -> Result<Option<Id>, AppError> {
    if value.is_empty() {
        return Ok(None);
    }
    Id::parse(value)
        .map(Some)
        .ok_or_else(|| AppError::NotFound("The parent category".into()))
}

#[server(prefix = "/rpc", endpoint = "admin/categories/create")]
pub async fn create_category(
    name: String,
    slug: String,
    parent_id: String,
) -> Result<Category, AppError> {
    let actor = context::actor()?;
    let input = NewCategory {
        name: name.trim().to_owned(),
        slug: Some(slug.trim().to_owned()),
        parent_id: parent(&parent_id)?,
        description: None,
        position: None,
    };
    super::categories::create(&context::services()?, actor.staff()?, input).await
}

#[server(prefix = "/rpc", endpoint = "admin/categories/update")]
pub async fn update_category(
    id: String,
    name: String,
    slug: String,
    parent_id: String,
    position: i64,
) -> Result<Category, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The category")?;
    let changes = CategoryChanges {
        name: Some(name.trim().to_owned()),
        slug: Some(slug.trim().to_owned()),
        parent_id: Some(parent(&parent_id)?),
        description: None,
        position: Some(position),
    };
    super::categories::update(&context::services()?, actor.staff()?, &id, changes).await
}

#[server(prefix = "/rpc", endpoint = "admin/categories/delete")]
pub async fn delete_category(id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The category")?;
    super::categories::delete(&context::services()?, actor.staff()?, &id).await
}
