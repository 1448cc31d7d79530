//! The audit log: an append-only record of every staff action (who, what, on what, from where).
pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
