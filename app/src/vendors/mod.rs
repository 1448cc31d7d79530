//! Vendor storefronts (PRODUCT.md §2): the application at `/sell`, the staff review at
//! `/admin/vendors`, and the public storefront at `/vendors/{slug}`.

pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
