//! Site-wide settings (site name, currency, rates, …) with typed keys and defaults in code.
pub mod model;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
