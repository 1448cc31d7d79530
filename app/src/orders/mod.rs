//! Orders (PRODUCT.md §3): placing one from the cart in one transaction, paying it through a
//! provider, and what follows payment — the ledger's postings, downloads, refunds and the
//! maturing of vendors' earnings.

pub mod admin;
pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod downloads;
#[cfg(feature = "ssr")]
pub mod payment;
#[cfg(feature = "ssr")]
pub mod refunds;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settlement;
