//! The catalog (PRODUCT.md §2): the category tree, managed at `/admin/categories` and read by
//! every catalog page and `GET /api/v1/categories`, and products — written by vendors,
//! reviewed by staff, browsed by everyone.

pub mod admin_reviews;
pub mod model;
pub mod pages;
pub mod product_page;
pub mod server;
pub mod vendor_pages;
pub mod wishlist_page;

#[cfg(feature = "ssr")]
pub mod categories;
#[cfg(feature = "ssr")]
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod images;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod products;
#[cfg(feature = "ssr")]
pub mod purchases;
#[cfg(feature = "ssr")]
pub mod reviews;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod view;
#[cfg(feature = "ssr")]
pub mod wishlist;
