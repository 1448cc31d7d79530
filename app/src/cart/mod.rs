//! The cart (PRODUCT.md §3): what a buyer means to buy — one of each active product, never
//! one they own or sell — priced afresh on every view, with the site's tax. Signed-in buyers
//! have a stored cart; guests keep theirs in a signed cookie until they sign in.

pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod guest;
#[cfg(feature = "ssr")]
pub mod service;
