//! Server functions of the catalog pages. Each resolves the caller and lets the service
//! decide.

use super::model::{
    BrowseQuery, Category, HomeCatalog, Product, ProductFile, ProductForm, ProductView,
    QueueFilter, Review, VendorDashboard,
};
#[cfg(feature = "ssr")]
use super::model::{CategoryChanges, NewCategory, ReviewChanges, ReviewInput};
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
    let shared = super::products::browse(&context::services()?, &query).await?;
    Ok(shared.page().clone())
}

/// The product page of a slug (or id): active products for everyone; others for their vendor
/// and staff.
#[server(prefix = "/rpc", endpoint = "catalog/product")]
pub async fn product_page(key: String, reviews_page: Option<u32>) -> Result<ProductView, AppError> {
    let caller = context::caller()?;
    super::view::product_page(&context::services()?, caller.viewer()?, &key, reviews_page).await
}

/// Writes the caller's review of a product they bought.
#[server(prefix = "/rpc", endpoint = "catalog/reviews/create")]
pub async fn write_review(
    product_id: String,
    rating: u8,
    body: String,
) -> Result<Review, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&product_id, "The product")?;
    let input = ReviewInput {
        rating,
        body: body.trim().to_owned(),
    };
    super::reviews::create(&context::services()?, &actor, &id, input).await
}

/// Changes the caller's own review.
#[server(prefix = "/rpc", endpoint = "catalog/reviews/update")]
pub async fn edit_review(id: String, rating: u8, body: String) -> Result<Review, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The review")?;
    let changes = ReviewChanges {
        rating: Some(rating),
        body: Some(body.trim().to_owned()),
    };
    super::reviews::update(&context::services()?, &actor, &id, changes).await
}

/// Deletes the caller's own review.
#[server(prefix = "/rpc", endpoint = "catalog/reviews/delete")]
pub async fn delete_review(id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The review")?;
    super::reviews::delete(&context::services()?, &actor, &id).await
}

/// The vendor's reply to a review of their product.
#[server(prefix = "/rpc", endpoint = "catalog/reviews/reply")]
pub async fn reply_to_review(id: String, reply: String) -> Result<Review, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The review")?;
    super::reviews::reply(&context::services()?, &actor, &id, reply.trim()).await
}

/// Saves a product to, or takes it off, the caller's wishlist.
#[server(prefix = "/rpc", endpoint = "catalog/wishlist/toggle")]
pub async fn toggle_wishlist(product_id: String, save: bool) -> Result<(), AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&product_id, "The product")?;
    let services = context::services()?;
    if save {
        super::wishlist::add(&services, &actor, &id).await
    } else {
        super::wishlist::remove(&services, &actor, &id).await
    }
}

/// The caller's wishlist, a page at a time.
#[server(prefix = "/rpc", endpoint = "catalog/wishlist")]
pub async fn wishlist_page(page: Option<u32>) -> Result<Page<Product>, AppError> {
    let actor = context::actor()?;
    let window = crate::platform::paging::Window::new(page, Some(24))?;
    super::wishlist::list(&context::services()?.db, &actor, window).await
}

/// The ids of the products the caller saved (none for a guest), to mark cards.
#[server(prefix = "/rpc", endpoint = "catalog/wishlist/ids")]
pub async fn saved_products() -> Result<Option<Vec<String>>, AppError> {
    match context::caller()?.viewer()? {
        Some(actor) if actor.principal().is_some() => {
            let ids = super::wishlist::ids(&context::services()?.db, actor).await?;
            Ok(Some(ids.into_iter().map(|id| id.to_string()).collect()))
        }
        _ => Ok(None),
    }
}

/// How many products the caller saved (none for a guest).
#[server(prefix = "/rpc", endpoint = "catalog/wishlist/count")]
pub async fn wishlist_count() -> Result<i64, AppError> {
    match context::caller()?.viewer()? {
        Some(actor) if actor.principal().is_some() => {
            super::wishlist::count(&context::services()?.db, actor).await
        }
        _ => Ok(0),
    }
}

/// Staff hide a review, or show it again.
#[server(prefix = "/rpc", endpoint = "admin/reviews/hide")]
pub async fn hide_review(id: String, hidden: bool) -> Result<Review, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The review")?;
    super::reviews::set_hidden(&context::services()?, actor.staff()?, &id, hidden).await
}

