//! The one double-entry ledger (PRODUCT.md §4): every movement of money — an order's payment
//! and its commission, a refund, funds maturing from pending to available, a payout, an
//! adjustment — is one balanced transaction posted through [`service::post`], the only code
//! that writes ledger rows. Balances are sums of entries, never stored.

pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod service;
