//! The home page's catalog sections, and the product page's data in one load: the product (as
//! `products::get` allows the viewer), its rating histogram and a page of reviews, what the
//! viewer may do (review, reply, save), and related products. A visit to an active product is
//! counted after the page is served.

use super::categories;
use super::model::{BrowseQuery, HomeCatalog, ProductSort, ProductView, RatingHistogram};
use super::purchases;
use super::reviews::{self, ReviewQuery};
use super::{products, wishlist};
use crate::db::Db;
use crate::error::AppError;
use crate::platform::Services;
use crate::platform::identity::Actor;
use crate::platform::paging::Window;
use crate::platform::types::{Id, Page};
use crate::vendors::service as vendors;
use std::sync::atomic::{AtomicUsize, Ordering};

/// View counts being written at once; past this, visits go uncounted rather than queue
/// without bound behind the database's writer.
const VIEW_WRITES_IN_FLIGHT: usize = 64;
static VIEW_WRITES: AtomicUsize = AtomicUsize::new(0);

/// Counts a visit after the page is served, unless [`VIEW_WRITES_IN_FLIGHT`] are pending.
fn count_view(db: &Db, product: &Id) {
    if VIEW_WRITES.fetch_add(1, Ordering::Relaxed) >= VIEW_WRITES_IN_FLIGHT {
        VIEW_WRITES.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    let (db, id) = (db.clone(), product.clone());
    tokio::spawn(async move {
        if let Err(error) = products::record_view(&db, &id).await {
            tracing::warn!(%error, "cannot count a product view");
        }
        VIEW_WRITES.fetch_sub(1, Ordering::Relaxed);
    });
}

/// Reviews per page on the product page.
const REVIEWS_PER_PAGE: u32 = 10;
/// Related products shown.
const RELATED: i64 = 4;

/// The product page of `key` (slug or id) for `viewer`, with page `reviews_page` of reviews.
pub async fn product_page(
    services: &Services,
    viewer: Option<&Actor>,
    key: &str,
    reviews_page: Option<u32>,
) -> Result<ProductView, AppError> {
    let db = &services.db;
    let product = products::get(db, viewer, key).await?;
    let window = Window::new(reviews_page, Some(REVIEWS_PER_PAGE))?;
    let public = product.status == super::model::ProductStatus::Active;
    let (histogram, reviews, related) = if public {
        (
            reviews::histogram(db, &product.id).await?,
            reviews::for_product(db, &product.id, ReviewQuery::default(), window).await?,
            products::related(db, &product, RELATED).await?,
        )
    } else {
        let none = Page {
            items: Vec::new(),
            page: window.page,
            limit: window.limit,
            total: 0,
        };
        (RatingHistogram::default(), none, Vec::new())
    };
    let signed_in = viewer.and_then(Actor::principal);
    let (own_review, may_review, is_seller, wishlisted) = match (viewer, signed_in) {
        (Some(actor), Some(principal)) => {
            let own = reviews::mine(db, actor, &product.id).await?;
            // One pooled connection at a time: holding one while asking for another can
            // starve the pool when many pages load at once.
            let bought = {
                let mut conn = db.pool().acquire().await?;
                purchases::owns(&mut conn, &principal.id, &product.id).await?
            };
            let seller = vendors::mine(db, actor)
                .await?
                .is_some_and(|vendor| vendor.id == product.vendor_id);
            let saved = wishlist::contains(db, actor, &product.id).await?;
            (
                own.clone(),
                public && bought && own.is_none(),
                seller,
                saved,
            )
        }
        _ => (None, false, false, false),
    };
    if public && !is_seller {
        count_view(db, &product.id);
    }
    Ok(ProductView {
        product,
        histogram,
        reviews,
        own_review,
        may_review,
        is_seller,
        wishlisted,
        signed_in: signed_in.is_some(),
        related,
        site_url: services.public_url.to_string(),
    })
}

/// Products per home page section.
const HOME_SECTION: u32 = 6;

/// The home page's featured, newest and most viewed products, and the top-level categories.
pub async fn home(services: &Services) -> Result<HomeCatalog, AppError> {
    let db = &services.db;
    let list = |sort| BrowseQuery {
        sort: Some(sort),
        limit: Some(HOME_SECTION),
        ..BrowseQuery::default()
    };
    Ok(HomeCatalog {
        featured: products::featured(db, i64::from(HOME_SECTION)).await?,
        newest: products::browse(services, &list(ProductSort::Newest))
            .await?
            .page()
            .items
            .clone(),
        popular: products::browse(services, &list(ProductSort::Popularity))
            .await?
            .page()
            .items
            .clone(),
        categories: categories::tree(db)
            .await?
            .into_iter()
            .filter(|c| c.depth == 0)
            .collect(),
    })
}
