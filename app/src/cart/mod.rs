//! The cart (PRODUCT.md §3): what a signed-in buyer means to buy — one of each active product,
//! never one they own or sell — priced afresh on every view, with the site's tax rate.

pub mod model;

#[cfg(feature = "ssr")]
pub mod service;
