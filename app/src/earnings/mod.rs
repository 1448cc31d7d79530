//! Vendors' earnings (PRODUCT.md §4): their balances read from the ledger, earnings per day,
//! and payouts — requested by the vendor, decided and paid by staff, each money step a ledger
//! posting.

pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod service;