/// Every review for staff, newest first; only hidden or only visible ones when asked.
#[server(prefix = "/rpc", endpoint = "admin/reviews")]
pub async fn moderate_reviews(
    hidden: Option<bool>,
    page: Option<u32>,
) -> Result<Page<Review>, AppError> {
    let actor = context::actor()?;
    let window = crate::platform::paging::Window::new(page, None)?;
    super::reviews::for_staff(&context::services()?.db, actor.staff()?, hidden, window).await
}

/// The staff review queue of products, by status, storefront and category, a page at a time.
#[server(prefix = "/rpc", endpoint = "admin/products")]
pub async fn review_products(
    filter: QueueFilter,
    page: Option<u32>,
) -> Result<Page<Product>, AppError> {
    let actor = context::actor()?;
    let window = crate::platform::paging::Window::new(page, None)?;
    super::products::for_review(&context::services()?.db, actor.staff()?, &filter, window).await
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

/// The caller's vendor dashboard: products (every status) and views per day.
#[server(prefix = "/rpc", endpoint = "vendor/dashboard")]
pub async fn dashboard_page(page: Option<u32>) -> Result<VendorDashboard, AppError> {
    let actor = context::actor()?;
    let window = crate::platform::paging::Window::new(page, Some(20))?;
    super::dashboard::for_vendor(&context::services()?.db, &actor, window).await
}

/// One of the caller's products, for its edit page.
#[server(prefix = "/rpc", endpoint = "vendor/product")]
pub async fn vendor_product(id: String) -> Result<Product, AppError> {
    let actor = context::actor()?;
    super::products::get_own(&context::services()?.db, &actor, &id).await
}

/// Creates a draft (empty `id`) or changes one of the caller's products, then opens its edit
/// page. Prices are typed in currency units; tags are separated by commas.
#[server(prefix = "/rpc", endpoint = "vendor/products/save")]
pub async fn save_product(form: ProductForm) -> Result<Product, AppError> {
    let actor = context::actor()?;
    let services = context::services()?;
    let id = form.id.clone();
    let input = super::rules::product_input(form)?;
    let product = if id.is_empty() {
        super::products::create(&services, &actor, input).await?
    } else {
        let id = Id::parse_or_not_found(&id, "The product")?;
        super::products::update(&services, &actor, &id, input).await?
    };
    leptos_axum::redirect(&format!("/vendor/products/{}", product.id));
    Ok(product)
}

/// Submits one of the caller's drafts (or rejected products) for review.
#[server(prefix = "/rpc", endpoint = "vendor/products/submit")]
pub async fn submit_product(id: String) -> Result<Product, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The product")?;
    super::products::submit(&context::services()?, &actor, &id).await
}

/// Deletes one of the caller's drafts or rejected products.
#[server(prefix = "/rpc", endpoint = "vendor/products/delete")]
pub async fn delete_product(id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The product")?;
    super::products::delete(&context::services()?, &actor, &id).await?;
    leptos_axum::redirect("/vendor");
    Ok(())
}

/// Removes an image from one of the caller's products.
#[server(prefix = "/rpc", endpoint = "vendor/products/images/remove")]
pub async fn remove_product_image(product_id: String, image_id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let product = Id::parse_or_not_found(&product_id, "The product")?;
    let image = Id::parse_or_not_found(&image_id, "The image")?;
    super::images::remove(&context::services()?, &actor, &product, &image).await
}

/// The home page's catalog sections.
#[server(prefix = "/rpc", endpoint = "catalog/home")]
pub async fn home_sections() -> Result<HomeCatalog, AppError> {
    super::view::home(&context::services()?).await
}

/// Staff feature a product on the home page, or stop featuring it.
#[server(prefix = "/rpc", endpoint = "admin/products/feature")]
pub async fn feature_product(id: String, featured: bool) -> Result<Product, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The product")?;
    super::products::set_featured(&context::services()?, actor.staff()?, &id, featured).await
}

/// The files one of the caller's products delivers.
#[server(prefix = "/rpc", endpoint = "vendor/products/files")]
pub async fn product_files(id: String) -> Result<Vec<ProductFile>, AppError> {
    let actor = context::actor()?;
    let id = Id::parse_or_not_found(&id, "The product")?;
    super::files::list(&context::services()?, &actor, &id).await
}

/// Removes a file from one of the caller's products.
#[server(prefix = "/rpc", endpoint = "vendor/products/files/remove")]
pub async fn remove_product_file(product_id: String, file_id: String) -> Result<(), AppError> {
    let actor = context::actor()?;
    let product = Id::parse_or_not_found(&product_id, "The product")?;
    let file = Id::parse_or_not_found(&file_id, "The file")?;
    super::files::remove(&context::services()?, &actor, &product, &file).await
}
